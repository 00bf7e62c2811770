/**
 * Per-subscriber channel state kept in botbuilder `Storage` (so it survives a restart): the message ids
 * already handled (dedup, bounded), the last inbound time (the 24-hour customer-service window), the choices
 * last offered (numbered replies and long ids map back to values) and recent outbound idempotency keys.
 * One document per user per channel; every read-modify-write is serialised per user.
 */
import type { Storage } from 'botbuilder';
import type { Choice } from '../render/neutral-message.js';

export interface ChannelUserState {
  lastInboundAt?: number;
  /** `[messageId, handledAt]`, newest last. */
  handled: [string, number][];
  offered?: { choices: Choice[]; numbered: boolean; at: number };
  /** `[outboundKey, channelMessageId]`, newest last. */
  sent: [string, string][];
}

/** Meta redelivers for up to 7 days; ids are kept a little longer, and at most this many per user. */
const HANDLED_MAX = 200;
const HANDLED_TTL_MS = 8 * 24 * 3600 * 1000;
const SENT_MAX = 50;

function empty(): ChannelUserState {
  return { handled: [], sent: [] };
}

export class ChannelUserStateStore {
  private readonly locks = new Map<string, Promise<unknown>>();

  constructor(
    private readonly storage: Storage,
    private readonly channel: string,
  ) {}

  private key(userId: string): string {
    return `${this.channel}/channel-users/${encodeURIComponent(userId)}`;
  }

  async get(userId: string): Promise<ChannelUserState> {
    const key = this.key(userId);
    const items = await this.storage.read([key]);
    const stored = items[key] as Partial<ChannelUserState> | undefined;
    return { ...empty(), ...stored, handled: stored?.handled ?? [], sent: stored?.sent ?? [] };
  }

  /** Applies `change` to the user's state under a per-user lock and persists it; returns `change`'s result. */
  update<T>(userId: string, change: (state: ChannelUserState) => T): Promise<T> {
    const key = this.key(userId);
    const prev = this.locks.get(key) ?? Promise.resolve();
    const next = prev
      .catch(() => undefined)
      .then(async () => {
        const state = await this.get(userId);
        const result = change(state);
        await this.storage.write({ [key]: { ...state, eTag: '*' } });
        return result;
      });
    this.locks.set(key, next);
    void next
      .finally(() => {
        if (this.locks.get(key) === next) this.locks.delete(key);
      })
      .catch(() => undefined);
    return next;
  }

  /**
   * Records an inbound message: false when its id was already handled (a duplicate), else true, with the
   * window reopened at `now`.
   */
  claimInbound(userId: string, messageId: string, now: number): Promise<boolean> {
    return this.update(userId, (s) => {
      if (s.handled.some(([id]) => id === messageId)) return false;
      const kept = s.handled.filter(([, at]) => now - at < HANDLED_TTL_MS);
      s.handled = [...kept, [messageId, now] as [string, number]].slice(-HANDLED_MAX);
      s.lastInboundAt = Math.max(s.lastInboundAt ?? 0, now);
      return true;
    });
  }

  rememberOffered(userId: string, choices: Choice[], numbered: boolean, now: number): Promise<void> {
    return this.update(userId, (s) => {
      s.offered = choices.length ? { choices, numbered, at: now } : undefined;
    });
  }

  rememberSent(userId: string, key: string, messageId: string): Promise<void> {
    return this.update(userId, (s) => {
      s.sent = [...s.sent.filter(([k]) => k !== key), [key, messageId] as [string, string]].slice(-SENT_MAX);
    });
  }
}
