/**
 * What proactive care remembers, in botbuilder `Storage` (LowdbStorage at run time), so a replayed event or a
 * restart sends nothing twice and a deferred alert survives a restart:
 * - per subscriber (`care/subscriber/<hash>`): opted out or not, alerts sent on the current local day, the
 *   outcome of every event seen (kept 35 days), and the alerts waiting for the quiet hours to end;
 * - per subscriber (`care/channels/<hash>`): the channels they wrote from, and when (the last-used channel);
 * - one index (`care/deferred`): who has alerts waiting, and from when they may go.
 * Keys hash the MSISDN (no number in a key); callers serialise writes of one subscriber (one process owns them).
 */
import { createHash } from 'node:crypto';
import type { Storage } from 'botbuilder';
import type { ChargingEvent } from '../../charging/model.js';

export type CareOutcome =
  | 'sending'
  | 'sent'
  | 'deferred'
  | 'stale'
  | 'capped'
  | 'optedOut'
  | 'coalesced'
  | 'undelivered';

export interface DeferredAlert {
  event: ChargingEvent;
  /** ISO-8601: the end of the quiet hours it waits for. */
  notBefore: string;
}

export interface SubscriberCare {
  optedOut?: boolean;
  /** Local day (`YYYY-MM-DD`) `sentToday` counts for. */
  day?: string;
  sentToday: number;
  /** Local day a zero-rated alert was last sent (one a day: every WhatsApp session raises one). */
  zeroRatedDay?: string;
  /** Event id -> outcome and when it was decided. */
  events: Record<string, { outcome: CareOutcome; at: string }>;
  deferred: DeferredAlert[];
}

export interface ChannelUse {
  conversationKey: string;
  at: string;
}

export interface SubscriberChannels {
  byChannel: Record<string, ChannelUse>;
}

interface DeferredIndex {
  /** msisdn -> earliest `notBefore` of their waiting alerts. */
  due: Record<string, string>;
}

const EVENT_MEMORY_MS = 35 * 24 * 3600 * 1000;
const DEFERRED_KEY = 'care/deferred';
const hash = (msisdn: string) => createHash('sha256').update(msisdn).digest('hex').slice(0, 32);
const subscriberKey = (msisdn: string) => `care/subscriber/${hash(msisdn)}`;

function subscriberOf(item: unknown): SubscriberCare {
  if (!item) return { sentToday: 0, events: {}, deferred: [] };
  const { eTag: _eTag, ...doc } = item as SubscriberCare & { eTag?: string };
  doc.events ??= {};
  doc.deferred ??= [];
  doc.sentToday ??= 0;
  return doc;
}

function channelsOf(item: unknown): SubscriberChannels {
  return { byChannel: { ...((item as SubscriberChannels | undefined)?.byChannel ?? {}) } };
}

export class CareState {
  #index: Promise<DeferredIndex> | undefined;
  /** Last channel use written per subscriber, so a turn on the same channel costs no write. */
  readonly #channelWritten = new Map<string, string>();

  constructor(private readonly storage: Storage) {}

  async subscriber(msisdn: string): Promise<SubscriberCare> {
    const key = subscriberKey(msisdn);
    return subscriberOf((await this.storage.read([key]))[key]);
  }

  /** What an alert needs to know of a subscriber (their rules and their channels), in one storage read. */
  async load(msisdn: string): Promise<{ care: SubscriberCare; channels: SubscriberChannels }> {
    const h = hash(msisdn);
    const keys = [`care/subscriber/${h}`, `care/channels/${h}`];
    const items = await this.storage.read(keys);
    return { care: subscriberOf(items[keys[0]]), channels: channelsOf(items[keys[1]]) };
  }

  async saveSubscriber(msisdn: string, doc: SubscriberCare, now: Date): Promise<void> {
    const cutoff = now.getTime() - EVENT_MEMORY_MS;
    for (const [id, seen] of Object.entries(doc.events)) {
      if (Date.parse(seen.at) < cutoff && seen.outcome !== 'deferred') delete doc.events[id];
    }
    await this.storage.write({ [subscriberKey(msisdn)]: { ...doc, eTag: '*' } });
  }

  async channels(msisdn: string): Promise<SubscriberChannels> {
    const key = `care/channels/${hash(msisdn)}`;
    return channelsOf((await this.storage.read([key]))[key]);
  }

  /** Records that `msisdn` just wrote on `channelId` in conversation `conversationKey`. */
  async rememberChannel(msisdn: string, channelId: string, conversationKey: string, now: Date): Promise<void> {
    const memo = `${channelId}|${conversationKey}`;
    // Only a switch of channel or conversation changes which one is "last used"; the same one again costs nothing.
    if (this.#channelWritten.get(msisdn) === memo) return;
    const doc = await this.channels(msisdn);
    doc.byChannel[channelId] = { conversationKey, at: now.toISOString() };
    await this.storage.write({ [`care/channels/${hash(msisdn)}`]: { ...doc, eTag: '*' } });
    this.#channelWritten.set(msisdn, memo);
  }

  async #loadIndex(): Promise<DeferredIndex> {
    this.#index ??= this.storage
      .read([DEFERRED_KEY])
      .then((items) => ({ due: { ...((items[DEFERRED_KEY] as DeferredIndex | undefined)?.due ?? {}) } }));
    return this.#index;
  }

  /**
   * Sets (or with `undefined` clears) when `msisdn`'s waiting alerts may go. The index lives in memory and every
   * write stores a snapshot taken synchronously, so concurrent calls cannot lose each other's change.
   */
  async setDue(msisdn: string, notBefore: string | undefined): Promise<void> {
    const index = await this.#loadIndex();
    if (notBefore === undefined) {
      if (!(msisdn in index.due)) return;
      delete index.due[msisdn];
    } else {
      if (index.due[msisdn] === notBefore) return;
      index.due[msisdn] = notBefore;
    }
    await this.storage.write({ [DEFERRED_KEY]: { due: { ...index.due }, eTag: '*' } });
  }

  /** Subscribers with alerts that may go at `now`. */
  async dueAt(now: Date): Promise<string[]> {
    const index = await this.#loadIndex();
    const t = now.getTime();
    return Object.entries(index.due)
      .filter(([, at]) => Date.parse(at) <= t)
      .map(([msisdn]) => msisdn);
  }
}
