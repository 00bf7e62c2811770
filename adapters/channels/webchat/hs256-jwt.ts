/**
 * Compact JWS (JWT) with HS256 only, on node:crypto. Used for the operator's signed identity (CONTRACTS.md 3.3)
 * and for our own Direct Line tokens. Written here rather than taken from a library so the rules are explicit:
 * the header's `alg` must be exactly `HS256` (no `none`, no algorithm confusion), the signature is compared in
 * constant time, and `exp` (seconds since the epoch) is required and checked against the injected clock.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

export type JwtFailure = 'JWT.MALFORMED' | 'JWT.BAD_ALGORITHM' | 'JWT.BAD_SIGNATURE' | 'JWT.NO_EXPIRY' | 'JWT.EXPIRED';

export type JwtResult = { ok: true; claims: Record<string, unknown> } | { ok: false; code: JwtFailure };

function base64url(input: Buffer | string): string {
  return Buffer.from(input).toString('base64url');
}

function hmac(secret: string | Buffer, signingInput: string): Buffer {
  return createHmac('sha256', secret).update(signingInput).digest();
}

/** Signs `claims` as an HS256 JWT. The caller sets `exp` (and anything else) in the claims. */
export function signHs256(secret: string | Buffer, claims: Record<string, unknown>): string {
  const signingInput = `${base64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }))}.${base64url(JSON.stringify(claims))}`;
  return `${signingInput}.${base64url(hmac(secret, signingInput))}`;
}

function parseJsonPart(part: string): Record<string, unknown> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(part)) return undefined;
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    return typeof value === 'object' && value !== null && !Array.isArray(value)
      ? (value as Record<string, unknown>)
      : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Verifies an HS256 JWT: structure, `alg`, signature (constant time), then `exp` (required) and `nbf` (if any)
 * against `nowMs`. The claims are returned only when everything holds.
 */
export function verifyHs256(secret: string | Buffer, token: string, nowMs: number): JwtResult {
  if (typeof token !== 'string' || token.length > 8192) return { ok: false, code: 'JWT.MALFORMED' };
  const parts = token.split('.');
  if (parts.length !== 3) return { ok: false, code: 'JWT.MALFORMED' };
  const [headerPart, payloadPart, signaturePart] = parts as [string, string, string];
  const header = parseJsonPart(headerPart);
  if (!header) return { ok: false, code: 'JWT.MALFORMED' };
  if (header.alg !== 'HS256') return { ok: false, code: 'JWT.BAD_ALGORITHM' };
  if (!/^[A-Za-z0-9_-]+$/.test(signaturePart)) return { ok: false, code: 'JWT.MALFORMED' };
  const expected = hmac(secret, `${headerPart}.${payloadPart}`);
  const given = Buffer.from(signaturePart, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, code: 'JWT.BAD_SIGNATURE' };
  }
  const claims = parseJsonPart(payloadPart);
  if (!claims) return { ok: false, code: 'JWT.MALFORMED' };
  if (typeof claims.exp !== 'number' || !Number.isFinite(claims.exp)) return { ok: false, code: 'JWT.NO_EXPIRY' };
  const nowSeconds = nowMs / 1000;
  if (claims.exp <= nowSeconds) return { ok: false, code: 'JWT.EXPIRED' };
  if (typeof claims.nbf === 'number' && claims.nbf > nowSeconds) return { ok: false, code: 'JWT.EXPIRED' };
  return { ok: true, claims };
}
