/**
 * The payment-provider port: what the product needs from a card processor (the built-in sandbox, later Stripe
 * or Adyen). A provider hosts the checkout (so no card number ever passes through the bot) and tells the core
 * how a payment ended through a signed callback (a webhook). Adding a provider means adding one folder under
 * `adapters/payments/<provider>/` that implements this port; the webhook route and the way a verified callback
 * is applied to the core are shared, so every provider reaches the core the same way.
 *
 * Framework-free on purpose: bodies are bytes, headers a plain record, time an injected instant.
 */
import type { Payment } from './model.js';

/** Header values as Node delivers them (lower-case names). */
export type CallbackHeaders = Readonly<Record<string, string | string[] | undefined>>;

/**
 * What a verified provider callback says happened. `eventId` is the provider's id of this notification:
 * redeliveries of the same notification carry the same id (the dedup key).
 */
export type PaymentCallback =
  | {
      kind: 'settled';
      eventId: string;
      paymentId: string;
      /** The provider's reference of the charge (kept on the payment; never card data). */
      providerRef: string;
      /** What the provider charged, to compare with the payment's amount. */
      amount: number;
      currency: string;
    }
  | {
      kind: 'failed';
      eventId: string;
      paymentId: string;
      /** A stable, customer-safe reason code, e.g. `card_declined`. */
      reason: string;
    };

/** Why a callback was refused before anything was applied. */
export type InvalidCallback = {
  kind: 'invalid';
  code: PaymentCallbackCode;
  /** Safe for logs and the HTTP answer: never echoes the body. */
  message: string;
};

/**
 * Stable codes of the callback endpoint `POST /payments/webhooks/{provider}` (with `PAYMENT.NOT_FOUND`,
 * `PAYMENT.INVALID_STATE` and `PAYMENT.EXPIRED` of `errors.ts`). Part of the HTTP surface: never rename.
 */
export const PaymentCallbackCodes = {
  /** 401: missing or wrong signature; nothing applied. */
  SIGNATURE_INVALID: 'PAYMENT.CALLBACK_SIGNATURE_INVALID',
  /** 401: the signed timestamp is outside the tolerance (a replay of an old delivery); nothing applied. */
  STALE: 'PAYMENT.CALLBACK_STALE',
  /** 400: signed, but not a notification this provider sends. */
  MALFORMED: 'PAYMENT.CALLBACK_MALFORMED',
  /** 400: the charged amount or currency differs from the payment's. */
  AMOUNT_MISMATCH: 'PAYMENT.CALLBACK_AMOUNT_MISMATCH',
  /** 200: the first delivery of a settlement: the money was applied now. */
  SETTLED: 'PAYMENT.SETTLED',
  /** 200: the first delivery of a failure: the payment is failed now. */
  FAILED: 'PAYMENT.FAILED',
  /** 200: already applied (a redelivery or a replay): acknowledged so the provider stops retrying; nothing changed. */
  DUPLICATE: 'PAYMENT.CALLBACK_DUPLICATE',
} as const;

export type PaymentCallbackCode = (typeof PaymentCallbackCodes)[keyof typeof PaymentCallbackCodes];

/**
 * A card processor. `checkoutUrl` is where the customer pays (the bot sends it as the payment link);
 * `verifyCallback` authenticates one webhook delivery (signature over the raw bytes, timestamp within
 * tolerance of `now`) and decodes it, or says why not.
 */
export interface PaymentProvider {
  /** The provider's name, also the last segment of its webhook route (`sandbox`, `stripe`...). */
  readonly name: string;
  checkoutUrl(payment: Pick<Payment, 'id'>): string;
  verifyCallback(rawBody: Uint8Array, headers: CallbackHeaders, now: Date): PaymentCallback | InvalidCallback;
}
