/**
 * Small HTTP helpers shared by every route on the one restify server.
 * Webhook signatures (Meta, Slack) are computed over the raw bytes, so bodies are read here once, kept as
 * `req.rawBody` (a Buffer), and parsed by content type. Errors are JSON `{code, message}` with stable codes.
 */
import type { Request, Response, Next, RequestHandler } from 'restify';

export interface RawBodyRequest extends Request {
  rawBody?: Buffer;
}

export function sendError(
  res: Response,
  status: number,
  code: string,
  message: string,
  headers: Record<string, string> = {},
): void {
  const body = JSON.stringify({ code, message });
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

export function sendJson(res: Response, status: number, value: unknown, headers: Record<string, string> = {}): void {
  const body = JSON.stringify(value);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(body),
    ...headers,
  });
  res.end(body);
}

/** Reads the whole body (up to `maxBytes`) into `req.rawBody`. Over the limit: 413 `REQUEST.TOO_LARGE`. */
export function readRawBody(maxBytes: number): RequestHandler {
  return (req: Request, res: Response, next: Next) => {
    const r = req as RawBodyRequest;
    if (r.rawBody) return next();
    const declared = Number(req.headers['content-length'] ?? 0);
    if (declared > maxBytes) {
      sendError(res, 413, 'REQUEST.TOO_LARGE', `body larger than ${maxBytes} bytes`, { Connection: 'close' });
      req.resume();
      return next(false);
    }
    const chunks: Buffer[] = [];
    let size = 0;
    let done = false;
    req.on('data', (chunk: Buffer) => {
      if (done) return;
      size += chunk.length;
      if (size > maxBytes) {
        done = true;
        sendError(res, 413, 'REQUEST.TOO_LARGE', `body larger than ${maxBytes} bytes`, { Connection: 'close' });
        req.resume();
        next(false);
        return;
      }
      chunks.push(chunk);
    });
    req.on('end', () => {
      if (done) return;
      done = true;
      r.rawBody = Buffer.concat(chunks);
      next();
    });
    req.on('error', (err) => {
      if (done) return;
      done = true;
      next(err);
    });
  };
}

/**
 * Reads and parses a JSON body into `req.body` (an empty body becomes `{}`).
 * Malformed JSON: 400 `REQUEST.MALFORMED_JSON`; not an object when `requireObject`: 400 `REQUEST.INVALID`.
 */
export function jsonBody(maxBytes = 64 * 1024, requireObject = true): RequestHandler[] {
  return [
    readRawBody(maxBytes),
    (req: Request, res: Response, next: Next) => {
      const raw = (req as RawBodyRequest).rawBody ?? Buffer.alloc(0);
      if (raw.length === 0) {
        req.body = {};
        return next();
      }
      try {
        req.body = JSON.parse(raw.toString('utf8'));
      } catch {
        sendError(res, 400, 'REQUEST.MALFORMED_JSON', 'the body is not valid JSON');
        return next(false);
      }
      if (requireObject && (typeof req.body !== 'object' || req.body === null || Array.isArray(req.body))) {
        sendError(res, 400, 'REQUEST.INVALID', 'the body must be a JSON object');
        return next(false);
      }
      next();
    },
  ];
}

/** Parses an `application/x-www-form-urlencoded` body into `req.body` (Slack interactivity). */
export function formBody(maxBytes = 64 * 1024): RequestHandler[] {
  return [
    readRawBody(maxBytes),
    (req: Request, _res: Response, next: Next) => {
      const raw = (req as RawBodyRequest).rawBody ?? Buffer.alloc(0);
      req.body = Object.fromEntries(new URLSearchParams(raw.toString('utf8')));
      next();
    },
  ];
}
