import type {
  CallbackHeaders,
  InvalidCallback,
  PaymentCallback,
  PaymentProvider,
} from '../../../charging/payment-provider.js';
import { PaymentCallbackCodes } from '../../../charging/payment-provider.js';
import { parseSandboxChargeEvent } from './sandbox-event.js';
import { DEFAULT_TOLERANCE_SECONDS, SANDBOX_SIGNATURE_HEADER, verifySandboxSignature } from './sandbox-signature.js';

export interface SandboxProviderOptions {
  /** `PUBLIC_URL`: checkout links are `{publicUrl}/pay/{paymentId}` (CONTRACTS.md 3.6). */
  publicUrl: string;
  /** HMAC secret shared by the sandbox processor (signer) and the webhook route (verifier). */
  callbackSecret: string;
  toleranceSeconds?: number;
}

/**
 * The built-in test provider of CONTRACTS.md 3.6 (`PAYMENT_PROVIDER=sandbox`): hosted checkout in this process,
 * completion through the signed webhook like any real processor.
 */
export class SandboxPaymentProvider implements PaymentProvider {
  readonly name = 'sandbox';
  readonly #publicUrl: string;
  readonly #secret: string;
  readonly #tolerance: number;

  constructor(opts: SandboxProviderOptions) {
    if (!opts.callbackSecret) throw new Error('SandboxPaymentProvider: callbackSecret is required');
    this.#publicUrl = opts.publicUrl.replace(/\/+$/, '');
    this.#secret = opts.callbackSecret;
    this.#tolerance = opts.toleranceSeconds ?? DEFAULT_TOLERANCE_SECONDS;
  }

  checkoutUrl(payment: { id: string }): string {
    return `${this.#publicUrl}/pay/${encodeURIComponent(payment.id)}`;
  }

  verifyCallback(rawBody: Uint8Array, headers: CallbackHeaders, now: Date): PaymentCallback | InvalidCallback {
    const header = headers[SANDBOX_SIGNATURE_HEADER];
    const verdict = verifySandboxSignature(
      this.#secret,
      rawBody,
      Array.isArray(header) ? header[0] : header,
      now,
      this.#tolerance,
    );
    if (!verdict.ok) {
      return verdict.reason === 'stale'
        ? { kind: 'invalid', code: PaymentCallbackCodes.STALE, message: 'the signed timestamp is too old or too new' }
        : { kind: 'invalid', code: PaymentCallbackCodes.SIGNATURE_INVALID, message: 'missing or wrong signature' };
    }
    const event = parseSandboxChargeEvent(rawBody);
    if (!event) return { kind: 'invalid', code: PaymentCallbackCodes.MALFORMED, message: 'not a sandbox charge event' };
    const { data } = event;
    return event.type === 'charge.succeeded'
      ? {
          kind: 'settled',
          eventId: event.id,
          paymentId: data.paymentId,
          providerRef: data.chargeId,
          amount: data.amount,
          currency: data.currency,
        }
      : { kind: 'failed', eventId: event.id, paymentId: data.paymentId, reason: data.failureCode ?? 'card_declined' };
  }
}
