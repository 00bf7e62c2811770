/**
 * The signed visitor identity of CONTRACTS.md 3.3: the operator's site, where the visitor is logged in, signs
 * `{ sub: '+E164', exp }` as an HS256 JWT with WEBCHAT_IDENTITY_SECRET and hands it to the page, which passes it
 * to `POST /api/webchat/token`. A valid identity makes the visitor a verified subscriber without a code.
 */
import { signHs256, verifyHs256 } from './hs256-jwt.js';

export type IdentityFailure = 'WEBCHAT.IDENTITY_INVALID' | 'WEBCHAT.IDENTITY_EXPIRED';

export type IdentityResult = { ok: true; msisdn: string } | { ok: false; code: IdentityFailure; message: string };

const E164 = /^\+[1-9]\d{6,14}$/;

export function isE164(value: unknown): value is string {
  return typeof value === 'string' && E164.test(value);
}

/** Verifies an identity JWT; the MSISDN comes only from a valid, unexpired token whose `sub` is E.164. */
export function verifyVisitorIdentity(secret: string, jwt: string, nowMs: number): IdentityResult {
  const result = verifyHs256(secret, jwt, nowMs);
  if (!result.ok) {
    return result.code === 'JWT.EXPIRED'
      ? { ok: false, code: 'WEBCHAT.IDENTITY_EXPIRED', message: 'the identity token has expired' }
      : { ok: false, code: 'WEBCHAT.IDENTITY_INVALID', message: 'the identity token is not valid' };
  }
  if (!isE164(result.claims.sub)) {
    return { ok: false, code: 'WEBCHAT.IDENTITY_INVALID', message: 'the identity subject must be an E.164 MSISDN' };
  }
  return { ok: true, msisdn: result.claims.sub };
}

/** What the operator's server does (and the demo route, and tests): sign an identity valid for `ttlSeconds`. */
export function signVisitorIdentity(secret: string, msisdn: string, nowMs: number, ttlSeconds = 300): string {
  const iat = Math.floor(nowMs / 1000);
  return signHs256(secret, { sub: msisdn, iat, exp: iat + ttlSeconds });
}
