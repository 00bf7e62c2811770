/**
 * `Authorization: Bearer <ADMIN_TOKEN>` on every charging route. No token configured means no access at all
 * (every route 401), never an open API. The comparison hashes both sides first so `timingSafeEqual` compares
 * equal lengths and the time taken says nothing about the token's length or prefix.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { Next, Request, RequestHandler, Response } from 'restify';
import { ErrorCodes } from '../../charging/errors.js';
import { sendError } from '../../bot/http.js';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Pure check, `(expected, header)`: true only for `Bearer <expected>` with a configured, non-empty token. */
export function bearerMatches(expected: string | undefined, header: string | undefined): boolean {
  if (!expected) return false;
  const match = /^Bearer[ ]+(.+)$/i.exec(header ?? '');
  const presented = match?.[1]?.trim() ?? '';
  // Always run the comparison, even for a missing header, so every refusal costs the same.
  const same = timingSafeEqual(digest(presented), digest(expected));
  return same && presented.length > 0;
}

export function requireBearer(expected: string | undefined): RequestHandler {
  return (req: Request, res: Response, next: Next) => {
    if (bearerMatches(expected, req.headers.authorization)) return next();
    // The body is not read: drain it so the connection can be reused.
    req.resume();
    sendError(res, 401, ErrorCodes.UNAUTHORIZED, 'a valid bearer token is required', {
      'WWW-Authenticate': 'Bearer realm="charging"',
    });
    return next(false);
  };
}
