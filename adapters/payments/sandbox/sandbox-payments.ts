/**
 * The built-in payment provider of CONTRACTS.md 3.6 (`PAYMENT_PROVIDER=sandbox`), wired onto the one server:
 * - `GET /pay/{paymentId}`: the hosted checkout (amount, what it pays for, the operator's name, the card form),
 *   or the page matching the payment's state (paid, declined, expired, unknown).
 * - `POST /pay/{paymentId}`: the sandbox processor. Checks the card form (bad number, past expiry or bad CVC:
 *   the form again with the error, nothing charged), charges once per payment by test card, and reports the
 *   outcome to the webhook below over HTTP, signed, exactly like a real processor. The page then shows the
 *   payment's state as the core holds it.
 * - `POST /payments/webhooks/sandbox`: the shared signed-callback route, the only way an outcome reaches the core.
 *
 * The card number lives only in this request's memory: it is checked, reduced to brand and last 4, and the raw
 * request bytes are zeroed. Nothing here logs request bodies.
 */
import { randomBytes } from 'node:crypto';
import type { Request, Response, Server } from 'restify';
import { formBody, type RawBodyRequest } from '../../../bot/http.js';
import type { Config } from '../../../bot/config.js';
import type { Logger } from '../../../bot/logger.js';
import type { Result } from '../../../charging/errors.js';
import type { Payment } from '../../../charging/model.js';
import type { ChargingService, Clock } from '../../../charging/ports.js';
import { systemClock } from '../../../charging/ports.js';
import { resolvePaymentCallbackSecret } from '../callback-secret.js';
import { paymentWebhookPath, registerPaymentWebhook } from '../payment-webhook.route.js';
import {
  checkoutPage,
  declinedPage,
  expiredPage,
  formatMoney,
  notFoundPage,
  type PageContext,
  type PaymentSummary,
  successPage,
  unavailablePage,
} from './checkout-pages.js';
import { SandboxPaymentProvider } from './sandbox-provider.js';
import { SandboxProcessor } from './sandbox-processor.js';
import { type CardSummary, checkCardForm } from './test-cards.js';

export interface SandboxPayments {
  /** The provider (port `PaymentProvider`): `checkoutUrl(payment)` is the link the bot sends. */
  readonly provider: SandboxPaymentProvider;
  /** `{PUBLIC_URL}/pay/{paymentId}`. */
  checkoutUrl(paymentId: string): string;
}

/**
 * The embedded core also records "checkout opened" (`created` -> `pending`); a remote core may not, and the
 * checkout works without it.
 */
export type ChargingWithCheckout = ChargingService & {
  markPaymentPending?: (paymentId: string) => Promise<Result<Payment>>;
};

export interface SandboxPaymentsDeps {
  charging: ChargingWithCheckout;
  config: Config;
  logger: Logger;
  clock?: Clock;
}

/** Payment ids are unguessable tokens; anything else is not worth a lookup. */
const PAYMENT_ID = /^[A-Za-z0-9_-]{1,128}$/;

const FAILURE_TEXT: Record<string, string> = {
  card_declined: 'Your card was declined.',
  expired: 'The payment link expired.',
};

function sendHtml(res: Response, status: number, nonce: string, html: string): void {
  res.writeHead(status, {
    'Content-Type': 'text/html; charset=utf-8',
    'Content-Length': Buffer.byteLength(html),
    'Cache-Control': 'no-store',
    'Content-Security-Policy': `default-src 'none'; style-src 'nonce-${nonce}'; script-src 'nonce-${nonce}'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
    'Referrer-Policy': 'no-referrer',
    'X-Content-Type-Options': 'nosniff',
  });
  res.end(html);
}

/** Where this very server can be reached from inside the process: the address the request came in on. */
function selfBaseUrl(req: Request): string {
  const socket = req.socket;
  let host = (socket.localAddress ?? '127.0.0.1').replace(/^::ffff:/, '');
  if (host === '::' || host === '0.0.0.0') host = '127.0.0.1';
  return `http://${host.includes(':') ? `[${host}]` : host}:${socket.localPort}`;
}

export function registerSandboxPayments(server: Server, deps: SandboxPaymentsDeps): SandboxPayments {
  const { charging, config } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ component: 'sandbox-checkout' });
  const callbackSecret = resolvePaymentCallbackSecret(config);
  const provider = new SandboxPaymentProvider({ publicUrl: config.publicUrl, callbackSecret });
  const processor = new SandboxProcessor({ callbackSecret, clock });
  registerPaymentWebhook(server, { provider, charging, logger: deps.logger, clock });

  const context = (): PageContext => ({
    operatorName: config.webchat.operatorName,
    nonce: randomBytes(16).toString('base64'),
  });

  async function summaryOf(payment: Payment): Promise<PaymentSummary> {
    const amount = formatMoney(payment.amount.amount, payment.amount.currency);
    const line = `line ending ${payment.msisdn.slice(-4)}`;
    if (payment.purpose.type === 'topup') return { amount, description: `Credit top-up for the ${line}` };
    const billId = payment.purpose.billId;
    const bills = await charging.getBills(payment.msisdn);
    const bill = bills.ok ? bills.value.find((b) => b.id === billId) : undefined;
    return { amount, description: `Bill ${bill?.billNo ?? ''} for the ${line}`.replace('  ', ' ') };
  }

  const isOpen = (p: Payment) =>
    (p.status === 'created' || p.status === 'pending') && new Date(p.expiresAt).getTime() > clock.now().getTime();

  /** The page for a payment that cannot take a card any more (or `undefined` when it still can). */
  async function closedPage(payment: Payment, ctx: PageContext, card?: CardSummary) {
    if (isOpen(payment)) return undefined;
    const summary = await summaryOf(payment);
    if (payment.status === 'settled') {
      return { status: 200, html: successPage(ctx, { ...summary, card: card && `${card.brand} •••• ${card.last4}` }) };
    }
    if (payment.status === 'failed') {
      const reason = FAILURE_TEXT[payment.failureReason ?? ''] ?? 'The payment did not go through.';
      return { status: 402, html: declinedPage(ctx, { ...summary, reason }) };
    }
    return { status: 410, html: expiredPage(ctx, summary) };
  }

  /** Loads the payment or answers with the page saying why not. */
  async function load(req: Request, res: Response, ctx: PageContext): Promise<Payment | undefined> {
    const id = String(req.params.paymentId ?? '');
    if (!PAYMENT_ID.test(id)) {
      sendHtml(res, 404, ctx.nonce, notFoundPage(ctx));
      return undefined;
    }
    const found = await charging.getPayment(id);
    if (found.ok) return found.value;
    if (found.error.code === 'PAYMENT.NOT_FOUND') sendHtml(res, 404, ctx.nonce, notFoundPage(ctx));
    else sendHtml(res, 503, ctx.nonce, unavailablePage(ctx));
    return undefined;
  }

  // restify: async handlers take (req, res) only; the chain continues when the promise settles.
  server.get('/pay/:paymentId', async (req, res) => {
    const ctx = context();
    const payment = await load(req, res, ctx);
    if (!payment) return;
    const closed = await closedPage(payment, ctx);
    if (closed) sendHtml(res, closed.status, ctx.nonce, closed.html);
    else {
      if (payment.status === 'created' && charging.markPaymentPending) {
        const marked = await charging.markPaymentPending(payment.id);
        if (!marked.ok)
          logger.warn('could not mark the payment pending', { paymentId: payment.id, code: marked.error.code });
      }
      const summary = await summaryOf(payment);
      sendHtml(res, 200, ctx.nonce, checkoutPage(ctx, { ...summary, action: encodeURIComponent(payment.id) }));
    }
  });

  server.post('/pay/:paymentId', ...formBody(4 * 1024), async (req, res) => {
    // Take the three fields and wipe the raw bytes: the card number must not outlive this handler.
    const fields = (req.body ?? {}) as Record<string, unknown>;
    const form = {
      cardNumber: typeof fields.cardNumber === 'string' ? fields.cardNumber : '',
      expiry: typeof fields.expiry === 'string' ? fields.expiry : '',
      cvc: typeof fields.cvc === 'string' ? fields.cvc : '',
    };
    (req as RawBodyRequest).rawBody?.fill(0);
    req.body = undefined;

    const ctx = context();
    const payment = await load(req, res, ctx);
    if (!payment) return;
    const closed = await closedPage(payment, ctx);
    if (closed) {
      sendHtml(res, closed.status, ctx.nonce, closed.html);
      return;
    }
    const check = checkCardForm(form, clock.now());
    if (!check.ok) {
      const summary = await summaryOf(payment);
      const html = checkoutPage(ctx, { ...summary, action: encodeURIComponent(payment.id), error: check });
      sendHtml(res, 422, ctx.nonce, html);
      return;
    }
    const report = await processor.charge(
      payment,
      check.outcome,
      check.card,
      selfBaseUrl(req) + paymentWebhookPath(provider.name),
    );
    if (!report.delivered || report.status >= 500) {
      logger.error('sandbox callback not accepted', {
        paymentId: payment.id,
        status: report.delivered ? report.status : 0,
      });
    }
    // Show what the core now holds, whatever the webhook answered: that is the truth the customer sees in chat.
    const after = await charging.getPayment(payment.id);
    const page = after.ok ? await closedPage(after.value, ctx, check.card) : undefined;
    if (page) sendHtml(res, page.status, ctx.nonce, page.html);
    else sendHtml(res, 503, ctx.nonce, unavailablePage(ctx));
  });

  return { provider, checkoutUrl: (paymentId) => provider.checkoutUrl({ id: paymentId }) };
}
