/**
 * One-time codes (CONTRACTS.md 3.5): 6 digits, valid 5 minutes, 3 attempts, then a new code is needed.
 * Kept in the bot's `Storage` (so a restart keeps them) per channel user, as a salted hash only: the
 * plain code exists only in the SMS.
 */
import { createHash, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { Clock } from '../../charging/ports.js';
import type { CheckCodeOutcome, IdentityVerifier } from '../../dialogs/dialog-deps.js';
import type { SmsSender } from '../sms-sender.js';

export const CODE_TTL_MS = 5 * 60_000;
export const MAX_ATTEMPTS = 3;
/** At most this many codes per channel user per window, so the bot cannot be used to flood a phone. */
export const MAX_CODES_PER_WINDOW = 5;
export const CODE_WINDOW_MS = 60 * 60_000;

interface CodeRecord {
  msisdnHash: string;
  salt: string;
  codeHash: string;
  expiresAt: number;
  attempts: number;
  /** Send times within the rate window. */
  sentAt: number[];
  eTag?: string;
}

const sha256 = (...parts: string[]) => createHash('sha256').update(parts.join('\u0000')).digest('hex');

export class OneTimeCodes implements IdentityVerifier {
  constructor(
    private readonly storage: Storage,
    private readonly sms: SmsSender,
    private readonly clock: Clock,
  ) {}

  private key(requester: string): string {
    return `otp/${sha256(requester).slice(0, 32)}`;
  }

  private async load(requester: string): Promise<CodeRecord | undefined> {
    const key = this.key(requester);
    return (await this.storage.read([key]))[key] as CodeRecord | undefined;
  }

  private async save(requester: string, record: CodeRecord): Promise<void> {
    await this.storage.write({ [this.key(requester)]: { ...record, eTag: '*' } });
  }

  async sendCode(
    requester: string,
    msisdn: string,
    message: (code: string) => string,
  ): Promise<'sent' | 'rate_limited'> {
    const now = this.clock.now().getTime();
    const previous = await this.load(requester);
    const sentAt = (previous?.sentAt ?? []).filter((t) => now - t < CODE_WINDOW_MS);
    if (sentAt.length >= MAX_CODES_PER_WINDOW) return 'rate_limited';
    const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
    const salt = randomBytes(16).toString('hex');
    await this.save(requester, {
      msisdnHash: sha256(msisdn),
      salt,
      codeHash: sha256(salt, msisdn, code),
      expiresAt: now + CODE_TTL_MS,
      attempts: 0,
      sentAt: [...sentAt, now],
    });
    await this.sms.send(msisdn, message(code));
    return 'sent';
  }

  async checkCode(requester: string, msisdn: string, code: string): Promise<CheckCodeOutcome> {
    const record = await this.load(requester);
    if (!record || record.codeHash === '' || record.msisdnHash !== sha256(msisdn)) return { status: 'no_code' };
    if (record.attempts >= MAX_ATTEMPTS) return { status: 'too_many_attempts' };
    if (this.clock.now().getTime() > record.expiresAt) return { status: 'expired' };
    const expected = Buffer.from(record.codeHash, 'hex');
    const given = Buffer.from(sha256(record.salt, msisdn, code), 'hex');
    if (timingSafeEqual(expected, given)) {
      // Used once: the same code cannot verify again.
      await this.save(requester, { ...record, codeHash: '', attempts: 0 });
      return { status: 'verified' };
    }
    const attempts = record.attempts + 1;
    await this.save(requester, { ...record, attempts });
    return attempts >= MAX_ATTEMPTS
      ? { status: 'too_many_attempts' }
      : { status: 'wrong', attemptsLeft: MAX_ATTEMPTS - attempts };
  }
}
