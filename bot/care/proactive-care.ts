/**
 * Proactive care: the bot speaks first when it matters. Listens to the charging core's events (low balance,
 * bundle used up or expiring, bill due soon or overdue, zero-rated use, a usage pattern that will run out) and
 * tells the subscriber on their last-used channel, with the one-tap next step as a suggested action.
 *
 * Rules, in this order, per event:
 * 1. once per event id: the outcome of every event is kept in `Storage` (care-state.ts), so a replayed event or
 *    a restart sends nothing twice (the channel adapters' `idempotencyKey` guards the send itself too);
 * 2. nothing to a subscriber who said "stop alerts" (until "start alerts");
 * 3. nothing stale (older than `staleAfterHours`, a bill already paid, a bundle already ended);
 * 4. quiet hours in the subscriber's time zone: the alert waits (persisted) until they end, then goes through
 *    these rules again;
 * 5. at most `maxPerDay` per subscriber per local day (over it: dropped), one zero-rated note a day;
 * 6. WhatsApp outside the 24-hour window: the approved template for the event type (the adapter sends it).
 *
 * Alerts are background work: at most `concurrency` at once, and while the bot is answering a customer a new
 * alert waits (up to `maxYieldMs`) so that a burst of events never slows the bot's own replies.
 */
import type { Activity, ConversationReference, Storage } from 'botbuilder';
import type { Catalog, ChargingEvent, Subscriber } from '../../charging/model.js';
import { type ChargingService, type Clock, systemClock } from '../../charging/ports.js';
import type { AlertSettings } from '../config.js';
import type { ConversationReferenceStore } from '../conversation-references.js';
import type { Logger } from '../logger.js';
import type { ProactiveChannel } from '../payments/payment-notifier.js';
import { TurnQueue } from '../turn-queue.js';
import { CARE_EVENT_TYPES, type CareMessage, careLocaleOf, careMessage } from './care-messages.js';
import { type CareOutcome, CareState, type SubscriberCare } from './care-state.js';
import { isQuiet, localDay, quietEndsAt, zoneOr } from './quiet-hours.js';

export type HandleOutcome = Exclude<CareOutcome, 'sending'> | 'duplicate' | 'ignored' | 'no_subscriber';

export interface ProactiveCareDeps {
  charging: ChargingService;
  storage: Storage;
  references: ConversationReferenceStore;
  /** The adapter serving a channel id, if that channel is enabled. */
  channelFor: (channelId: string) => ProactiveChannel | undefined;
  /** `MicrosoftAppId` (empty in local mode). */
  botAppId: string;
  settings: AlertSettings;
  logger: Logger;
  clock?: Clock;
  /** Alerts prepared and sent at once. Default 2: alerts are background work and must leave the bot room to answer. */
  concurrency?: number;
  /** Longest a waiting alert gives way to the bot's own turns. Default 250 ms. */
  maxYieldMs?: number;
  /** How often alerts held by quiet hours are looked at. Default 60 s. */
  flushIntervalMs?: number;
}

const CATALOG_TTL_MS = 10 * 60_000;

/**
 * A pattern raised with so little left that the same debit raised "balance low" (the core's threshold: 10% of
 * the allowance): one message about it is enough.
 */
function isAlreadyLow(event: ChargingEvent): boolean {
  const { remaining, initial } = event.data;
  return (
    typeof remaining === 'number' && typeof initial === 'number' && remaining <= Math.max(1, Math.ceil(initial * 0.1))
  );
}

export class ProactiveCare {
  readonly state: CareState;
  readonly #deps: ProactiveCareDeps;
  readonly #log: Logger;
  readonly #clock: Clock;
  readonly #perSubscriber = new TurnQueue();
  readonly #concurrency: number;
  readonly #maxYieldMs: number;
  #queue: (ChargingEvent | undefined)[] = [];
  #head = 0;
  #workers = 0;
  #activeTurns = 0;
  #turnWaiters: (() => void)[] = [];
  #idleWaiters: (() => void)[] = [];
  #flushing: Promise<number> | undefined;
  #catalog: { value: Catalog; at: number } | undefined;

  constructor(deps: ProactiveCareDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'care' });
    this.#clock = deps.clock ?? systemClock;
    this.state = new CareState(deps.storage);
    this.#concurrency = Math.max(1, deps.concurrency ?? 2);
    this.#maxYieldMs = deps.maxYieldMs ?? 250;
  }

  /** Subscribes to the core's events and looks at deferred alerts every `flushIntervalMs`; returns the stop. */
  start(): () => void {
    const unsubscribe = this.#deps.charging.onEvent((event) => this.enqueue(event));
    const timer = setInterval(() => {
      this.flushDue().catch((error: unknown) => this.#log.error('care: deferred alerts failed', { error }));
    }, this.#deps.flushIntervalMs ?? 60_000);
    timer.unref();
    // Alerts deferred before a restart go as soon as their quiet hours are over.
    void this.flushDue().catch((error: unknown) => this.#log.error('care: deferred alerts failed', { error }));
    return () => {
      unsubscribe();
      clearInterval(timer);
    };
  }

  /** Queues an event (cheap: the listener of the core's emit must not block the mutation that raised it). */
  enqueue(event: ChargingEvent): void {
    if (!CARE_EVENT_TYPES.includes(event.type)) return;
    this.#queue.push(event);
    while (this.#workers < this.#concurrency && this.#head < this.#queue.length) {
      this.#workers++;
      void this.#work();
    }
  }

  /** Resolves when every queued event has been handled (tests, shutdown, benchmarks). */
  async idle(): Promise<void> {
    while (this.#workers > 0 || this.#head < this.#queue.length || this.#flushing) {
      if (this.#flushing) await this.#flushing.catch(() => 0);
      else await new Promise<void>((resolve) => this.#idleWaiters.push(resolve));
    }
  }

  /** Events waiting to be handled. */
  get backlog(): number {
    return this.#queue.length - this.#head;
  }

  /** The bot started answering a customer: alerts give way until it is done. */
  turnStarted(): void {
    this.#activeTurns++;
  }

  turnEnded(): void {
    this.#activeTurns = Math.max(0, this.#activeTurns - 1);
    if (this.#activeTurns === 0) for (const wake of this.#turnWaiters.splice(0)) wake();
  }

  /** "stop alerts" / "start alerts": recorded for the subscriber, on every channel. */
  async setOptIn(msisdn: string, optIn: boolean): Promise<void> {
    await this.#perSubscriber.run(msisdn, async () => {
      const doc = await this.state.subscriber(msisdn);
      if (doc.optedOut === !optIn) return;
      doc.optedOut = !optIn;
      await this.state.saveSubscriber(msisdn, doc, this.#clock.now());
    });
    this.#log.info(optIn ? 'care: alerts started by the customer' : 'care: alerts stopped by the customer');
  }

  async isOptedOut(msisdn: string): Promise<boolean> {
    return (await this.state.subscriber(msisdn)).optedOut === true;
  }

  /** Handles one event now (the queue calls this); safe to call with the same event any number of times. */
  async handle(event: ChargingEvent): Promise<HandleOutcome> {
    if (!CARE_EVENT_TYPES.includes(event.type)) return 'ignored';
    let outcome: HandleOutcome = 'ignored';
    await this.#perSubscriber.run(event.msisdn, async () => {
      outcome = await this.#decide(event, false);
    });
    return outcome;
  }

  /** Sends the deferred alerts whose quiet hours are over; resolves with how many subscribers were looked at. */
  flushDue(): Promise<number> {
    this.#flushing ??= this.#flush().finally(() => {
      this.#flushing = undefined;
      for (const wake of this.#idleWaiters.splice(0)) wake();
    });
    return this.#flushing;
  }

  async #flush(): Promise<number> {
    const due = await this.state.dueAt(this.#clock.now());
    for (const msisdn of due) {
      await this.#yieldToTurns();
      await this.#perSubscriber.run(msisdn, async () => {
        const now = this.#clock.now();
        const doc = await this.state.subscriber(msisdn);
        for (const waiting of doc.deferred.filter((d) => Date.parse(d.notBefore) <= now.getTime())) {
          const outcome = await this.#decide(waiting.event, true).catch((error: unknown) => {
            this.#log.error('care: deferred alert failed', { eventId: waiting.event.id, error });
            return 'undelivered' as const;
          });
          if (outcome === 'undelivered' || outcome === 'ignored' || outcome === 'no_subscriber') {
            // Not sent and not decided: take it off the list, or it would be retried every minute forever.
            const latest = await this.state.subscriber(msisdn);
            latest.deferred = latest.deferred.filter((d) => d.event.id !== waiting.event.id);
            if (latest.events[waiting.event.id]?.outcome === 'deferred') delete latest.events[waiting.event.id];
            await this.state.saveSubscriber(msisdn, latest, now);
          }
        }
        const after = await this.state.subscriber(msisdn);
        const next = after.deferred.map((d) => d.notBefore).sort()[0];
        await this.state.setDue(msisdn, next);
      });
    }
    return due.length;
  }

  async #work(): Promise<void> {
    try {
      while (this.#head < this.#queue.length) {
        const event = this.#queue[this.#head];
        this.#queue[this.#head++] = undefined;
        if (this.#head > 4096 && this.#head * 2 > this.#queue.length) {
          this.#queue = this.#queue.slice(this.#head);
          this.#head = 0;
        }
        if (!event) continue;
        await this.#yieldToTurns();
        await this.handle(event).catch((error: unknown) => {
          this.#log.error('care: alert failed', { eventId: event.id, type: event.type, error });
        });
      }
    } finally {
      this.#workers--;
      if (this.#workers === 0 && this.#head >= this.#queue.length) {
        for (const wake of this.#idleWaiters.splice(0)) wake();
      }
    }
  }

  /** Lets the bot's own turns (and anything else queued on the event loop) go first. */
  #yieldToTurns(): Promise<void> {
    if (this.#activeTurns === 0) return new Promise((resolve) => setImmediate(resolve));
    return new Promise((resolve) => {
      const timer = setTimeout(resolve, this.#maxYieldMs);
      this.#turnWaiters.push(() => {
        clearTimeout(timer);
        setImmediate(resolve);
      });
    });
  }

  async #decide(event: ChargingEvent, fromDeferred: boolean): Promise<HandleOutcome> {
    const { settings } = this.#deps;
    const msisdn = event.msisdn;
    const now = this.#clock.now();
    const doc = await this.state.subscriber(msisdn);
    const seen = doc.events[event.id];
    if (seen && !(fromDeferred && seen.outcome === 'deferred')) return 'duplicate';
    if (settings.maxPerDay === 0) return 'ignored';
    doc.deferred = doc.deferred.filter((d) => d.event.id !== event.id);
    const record = async (outcome: Exclude<CareOutcome, 'undelivered'>): Promise<HandleOutcome> => {
      doc.events[event.id] = { outcome, at: now.toISOString() };
      await this.state.saveSubscriber(msisdn, doc, now);
      if (outcome !== 'sending')
        this.#log.info('care: alert decided', { eventId: event.id, type: event.type, outcome });
      return outcome === 'sending' ? 'sent' : outcome;
    };
    if (doc.optedOut) return record('optedOut');

    const found = await this.#deps.charging.getSubscriber(msisdn);
    if (!found.ok) {
      this.#log.warn('care: subscriber unreadable', { eventId: event.id, code: found.error.code });
      return found.error.code === 'SUBSCRIBER.NOT_FOUND' ? 'no_subscriber' : 'undelivered';
    }
    const sub = found.value;
    if (this.#isStale(event, sub, now)) return record('stale');

    const zone = zoneOr(sub.timeZone, settings.defaultTimeZone);
    if (settings.quietHours && isQuiet(now, zone, settings.quietHours)) {
      const notBefore = quietEndsAt(now, zone, settings.quietHours).toISOString();
      doc.deferred.push({ event, notBefore });
      const outcome = await record('deferred');
      await this.state.setDue(msisdn, doc.deferred.map((d) => d.notBefore).sort()[0]);
      return outcome;
    }

    const day = localDay(now, zone);
    if (doc.day !== day) {
      doc.day = day;
      doc.sentToday = 0;
    }
    if (event.type === 'usage.zeroRated' && doc.zeroRatedDay === day) return record('coalesced');
    if (event.type === 'usage.pattern' && isAlreadyLow(event)) return record('coalesced');
    if (doc.sentToday >= settings.maxPerDay) return record('capped');

    const locale = careLocaleOf(sub.language);
    const message = careMessage(event, {
      name: sub.name,
      locale,
      plan: sub.plan,
      timeZone: zone,
      catalog: await this.#catalogOf(),
    });
    if (!message) return 'ignored';

    // Written before sending: a crash mid-send leaves "sending", never a second message on restart.
    const previousZeroRatedDay = doc.zeroRatedDay;
    doc.sentToday++;
    if (event.type === 'usage.zeroRated') doc.zeroRatedDay = day;
    await record('sending');
    const channelId = await this.#deliver(event, message);
    if (channelId) {
      doc.events[event.id] = { outcome: 'sent', at: now.toISOString() };
      await this.state.saveSubscriber(msisdn, doc, now);
      this.#log.info('care: alert sent', { eventId: event.id, type: event.type, channelId });
      return 'sent';
    }
    // Nowhere to send it (no conversation yet, Messenger's window closed...): undo, so a replay may try again.
    delete doc.events[event.id];
    doc.sentToday--;
    doc.zeroRatedDay = previousZeroRatedDay;
    await this.state.saveSubscriber(msisdn, doc, now);
    this.#log.info('care: alert not delivered', { eventId: event.id, type: event.type });
    return 'undelivered';
  }

  #isStale(event: ChargingEvent, sub: Subscriber, now: Date): boolean {
    const at = Date.parse(event.at);
    if (Number.isFinite(at) && now.getTime() - at > this.#deps.settings.staleAfterHours * 3600_000) return true;
    const d = event.data;
    if (event.type === 'bill.dueSoon' || event.type === 'bill.overdue') {
      const bill = sub.bills.find((b) => b.id === d.billId);
      return !bill || bill.remainingAmount.amount <= 0;
    }
    if (event.type === 'bucket.expiring' && typeof d.endDateTime === 'string') {
      return Date.parse(d.endDateTime) <= now.getTime();
    }
    return false;
  }

  async #catalogOf(): Promise<Catalog | undefined> {
    const t = Date.now();
    if (this.#catalog && t - this.#catalog.at < CATALOG_TTL_MS) return this.#catalog.value;
    const r = await this.#deps.charging.getCatalog();
    if (r.ok) this.#catalog = { value: r.value, at: t };
    return this.#catalog?.value;
  }

  /** The subscriber's conversations, the last used first. */
  async #conversations(msisdn: string): Promise<Partial<ConversationReference>[]> {
    const { references } = this.#deps;
    const uses = await this.state.channels(msisdn);
    const out: Partial<ConversationReference>[] = [];
    const ordered = Object.values(uses.byChannel).sort((a, b) => b.at.localeCompare(a.at));
    for (const use of ordered) {
      const ref = await references.get(use.conversationKey);
      if (ref?.channelId) out.push(ref);
    }
    // Conversations from before care tracked channels: after the tracked ones, in no particular order.
    for (const ref of await references.forSubscriber(msisdn)) {
      if (ref.channelId && !out.some((r) => r.channelId === ref.channelId)) out.push(ref);
    }
    return out;
  }

  /** Sends on the last-used channel, or the next one that can take it; returns the channel it went out on. */
  async #deliver(event: ChargingEvent, message: CareMessage): Promise<string | undefined> {
    const activity: Partial<Activity> = {
      type: 'message',
      text: message.text,
      suggestedActions: {
        to: [],
        actions: message.actions.map((a) => ({ type: 'imBack', title: a.title, value: a.value })),
      },
      channelData: {
        // WhatsApp outside the 24-hour window: the approved template of this event type, with its parameters.
        template: {
          purpose: 'alert',
          name: this.#deps.settings.whatsappTemplates[event.type],
          parameters: message.templateParameters,
        },
        // The same alert sent again (a retry after a crash) reaches the customer once.
        idempotencyKey: `care:${event.id}`,
        care: { eventType: event.type },
      },
    };
    for (const reference of await this.#conversations(event.msisdn)) {
      const channel = reference.channelId ? this.#deps.channelFor(reference.channelId) : undefined;
      if (!channel) continue;
      let sentId = '';
      try {
        await channel.continueConversationAsync(this.#deps.botAppId, reference, async (context) => {
          sentId = (await context.sendActivity(activity))?.id ?? '';
        });
      } catch (error) {
        this.#log.warn('care: send failed, trying the next channel', { channelId: reference.channelId, error });
      }
      // An empty id: the channel could not send it (Messenger outside its window, no template configured).
      if (sentId) return reference.channelId;
    }
    return undefined;
  }
}

export type { SubscriberCare };
