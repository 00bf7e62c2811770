/**
 * `POST /payments/webhooks/{provider}`: the one way a payment's outcome reaches the core, for every provider
 * (the sandbox processor in this process calls it over HTTP exactly like a real processor would). The provider
 * verifies the signature over the raw bytes; nothing is parsed or applied before that.
 */
import type { Server } from 'restify';
import { type RawBodyRequest, readRawBody, sendError, sendJson } from '../../bot/http.js';
import type { Logger } from '../../bot/logger.js';
import type { PaymentProvider } from '../../charging/payment-provider.js';
import type { ChargingService, Clock } from '../../charging/ports.js';
import { systemClock } from '../../charging/ports.js';
import { createPaymentCallbackApplier } from './apply-payment-callback.js';

export const paymentWebhookPath = (provider: string) => `/payments/webhooks/${provider}`;

export function registerPaymentWebhook(
  server: Server,
  deps: { provider: PaymentProvider; charging: ChargingService; logger: Logger; clock?: Clock },
): void {
  const { provider, charging } = deps;
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ component: 'payment-webhook', provider: provider.name });
  const applier = createPaymentCallbackApplier({ charging, provider: provider.name, logger: deps.logger });

  server.post(paymentWebhookPath(provider.name), readRawBody(64 * 1024), async (req, res) => {
    const raw = (req as RawBodyRequest).rawBody ?? Buffer.alloc(0);
    const callback = provider.verifyCallback(raw, req.headers, clock.now());
    if (callback.kind === 'invalid') {
      logger.warn('payment callback refused', { code: callback.code });
      const status = callback.code === 'PAYMENT.CALLBACK_MALFORMED' ? 400 : 401;
      sendError(res, status, callback.code, callback.message);
      return;
    }
    const result = await applier.apply(callback);
    sendJson(res, result.status, result.body);
  });
}
