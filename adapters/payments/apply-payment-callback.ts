/**
 * Applies one verified provider callback to the charging core, whatever the provider. The core settles
 * exactly once; this function adds what a webhook endpoint needs on top: a precise answer for every case
 * (first delivery, redelivery, out of order, expired, unknown) and never applying anything twice.
 *
 * Answers (HTTP status, `code`):
 * - 200 `PAYMENT.SETTLED` / `PAYMENT.FAILED`: applied now.
 * - 200 `PAYMENT.CALLBACK_DUPLICATE`: the payment already has this outcome (a redelivery or a replay); nothing changed.
 *   Acknowledged with 2xx because processors retry anything else for days.
 * - 409 `PAYMENT.INVALID_STATE`: out of order (settled after failed, failed after settled); nothing changed.
 * - 410 `PAYMENT.EXPIRED`: the payment's link expired before the outcome arrived; nothing changed.
 * - 404 `PAYMENT.NOT_FOUND`, 400 `PAYMENT.CALLBACK_AMOUNT_MISMATCH`, 503 `CHARGING.UNAVAILABLE` (retry later).
 */
import type { Logger } from '../../bot/logger.js';
import { ErrorCodes, httpStatusOf, type ErrorCode } from '../../charging/errors.js';
import type { Payment, PaymentStatus } from '../../charging/model.js';
import { type PaymentCallback, PaymentCallbackCodes } from '../../charging/payment-provider.js';
import type { ChargingService } from '../../charging/ports.js';

export interface CallbackAnswer {
  status: number;
  body: { code: string; message: string; paymentId?: string; paymentStatus?: PaymentStatus };
}

const answer = (status: number, code: string, message: string, payment?: Payment): CallbackAnswer => ({
  status,
  body: { code, message, ...(payment ? { paymentId: payment.id, paymentStatus: payment.status } : {}) },
});

function fromError(error: { code: ErrorCode; message: string }): CallbackAnswer {
  return answer(httpStatusOf[error.code] ?? 500, error.code, error.message);
}

/** Serialises work per key inside this process, so two deliveries of one payment are judged one after the other. */
class KeyedQueue {
  readonly #tails = new Map<string, Promise<unknown>>();

  run<T>(key: string, work: () => Promise<T>): Promise<T> {
    const previous = this.#tails.get(key) ?? Promise.resolve();
    const next = previous.then(work, work);
    const tail = next.catch(() => undefined);
    this.#tails.set(key, tail);
    void tail.then(() => {
      if (this.#tails.get(key) === tail) this.#tails.delete(key);
    });
    return next;
  }
}

export interface PaymentCallbackApplier {
  apply(callback: PaymentCallback): Promise<CallbackAnswer>;
}

export function createPaymentCallbackApplier(deps: {
  charging: ChargingService;
  provider: string;
  logger: Logger;
}): PaymentCallbackApplier {
  const { charging, provider, logger } = deps;
  const queue = new KeyedQueue();
  const log = logger.child({ component: 'payment-callback', provider });

  async function applySettled(cb: Extract<PaymentCallback, { kind: 'settled' }>, payment: Payment) {
    if (cb.amount !== payment.amount.amount || cb.currency !== payment.amount.currency) {
      log.warn('settlement amount differs from the payment; not applied', {
        paymentId: payment.id,
        eventId: cb.eventId,
      });
      return answer(400, PaymentCallbackCodes.AMOUNT_MISMATCH, 'the charged amount differs from the payment', payment);
    }
    if (payment.status === 'settled') {
      return answer(200, PaymentCallbackCodes.DUPLICATE, 'already settled; nothing changed', payment);
    }
    if (payment.status === 'failed') {
      // A processor that says "failed" and later "succeeded" took money for a payment we closed: that needs a
      // refund by a human, never a silent second application.
      log.warn('settlement after failure; not applied, needs a refund', { paymentId: payment.id, eventId: cb.eventId });
      return answer(409, ErrorCodes.PAYMENT_INVALID_STATE, 'the payment already failed; nothing changed', payment);
    }
    if (payment.status === 'expired') {
      log.warn('settlement for an expired payment; not applied', { paymentId: payment.id, eventId: cb.eventId });
      return answer(410, ErrorCodes.PAYMENT_EXPIRED, 'the payment expired; nothing changed', payment);
    }
    const settled = await charging.settlePayment(
      payment.id,
      { providerRef: cb.providerRef },
      { idempotencyKey: `${provider}:${cb.eventId}`, actor: `provider:${provider}` },
    );
    if (!settled.ok) {
      log.warn('settlement refused by the core', { paymentId: payment.id, code: settled.error.code });
      return fromError(settled.error);
    }
    log.info('payment settled', { paymentId: payment.id, eventId: cb.eventId });
    return answer(200, PaymentCallbackCodes.SETTLED, 'settled', settled.value);
  }

  async function applyFailed(cb: Extract<PaymentCallback, { kind: 'failed' }>, payment: Payment) {
    if (payment.status === 'failed') {
      return answer(200, PaymentCallbackCodes.DUPLICATE, 'already failed; nothing changed', payment);
    }
    if (payment.status === 'settled') {
      log.warn('failure after settlement; ignored', { paymentId: payment.id, eventId: cb.eventId });
      return answer(409, ErrorCodes.PAYMENT_INVALID_STATE, 'the payment is already settled; nothing changed', payment);
    }
    if (payment.status === 'expired') {
      return answer(410, ErrorCodes.PAYMENT_EXPIRED, 'the payment expired; nothing changed', payment);
    }
    const failed = await charging.failPayment(
      payment.id,
      { reason: cb.reason },
      { idempotencyKey: `${provider}:${cb.eventId}`, actor: `provider:${provider}` },
    );
    if (!failed.ok) {
      log.warn('failure refused by the core', { paymentId: payment.id, code: failed.error.code });
      return fromError(failed.error);
    }
    log.info('payment failed', { paymentId: payment.id, eventId: cb.eventId, reason: cb.reason });
    return answer(200, PaymentCallbackCodes.FAILED, 'failed', failed.value);
  }

  return {
    apply(callback) {
      return queue.run(callback.paymentId, async () => {
        const found = await charging.getPayment(callback.paymentId);
        if (!found.ok) return fromError(found.error);
        return callback.kind === 'settled' ? applySettled(callback, found.value) : applyFailed(callback, found.value);
      });
    },
  };
}
