/**
 * The sandbox's "card network": turns a checked card form into one charge per payment and reports it, signed,
 * to `POST /payments/webhooks/sandbox` over HTTP, the same way a real processor's webhook reaches us. It never
 * calls the core itself. A payment is charged at most once: concurrent submits share the first charge, and
 * the event and charge ids are derived from the payment id, so a repeat is recognised as a redelivery.
 */
import { createHmac } from 'node:crypto';
import type { Payment } from '../../../charging/model.js';
import type { Clock } from '../../../charging/ports.js';
import type { SandboxChargeEvent } from './sandbox-event.js';
import { SANDBOX_SIGNATURE_HEADER, signSandboxPayload } from './sandbox-signature.js';
import type { CardSummary } from './test-cards.js';

/** What the webhook answered (status and `code`), or that it could not be reached. */
export type ChargeReport = { delivered: true; status: number; code: string } | { delivered: false };

export class SandboxProcessor {
  readonly #secret: string;
  readonly #clock: Clock;
  readonly #inFlight = new Map<string, Promise<ChargeReport>>();

  constructor(opts: { callbackSecret: string; clock: Clock }) {
    this.#secret = opts.callbackSecret;
    this.#clock = opts.clock;
  }

  /** Charges `payment` with the decided outcome and reports it to `webhookUrl`; single-flight per payment. */
  charge(
    payment: Pick<Payment, 'id' | 'amount'>,
    outcome: 'succeeds' | 'declined',
    card: CardSummary,
    webhookUrl: string,
  ): Promise<ChargeReport> {
    const running = this.#inFlight.get(payment.id);
    if (running) return running;
    const work = this.#report(this.#event(payment, outcome, card), webhookUrl).finally(() =>
      this.#inFlight.delete(payment.id),
    );
    this.#inFlight.set(payment.id, work);
    return work;
  }

  #id(prefix: string, ...parts: string[]): string {
    return `${prefix}_${createHmac('sha256', this.#secret).update(parts.join('\u0000')).digest('hex').slice(0, 24)}`;
  }

  #event(payment: Pick<Payment, 'id' | 'amount'>, outcome: 'succeeds' | 'declined', card: CardSummary) {
    const type = outcome === 'succeeds' ? 'charge.succeeded' : 'charge.failed';
    const event: SandboxChargeEvent = {
      id: this.#id('evt', payment.id, type),
      type,
      created: Math.floor(this.#clock.now().getTime() / 1000),
      data: {
        paymentId: payment.id,
        chargeId: this.#id('ch', payment.id),
        amount: payment.amount.amount,
        currency: payment.amount.currency,
        card,
        ...(outcome === 'declined' ? { failureCode: 'card_declined' } : {}),
      },
    };
    return event;
  }

  async #report(event: SandboxChargeEvent, webhookUrl: string): Promise<ChargeReport> {
    const body = Buffer.from(JSON.stringify(event));
    try {
      const res = await fetch(webhookUrl, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          [SANDBOX_SIGNATURE_HEADER]: signSandboxPayload(this.#secret, body, this.#clock.now()),
        },
        body,
        signal: AbortSignal.timeout(15_000),
      });
      const answer = (await res.json().catch(() => ({}))) as { code?: unknown };
      return { delivered: true, status: res.status, code: typeof answer.code === 'string' ? answer.code : '' };
    } catch {
      return { delivered: false };
    }
  }
}
