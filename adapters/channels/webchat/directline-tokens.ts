/**
 * Our Direct Line tokens: HS256 JWTs signed with the install's token secret.
 *
 * - A *visitor token* (from `POST /api/webchat/token`) names a user and a grant, not a conversation: it can
 *   start conversations (`POST /conversations`, `POST /tokens/generate`), up to a limit per grant.
 * - A *conversation token* also carries `conv`: it can only read and write that one conversation.
 *
 * The claim `user` is deliberate: Web Chat decodes the token (without verifying it) and uses `user` as the
 * visitor's user id (botframework-webchat-core connectSaga `rectifyUserID`), so the ids Web Chat puts in `from`
 * match ours. A verified MSISDN is never readable in the token: it travels AES-256-GCM encrypted (`idn`), because
 * tokens sit in browser storage and in stream URLs.
 */
import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { signHs256, verifyHs256 } from './hs256-jwt.js';
import { isE164 } from './visitor-identity.js';

export interface DirectLineClaims {
  /** The visitor's user id (Web Chat reads it). */
  user: string;
  /** The grant: the visitor token this token descends from; conversation limits count per grant. */
  grant: string;
  /** The one conversation this token may use; absent on visitor tokens. */
  conv?: string;
  /** Verified MSISDN, when the visitor token was issued for a signed identity. */
  msisdn?: string;
  /** Expiry, seconds since the epoch. */
  exp: number;
}

export type TokenFailure = 'TOKEN.INVALID' | 'TOKEN.EXPIRED';
export type TokenResult = { ok: true; claims: DirectLineClaims } | { ok: false; code: TokenFailure };

const AUDIENCE = 'directline';
/** Verified tokens remembered (a few hundred bytes each). */
const VERIFIED_CACHE_SIZE = 10_000;

export class DirectLineTokens {
  readonly #signingKey: Buffer;
  readonly #encryptionKey: Buffer;
  /** Tokens already verified, oldest first, with their claims. */
  readonly #verified = new Map<string, Readonly<DirectLineClaims>>();

  constructor(
    secret: string,
    readonly ttlSeconds: number,
  ) {
    // Two keys derived from one secret, so a signing key never doubles as an encryption key.
    this.#signingKey = createHmac('sha256', secret).update('directline-token-signing').digest();
    this.#encryptionKey = createHmac('sha256', secret).update('directline-identity-encryption').digest();
  }

  /** Issues a token for `claims` (without `exp`), valid `ttlSeconds` from `nowMs`. */
  issue(claims: Omit<DirectLineClaims, 'exp'>, nowMs: number): { token: string; expiresIn: number } {
    const iat = Math.floor(nowMs / 1000);
    const payload: Record<string, unknown> = {
      aud: AUDIENCE,
      user: claims.user,
      grant: claims.grant,
      iat,
      exp: iat + this.ttlSeconds,
    };
    if (claims.conv) payload.conv = claims.conv;
    if (claims.msisdn) payload.idn = this.#encrypt(claims.msisdn);
    return { token: signHs256(this.#signingKey, payload), expiresIn: this.ttlSeconds };
  }

  verify(token: string, nowMs: number): TokenResult {
    // A conversation presents the same token on every request: its checked claims are remembered (the signature
    // check, JSON and identity decryption are done once); expiry is checked on every use.
    const known = this.#verified.get(token);
    if (known) {
      if (known.exp > Math.floor(nowMs / 1000)) return { ok: true, claims: known };
      this.#verified.delete(token);
      return { ok: false, code: 'TOKEN.EXPIRED' };
    }
    const checked = this.#verify(token, nowMs);
    if (checked.ok) {
      if (this.#verified.size >= VERIFIED_CACHE_SIZE) {
        const oldest = this.#verified.keys().next().value;
        if (oldest !== undefined) this.#verified.delete(oldest);
      }
      this.#verified.set(token, Object.freeze(checked.claims));
    }
    return checked;
  }

  #verify(token: string, nowMs: number): TokenResult {
    const result = verifyHs256(this.#signingKey, token, nowMs);
    if (!result.ok) return { ok: false, code: result.code === 'JWT.EXPIRED' ? 'TOKEN.EXPIRED' : 'TOKEN.INVALID' };
    const c = result.claims;
    if (c.aud !== AUDIENCE || typeof c.user !== 'string' || typeof c.grant !== 'string') {
      return { ok: false, code: 'TOKEN.INVALID' };
    }
    if (c.conv !== undefined && typeof c.conv !== 'string') return { ok: false, code: 'TOKEN.INVALID' };
    let msisdn: string | undefined;
    if (c.idn !== undefined) {
      msisdn = typeof c.idn === 'string' ? this.#decrypt(c.idn) : undefined;
      if (!isE164(msisdn)) return { ok: false, code: 'TOKEN.INVALID' };
    }
    return {
      ok: true,
      claims: { user: c.user, grant: c.grant, conv: c.conv, msisdn, exp: c.exp as number },
    };
  }

  #encrypt(plain: string): string {
    const iv = randomBytes(12);
    const cipher = createCipheriv('aes-256-gcm', this.#encryptionKey, iv);
    const body = Buffer.concat([cipher.update(plain, 'utf8'), cipher.final()]);
    return Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64url');
  }

  #decrypt(sealed: string): string | undefined {
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 29) return undefined;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.#encryptionKey, raw.subarray(0, 12));
      decipher.setAuthTag(raw.subarray(12, 28));
      return Buffer.concat([decipher.update(raw.subarray(28)), decipher.final()]).toString('utf8');
    } catch {
      return undefined;
    }
  }
}

/** A random id for users, grants and conversations (URL-safe, unguessable). */
export function randomId(prefix: string): string {
  return `${prefix}${randomBytes(12).toString('base64url')}`;
}
