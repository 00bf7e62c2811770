/** `GET /api/v1/outbox?msisdn=+E164`: the outbox's messages to one number, under the `ADMIN_TOKEN` bearer. */
import { timingSafeEqual } from 'node:crypto';
import type { Request, Response, Next, Server } from 'restify';
import { sendError, sendJson } from '../../../bot/http.js';
import type { OutboxSmsSender } from './outbox-sms-sender.js';

function bearerMatches(header: string | undefined, token: string | undefined): boolean {
  if (!token || !header?.startsWith('Bearer ')) return false;
  const given = Buffer.from(header.slice('Bearer '.length).trim());
  const expected = Buffer.from(token);
  return given.length === expected.length && timingSafeEqual(given, expected);
}

export function registerOutboxRoute(server: Server, deps: { outbox: OutboxSmsSender; adminToken?: string }): void {
  server.get('/api/v1/outbox', async (req: Request, res: Response, next: Next) => {
    // Without ADMIN_TOKEN configured, /api/v1/* answers 401 (CONTRACTS.md 2).
    if (!bearerMatches(req.headers.authorization, deps.adminToken)) {
      sendError(res, 401, 'AUTH.UNAUTHORIZED', 'a valid admin bearer token is required');
      return next(false);
    }
    const query = (req.query ?? {}) as Record<string, unknown>;
    const msisdn = typeof query.msisdn === 'string' ? query.msisdn.trim() : '';
    // A '+' in a query string decodes to a space when the caller did not encode it.
    const normalised = msisdn.startsWith('+') ? msisdn : `+${msisdn}`;
    if (!/^\+\d{8,15}$/.test(normalised)) {
      sendError(res, 400, 'REQUEST.INVALID', 'msisdn must be an E.164 number, e.g. +15550100001');
      return next(false);
    }
    sendJson(res, 200, { messages: await deps.outbox.list(normalised) });
    return next(false);
  });
}
