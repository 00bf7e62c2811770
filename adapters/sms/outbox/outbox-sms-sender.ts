/**
 * `SMS_PROVIDER=outbox`: messages are not sent anywhere but stored in the bot's `Storage`, newest last, so a
 * tester or an operator's QA can read one-time codes at `GET /api/v1/outbox?msisdn=...` (admin token).
 */
import { randomUUID } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { Clock } from '../../../charging/ports.js';
import { systemClock } from '../../../charging/ports.js';
import type { SmsSender } from '../../../bot/sms-sender.js';

export interface OutboxMessage {
  id: string;
  to: string;
  text: string;
  sentAt: string;
}

/** Kept per number; older messages are dropped. */
const KEEP_PER_NUMBER = 20;

export class OutboxSmsSender implements SmsSender {
  /** Writes per number are chained so two quick sends never lose one another. */
  private readonly chains = new Map<string, Promise<void>>();

  constructor(
    private readonly storage: Storage,
    private readonly clock: Clock = systemClock,
  ) {}

  private key(msisdn: string): string {
    return `sms-outbox/${msisdn}`;
  }

  async send(msisdn: string, text: string): Promise<void> {
    const run = (this.chains.get(msisdn) ?? Promise.resolve()).then(async () => {
      const key = this.key(msisdn);
      const current = ((await this.storage.read([key]))[key] as { messages?: OutboxMessage[] } | undefined)?.messages;
      const message: OutboxMessage = { id: randomUUID(), to: msisdn, text, sentAt: this.clock.now().toISOString() };
      const messages = [...(current ?? []), message].slice(-KEEP_PER_NUMBER);
      await this.storage.write({ [key]: { messages, eTag: '*' } });
    });
    const settled = run.catch(() => undefined);
    this.chains.set(msisdn, settled);
    void settled.then(() => {
      if (this.chains.get(msisdn) === settled) this.chains.delete(msisdn);
    });
    await run;
  }

  /** Messages sent to `msisdn`, oldest first. */
  async list(msisdn: string): Promise<OutboxMessage[]> {
    const key = this.key(msisdn);
    return ((await this.storage.read([key]))[key] as { messages?: OutboxMessage[] } | undefined)?.messages ?? [];
  }
}
