/**
 * What the WhatsApp Cloud API and Messenger webhooks share (both are Meta Graph webhooks, protocols.md 1.1,
 * 1.2, 3.1): the verification handshake, the `X-Hub-Signature-256` check over the raw request bytes, and
 * mounting both on one path.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Next, Request, RequestHandler, Response, Server } from 'restify';
import { type RawBodyRequest, readRawBody, sendError } from '../../../bot/http.js';
import type { Logger } from '../../../bot/logger.js';

/**
 * True when `header` is `sha256=<hex HMAC-SHA256 of rawBody with secret>`. Meta signs the bytes exactly as
 * sent (already unicode-escaped), so the HMAC is over the raw body, never re-serialised JSON.
 */
export function verifyMetaSignature(secret: string, rawBody: Buffer, header: string | undefined): boolean {
  if (!secret || !header?.startsWith('sha256=')) return false;
  const given = Buffer.from(header.slice('sha256='.length).trim().toLowerCase(), 'utf8');
  const expected = Buffer.from(createHmac('sha256', secret).update(rawBody).digest('hex'), 'utf8');
  return given.length === expected.length && timingSafeEqual(given, expected);
}

/** `GET` handler of Meta's handshake: echoes `hub.challenge` as text/plain for the right token, else 403. */
export function metaVerificationHandler(verifyToken: string): RequestHandler {
  return (req: Request, res: Response, next: Next) => {
    const q = (req.query ?? {}) as Record<string, string | string[] | undefined>;
    const one = (k: string) => (Array.isArray(q[k]) ? q[k][0] : q[k]);
    const token = one('hub.verify_token') ?? '';
    const tokenOk =
      token.length === verifyToken.length && timingSafeEqual(Buffer.from(token), Buffer.from(verifyToken));
    if (one('hub.mode') === 'subscribe' && tokenOk && one('hub.challenge') !== undefined) {
      const body = String(one('hub.challenge'));
      res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': Buffer.byteLength(body) });
      res.end(body);
    } else {
      sendError(res, 403, 'WEBHOOK.VERIFY_TOKEN_MISMATCH', 'verification failed');
    }
    next(false);
  };
}

/**
 * `POST` handler: checks the signature (missing or wrong: 401, nothing processed), parses the JSON, answers
 * 200 at once and hands the payload to `process` afterwards (Meta wants a fast 200 and redelivers otherwise).
 */
export function metaWebhookHandler(appSecret: string, process: (payload: unknown) => void): RequestHandler {
  return (req: Request, res: Response, next: Next) => {
    const raw = (req as RawBodyRequest).rawBody ?? Buffer.alloc(0);
    const header = req.headers['x-hub-signature-256'];
    if (!verifyMetaSignature(appSecret, raw, Array.isArray(header) ? header[0] : header)) {
      sendError(res, 401, 'WEBHOOK.BAD_SIGNATURE', 'missing or invalid X-Hub-Signature-256');
      return next(false);
    }
    let payload: unknown;
    try {
      payload = JSON.parse(raw.toString('utf8'));
    } catch {
      sendError(res, 400, 'REQUEST.MALFORMED_JSON', 'the body is not valid JSON');
      return next(false);
    }
    res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8', 'Content-Length': 14 });
    res.end('EVENT_RECEIVED');
    next(false);
    setImmediate(() => process(payload));
  };
}

/** Webhook bodies are small; a whole batch from Meta stays far below this. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

/** One Meta webhook route: `GET path` answers the handshake, `POST path` takes signed payloads. */
export interface MetaWebhookRoute {
  /** `/webhooks/whatsapp` or `/webhooks/messenger` (CONTRACTS.md 3.2). */
  path: string;
  /** The channel's app secret (signature check) and verify token (handshake). */
  secrets: { appSecret: string; verifyToken: string };
  /** Names the channel in the failure log line (`<channel> webhook processing failed`). */
  channel: string;
  logger: Logger;
  /** Handles one verified payload; runs after the 200 went out, so a failure can only be logged. */
  process(payload: unknown): Promise<void>;
}

/** Mounts the handshake and the signed-payload handler of one Meta webhook on the server. */
export function mountMetaWebhook(server: Server, route: MetaWebhookRoute): void {
  server.get(route.path, metaVerificationHandler(route.secrets.verifyToken));
  server.post(
    route.path,
    readRawBody(MAX_WEBHOOK_BYTES),
    metaWebhookHandler(route.secrets.appSecret, (payload) => {
      route.process(payload).catch((error: unknown) => {
        route.logger.error(`${route.channel} webhook processing failed`, {
          error: error instanceof Error ? error : String(error),
        });
      });
    }),
  );
}
