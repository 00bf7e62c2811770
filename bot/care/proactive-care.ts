/**
 * Proactive care: the bot speaks first when it matters. Listens to the charging core's events (low balance,
 * bundle used up or expiring, bill due soon or overdue, zero-rated use, a usage pattern that will run out) and
 * tells the subscriber on their last-used channel, with the one-tap next step as a suggested action.
 *
 * Rules, in this order, per event:
 * 1. once per event id: the outcome of every event is kept in `Storage` (care-state.ts), written before the send,
 *    so a replayed event or a restart sends nothing twice (at most once: a crash mid-send loses that one alert);
 * 2. nothing to a subscriber who said "stop alerts" (until "start alerts");
 * 3. nothing stale (older than `staleAfterHours`, a bill already paid, a bundle already ended);
 * 4. quiet hours in the subscriber's time zone: the alert waits (persisted) until they end, then goes through
 *    these rules again;
 * 5. at most `maxPerDay` per subscriber per local day (over it: dropped), one zero-rated note a day;
 * 6. WhatsApp outside the 24-hour window: the approved template for the event type (the adapter sends it).
 *
 * Alerts are background work, and the bot's answers to customers come first:
 * - at most `concurrency` alerts are in flight;
 * - while a customer turn is in flight no alert starts, and an alert already in flight stops before its send
 *   (the Graph API call is most of an alert's cost) until the turns are done and no new one came for
 *   `settleMs` (a customer's next message, or the next customer's, often follows at once);
 * - the minimum share: an alert gives way for at most `maxYieldMs` in all (its start and its send together);
 *   past that it takes the next moment no turn is in flight, at the latest `OVERDUE_GRACE_MS` (50 ms) later.
 *   Under constant customer traffic alerts still go out, at least `concurrency` every 300 ms (about 7 a second
 *   with the defaults; 8 when turns leave gaps), and as fast as the machine allows once customers pause;
 * - an alert does one storage read of care state (its rules and its channels, care-state.ts `load`) and one
 *   write (its outcome, before the send); the channel reference is read only for the channel tried.
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
import { type CareOutcome, CareState, type SubscriberCare, type SubscriberChannels } from './care-state.js';
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
  /** Longest an alert gives way to the bot's own turns, in all (the minimum share of alerts). Default 250 ms. */
  maxYieldMs?: number;
  /** Alerts go on only once no customer turn has run for this long. Default 10 ms. */
  settleMs?: number;
  /** How often alerts held by quiet hours are looked at. Default 60 s. */
  flushIntervalMs?: number;
}

const CATALOG_TTL_MS = 10 * 60_000;
/** How long past `maxYieldMs` an overdue alert may wait for a moment with no customer turn in flight. */
const OVERDUE_GRACE_MS = 50;

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
  readonly #settleMs: number;
  #queue: (ChargingEvent | undefined)[] = [];
  #head = 0;
  #workers = 0;
  #activeTurns = 0;
  /** `performance.now()` when the last customer turn ended. */
  #lastTurnEnded = Number.NEGATIVE_INFINITY;
  #settleTimer: NodeJS.Timeout | undefined;
  /** Alerts waiting for the bot to be settled (no customer turn for `settleMs`). */
  readonly #turnWaiters = new Set<() => void>();
  /** Overdue alerts waiting for the next moment no customer turn is in flight. */
  readonly #gapWaiters = new Set<() => void>();
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
    this.#settleMs = Math.max(0, deps.settleMs ?? 10);
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

  /** A customer's message arrived (channel adapter) or its turn began (middleware): alerts give way until done. */
  turnStarted(): void {
    this.#activeTurns++;
  }

  turnEnded(): void {
    this.#activeTurns = Math.max(0, this.#activeTurns - 1);
    if (this.#activeTurns > 0) return;
    this.#lastTurnEnded = performance.now();
    const overdue = [...this.#gapWaiters];
    this.#gapWaiters.clear();
    for (const wake of overdue) wake();
    clearTimeout(this.#settleTimer);
    this.#settleTimer = undefined;
    this.#armSettle();
  }

  /** No customer turn in flight, and none ended within `settleMs`. */
  #settled(): boolean {
    return this.#activeTurns === 0 && performance.now() - this.#lastTurnEnded >= this.#settleMs;
  }

  /** Wakes the waiting alerts once the bot has been free of customer turns for `settleMs`. */
  #armSettle(): void {
    if (this.#settleTimer || this.#turnWaiters.size === 0 || this.#activeTurns > 0) return;
    const wait = Math.max(0, this.#lastTurnEnded + this.#settleMs - performance.now());
    this.#settleTimer = setTimeout(() => {
      this.#settleTimer = undefined;
      if (this.#activeTurns > 0) return; // that turn's end arms it again
      if (!this.#settled()) return this.#armSettle(); // a timer may fire a fraction of a millisecond early
      const waiting = [...this.#turnWaiters];
      this.#turnWaiters.clear();
      for (const wake of waiting) wake();
    }, Math.ceil(wait));
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
  handle(event: ChargingEvent): Promise<HandleOutcome> {
    return this.#handle(event, performance.now() + this.#maxYieldMs);
  }

  async #handle(event: ChargingEvent, giveWayUntil: number): Promise<HandleOutcome> {
    if (!CARE_EVENT_TYPES.includes(event.type)) return 'ignored';
    let outcome: HandleOutcome = 'ignored';
    await this.#perSubscriber.run(event.msisdn, async () => {
      outcome = await this.#decide(event, false, giveWayUntil);
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
      const giveWayUntil = performance.now() + this.#maxYieldMs;
      await this.#yieldToTurns(giveWayUntil);
      await this.#perSubscriber.run(msisdn, async () => {
        const now = this.#clock.now();
        const doc = await this.state.subscriber(msisdn);
        for (const waiting of doc.deferred.filter((d) => Date.parse(d.notBefore) <= now.getTime())) {
          const outcome = await this.#decide(waiting.event, true, giveWayUntil).catch((error: unknown) => {
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
        const giveWayUntil = performance.now() + this.#maxYieldMs;
        await this.#yieldToTurns(giveWayUntil);
        await this.#handle(event, giveWayUntil).catch((error: unknown) => {
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

  /**
   * Lets the bot's own turns (and anything else queued on the event loop) go first: waits until no customer
   * turn has run for `settleMs`, but not past `giveWayUntil` (`performance.now()` ms); then, overdue, only for
   * a moment with no turn in flight, so alerts never starve.
   */
  async #yieldToTurns(giveWayUntil: number): Promise<void> {
    if (!this.#settled() && performance.now() < giveWayUntil) {
      await this.#wait(this.#turnWaiters, giveWayUntil);
    }
    // Overdue: the next moment no turn is in flight (turns a moment apart still leave one), or at the latest
    // `OVERDUE_GRACE_MS` later (turns that overlap without end must not starve alerts).
    if (this.#activeTurns > 0 && !this.#settled()) {
      await this.#wait(this.#gapWaiters, giveWayUntil + OVERDUE_GRACE_MS);
    }
    await new Promise((resolve) => setImmediate(resolve));
  }

  /** Resolves when woken through `waiters` or at `until` (`performance.now()` ms), whichever comes first. */
  #wait(waiters: Set<() => void>, until: number): Promise<void> {
    return new Promise((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        waiters.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, Math.max(0, Math.ceil(until - performance.now())));
      waiters.add(wake);
      if (waiters === this.#turnWaiters) this.#armSettle();
    });
  }

  async #decide(event: ChargingEvent, fromDeferred: boolean, giveWayUntil: number): Promise<HandleOutcome> {
    const { settings } = this.#deps;
    const msisdn = event.msisdn;
    const now = this.#clock.now();
    const { care: doc, channels } = await this.state.load(msisdn); // the alert's one read of care state
    const seen = doc.events[event.id];
    if (seen && !(fromDeferred && seen.outcome === 'deferred')) return 'duplicate';
    if (settings.maxPerDay === 0) return 'ignored';
    doc.deferred = doc.deferred.filter((d) => d.event.id !== event.id);
    const record = async (outcome: Exclude<CareOutcome, 'undelivered' | 'sending'>): Promise<HandleOutcome> => {
      doc.events[event.id] = { outcome, at: now.toISOString() };
      await this.state.saveSubscriber(msisdn, doc, now);
      if (outcome !== 'sent') this.#log.info('care: alert decided', { eventId: event.id, type: event.type, outcome });
      return outcome;
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

    // Where it can go, the last-used channel first; nowhere (no conversation yet): nothing written, a replay
    // may try again.
    const conversations = this.#conversations(msisdn, channels);
    const first = await conversations.next();
    if (first.done) {
      this.#log.info('care: alert not delivered', { eventId: event.id, type: event.type });
      return 'undelivered';
    }

    // Recorded and counted before the send (the alert's one write): a replay or a restart finds it and sends
    // nothing; a crash mid-send loses this one alert rather than sending it twice.
    const previousZeroRatedDay = doc.zeroRatedDay;
    doc.sentToday++;
    if (event.type === 'usage.zeroRated') doc.zeroRatedDay = day;
    await record('sent');
    // The send is most of an alert's cost: a customer turn that began meanwhile goes first.
    await this.#yieldToTurns(giveWayUntil);
    const channelId = await this.#deliver(event, message, first.value, conversations);
    if (channelId) {
      this.#log.info('care: alert sent', { eventId: event.id, type: event.type, channelId });
      return 'sent';
    }
    // No channel took it (Messenger's window closed, no template...): undo, so a replay may try again.
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

  /**
   * The subscriber's conversations on enabled channels, the last used first, read one at a time as they are
   * tried (the first one nearly always takes the alert): the channels care saw them use, then conversations
   * from before care tracked channels, in no particular order.
   */
  async *#conversations(msisdn: string, uses: SubscriberChannels): AsyncGenerator<Partial<ConversationReference>> {
    const { references, channelFor } = this.#deps;
    const seen = new Set<string>();
    const ordered = Object.entries(uses.byChannel).sort(([, a], [, b]) => b.at.localeCompare(a.at));
    for (const [channelId, use] of ordered) {
      if (!channelFor(channelId)) continue;
      const ref = await references.get(use.conversationKey);
      if (!ref?.channelId) continue;
      seen.add(ref.channelId);
      yield ref;
    }
    for (const ref of await references.forSubscriber(msisdn)) {
      if (ref.channelId && !seen.has(ref.channelId) && channelFor(ref.channelId)) yield ref;
    }
  }

  /** Sends on the first conversation that can take it; returns the channel it went out on. */
  async #deliver(
    event: ChargingEvent,
    message: CareMessage,
    first: Partial<ConversationReference>,
    rest: AsyncGenerator<Partial<ConversationReference>>,
  ): Promise<string | undefined> {
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
        // No `idempotencyKey`: the outcome recorded before the send already makes it once per event, and the
        // adapter's own record of the key would cost another storage read and write per alert.
        care: { eventType: event.type },
      },
    };
    let reference: Partial<ConversationReference> | undefined = first;
    while (reference) {
      const channel = reference.channelId ? this.#deps.channelFor(reference.channelId) : undefined;
      let sentId = '';
      if (channel) {
        try {
          await channel.continueConversationAsync(this.#deps.botAppId, reference, async (context) => {
            sentId = (await context.sendActivity(activity))?.id ?? '';
          });
        } catch (error) {
          this.#log.warn('care: send failed, trying the next channel', { channelId: reference.channelId, error });
        }
      }
      // An empty id: the channel could not send it (Messenger outside its window, no template configured).
      if (sentId) return reference.channelId;
      const next = await rest.next();
      reference = next.done ? undefined : next.value;
    }
    return undefined;
  }
}

export type { SubscriberCare };
