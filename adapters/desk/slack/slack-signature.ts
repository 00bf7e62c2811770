/**
 * Slack request signing (https://api.slack.com/authentication/verifying-requests-from-slack), as Bolt's
 * `verify-request.ts` does it: `v0=` + hex HMAC-SHA256 of `v0:<timestamp>:<raw body>` with the signing secret.
 * Quirk kept from Slack's reference verifier (not Bolt's): timestamps more than 5 minutes in the future are
 * rejected too, so a captured request cannot be replayed later by pre-dating it.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** Slack's allowed clock skew between its timestamp and ours. */
export const SLACK_MAX_SKEW_SECONDS = 5 * 60;

export function computeSlackSignature(secret: string, rawBody: string | Buffer, timestamp: string | number): string {
  const hmac = createHmac('sha256', secret);
  hmac.update(`v0:${timestamp}:`);
  hmac.update(rawBody);
  return `v0=${hmac.digest('hex')}`;
}

/** Pure check of one request: true only for a fresh timestamp and a matching `v0` signature. */
export function verifySlackSignature(
  secret: string,
  rawBody: string | Buffer,
  timestampHeader: string | undefined,
  signatureHeader: string | undefined,
  nowSeconds: number,
): boolean {
  if (!secret || !timestampHeader || !signatureHeader) return false;
  if (!/^\d{1,12}$/.test(timestampHeader)) return false;
  if (Math.abs(nowSeconds - Number(timestampHeader)) > SLACK_MAX_SKEW_SECONDS) return false;
  const expected = Buffer.from(computeSlackSignature(secret, rawBody, timestampHeader));
  const given = Buffer.from(signatureHeader);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
