/**
 * What the WhatsApp Cloud API and Messenger webhooks share (both are Meta Graph webhooks, protocols.md 1.1,
 * 1.2, 3.1): the verification handshake and the `X-Hub-Signature-256` check over the raw request bytes.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Next, Request, RequestHandler, Response } from 'restify';
import { type RawBodyRequest, sendError } from '../../../bot/http.js';

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
