/** `GET /api/v1/outbox?msisdn=+E164`: the outbox's messages to one number, under the `ADMIN_TOKEN` bearer. */
import type { Next, Request, Response, Server } from 'restify';
import { sendError, sendJson } from '../../../bot/http.js';
import { requireBearer } from '../../charging-http/bearer-auth.js';
import type { OutboxSmsSender } from './outbox-sms-sender.js';

export function registerOutboxRoute(server: Server, deps: { outbox: OutboxSmsSender; adminToken?: string }): void {
  // Without ADMIN_TOKEN configured, /api/v1/* answers 401 (CONTRACTS.md 2).
  server.get('/api/v1/outbox', requireBearer(deps.adminToken), (req: Request, res: Response, next: Next) => {
    const query = (req.query ?? {}) as Record<string, unknown>;
    const msisdn = typeof query.msisdn === 'string' ? query.msisdn.trim() : '';
    // A '+' in a query string decodes to a space when the caller did not encode it.
    const normalised = msisdn.startsWith('+') ? msisdn : `+${msisdn}`;
    if (!/^\+\d{8,15}$/.test(normalised)) {
      sendError(res, 400, 'REQUEST.INVALID', 'msisdn must be an E.164 number, e.g. +15550100001');
      return next(false);
    }
    // restify rejects async handlers that also take `next`: settle the promise here instead.
    deps.outbox.list(normalised).then(
      (messages) => {
        sendJson(res, 200, { messages });
        next(false);
      },
      (error: unknown) => next(error instanceof Error ? error : new Error(String(error))),
    );
  });
}
