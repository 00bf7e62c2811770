import { hash, randomBytes, randomUUID } from 'node:crypto';
import { bucketsFor, DAY_MS, lowThreshold, newBucket, total } from './buckets.js';
import { autoDecideCreditLimit } from './credit-limit-rule.js';
import { demoCatalog } from './demo-catalog.js';
import { ErrorCodes, fail, ok, type Result } from './errors.js';
import type {
  AddOn,
  Bill,
  Bucket,
  Catalog,
  ChargingEvent,
  ChargingEventType,
  CreditLimitRequest,
  LedgerEntry,
  Msisdn,
  Payment,
  PaymentPurpose,
  PurchaseResult,
  Reservation,
  Subscriber,
  SwapQuote,
  SwapResult,
  TopUpResult,
  Unit,
  UsageRequest,
  UsageResult,
} from './model.js';
import { type ChargingService, type Clock, type MutationOptions, type NewSubscriber, systemClock } from './ports.js';
import type {
  AccountRecord,
  ChargingStore,
  IdempotencyRecord,
  QuoteRecord,
  RecordIndexer,
  SwapRecord,
} from './store.js';
import { canonical, checkInteger, checkMsisdn, checkText } from './validation.js';
import { ShardedMap } from './sharded-map.js';
import { turnBudget } from './turn-budget.js';
import { runningOutEarly } from './usage-pattern.js';

/** A quote can be confirmed for 2 minutes. */
export const QUOTE_TTL_MS = 2 * 60_000;
/** A swap can be undone for 10 minutes, if the sessions it credited are unused. */
export const UNDO_WINDOW_MS = 10 * 60_000;
/** A payment link works for 30 minutes. */
export const PAYMENT_TTL_MS = 30 * 60_000;
/** A reservation not committed or released within 5 minutes is released by `tick()`. */
export const RESERVATION_TTL_MS = 5 * 60_000;
/** Prepaid credit at or under this (minor units) is "low". */
export const LOW_CREDIT = 200;
/** Bills due within this are "due soon"; buckets ending within this are "expiring". */
export const DUE_SOON_MS = 3 * DAY_MS;
/** Idempotency records are kept this long, then forgotten. */
export const IDEMPOTENCY_TTL_MS = DAY_MS;
/**
 * Work a turn of the event loop admits (see turn-budget.ts): a burst of mutations is served over several turns,
 * so that no turn holds timers and I/O for long. About 15 mutations of synchronous work on our machines.
 */
const TURN_BUDGET_MS = 2;
const MAX_TOPUP = 100_000_00;
const MAX_QUANTITY = 1_000_000_000;

/**
 * The embedded charging core: every `ChargingService` use case on top of a `ChargingStore`, plus admin helpers
 * for seeding, tests and the checkout page.
 */
export interface ChargingCore extends ChargingService {
  /** The clock the core runs on (seeding and tests use it to date things). */
  readonly clock: Clock;
  /** Resolves once the store is loaded (every method waits for it anyway). */
  ready(): Promise<void>;
  /** Number of subscribers held. */
  subscriberCount(): Promise<number>;
  /**
   * Adds a fully formed subscriber (demo data, migrations): its buckets, credit, credit limit and open bills
   * are recorded in the ledger as opening balances. `SUBSCRIBER.ALREADY_EXISTS` if the MSISDN is taken.
   */
  importSubscriber(subscriber: Subscriber, opts?: MutationOptions): Promise<Result<Subscriber>>;
  /** Checkout opened: `created` -> `pending`. A pending payment stays pending. */
  markPaymentPending(paymentId: string, opts?: MutationOptions): Promise<Result<Payment>>;
  /** The whole ledger of a subscriber, oldest first (the recent part plus sealed history). */
  fullLedger(msisdn: Msisdn): Promise<Result<LedgerEntry[]>>;
  /** Waits for pending writes and closes the store. */
  close(): Promise<void>;
}

export interface ChargingCoreOptions {
  store: ChargingStore;
  clock?: Clock;
  catalog?: Catalog;
  /** Ids of buckets, bills and ledger entries. Quote, swap, payment and request ids are always crypto-random. */
  ids?: () => string;
}

/** Unguessable id (144 random bits): quote, swap, payment and request ids act as capabilities. */
function secretId(prefix: string): string {
  return `${prefix}_${randomBytes(18).toString('base64url')}`;
}

interface Ctx {
  rec: AccountRecord;
  sub: Subscriber;
  now: Date;
  nowMs: number;
  nowIso: string;
  actor: string;
  key?: string;
  events: ChargingEvent[];
  changed: boolean;
  isNew: boolean;
  post(target: string, unit: Unit, delta: number, after: number, reason: string, ref?: string): LedgerEntry;
  event(type: ChargingEventType, id: string, data: Record<string, unknown>): void;
}

type Index = ShardedMap<Msisdn>;

export function createChargingCore(opts: ChargingCoreOptions): ChargingCore {
  const store = opts.store;
  const clock = opts.clock ?? systemClock;
  const catalog = opts.catalog ?? demoCatalog;
  const ids = opts.ids ?? randomUUID;
  const currency = catalog.currency;
  const listeners = new Set<(e: ChargingEvent) => void>();
  /**
   * What `getCatalog` answers: a deep-frozen copy made once. The dialogs read the catalog on most turns, and a
   * fresh clone each time cost more than the rest of the core's work in a balance question.
   */
  const frozenCatalog = deepFreeze(structuredClone(catalog));

  // Ids found without the MSISDN, rebuilt from the records at load.
  const msisdns: Msisdn[] = [];
  const quoteIndex: Index = new ShardedMap();
  const swapIndex: Index = new ShardedMap();
  const paymentIndex: Index = new ShardedMap();
  const requestIndex: Index = new ShardedMap();
  const reservationIndex: Index = new ShardedMap();
  /** Every idempotency key of the last day: the biggest index, so in more, smaller Maps. */
  const keyIndex: Index = new ShardedMap(1024);
  /** Mutations started in one turn of the event loop: about TURN_BUDGET_MS of work, the rest in later turns. */
  const admit = turnBudget(TURN_BUDGET_MS);
  /**
   * When each subscriber next needs `tick()` (a bucket or payment expiring, a bill coming due, old quotes and
   * idempotency records to drop), so a tick visits only those due instead of every subscriber.
   */
  const tickDeadlines = new Deadlines();
  /**
   * The earliest expiry of each subscriber's idempotency records, kept apart: one subscriber may hold thousands
   * of keys, and walking them on every mutation would make each mutation cost more the busier the subscriber.
   */
  const keyDeadlines = new Deadlines();

  function trackKeys(rec: AccountRecord): void {
    const at = keysDeadline(rec);
    if (at === Number.POSITIVE_INFINITY) keyDeadlines.delete(rec.subscriber.msisdn);
    else keyDeadlines.set(rec.subscriber.msisdn, at);
  }

  function trackDeadline(rec: AccountRecord, nowMs: number): void {
    const at = Math.min(nextTickAt(rec, nowMs), keyDeadlines.get(rec.subscriber.msisdn) ?? Number.POSITIVE_INFINITY);
    if (at === Number.POSITIVE_INFINITY) tickDeadlines.delete(rec.subscriber.msisdn);
    else tickDeadlines.set(rec.subscriber.msisdn, at);
  }

  function indexRecord(rec: AccountRecord): void {
    const m = rec.subscriber.msisdn;
    msisdns.push(m);
    trackKeys(rec);
    trackDeadline(rec, clock.now().getTime());
    for (const q of rec.quotes) quoteIndex.set(q.id, m);
    for (const s of rec.swaps) swapIndex.set(s.id, m);
    for (const p of rec.subscriber.payments) paymentIndex.set(p.id, m);
    for (const r of rec.subscriber.creditLimitRequests ?? []) requestIndex.set(r.id, m);
    for (const r of rec.reservations) reservationIndex.set(r.id, m);
    for (const r of idempotencyOf(rec)) keyIndex.set(r.key, m);
  }

  /** Indexes a loaded record from its digest (see `chargingRecordDigest`); false: unknown digest, send the record. */
  function indexDigest(m: Msisdn, text: string): boolean {
    if (text.startsWith(TICK_ONLY_DIGEST) && text.indexOf(',', TICK_ONLY_DIGEST.length) < 0) {
      // The common digest, `{"v":<version>,"t":<ms>}`, read without building an object: 100,000 of them at a start.
      const t = Number(text.slice(TICK_ONLY_DIGEST.length, -1));
      if (Number.isFinite(t)) {
        msisdns.push(m);
        tickDeadlines.set(m, t);
        return true;
      }
    }
    let d: RecordDigest;
    try {
      d = JSON.parse(text) as RecordDigest;
    } catch {
      return false;
    }
    if (d === null || typeof d !== 'object' || d.v !== DIGEST_VERSION) return false;
    msisdns.push(m);
    if (d.k !== undefined) keyDeadlines.set(m, d.k);
    const at = Math.min(d.t ?? Number.POSITIVE_INFINITY, d.k ?? Number.POSITIVE_INFINITY);
    if (at !== Number.POSITIVE_INFINITY) tickDeadlines.set(m, at);
    if (d.q) for (const id of d.q) quoteIndex.set(id, m);
    if (d.s) for (const id of d.s) swapIndex.set(id, m);
    if (d.p) for (const id of d.p) paymentIndex.set(id, m);
    if (d.c) for (const id of d.c) requestIndex.set(id, m);
    if (d.r) for (const id of d.r) reservationIndex.set(id, m);
    if (d.i) for (const id of d.i) keyIndex.set(id, m);
    return true;
  }

  const indexer: RecordIndexer = {
    digest: (rec) => chargingRecordDigest(rec, clock.now().getTime()),
    visit: indexDigest,
  };
  const loaded = store.load(indexer);
  let closed = false;

  function emit(events: ChargingEvent[]): void {
    for (const e of events) {
      for (const l of listeners) {
        try {
          l(e);
        } catch {
          // A listener's bug must not break the mutation that already happened.
        }
      }
    }
  }

  function appInfo(app: string) {
    return catalog.apps.find((a) => a.id === app);
  }

  function appUnknown<T>(app: unknown, field: string): Result<T> | null {
    if (typeof app !== 'string' || !appInfo(app)) {
      return fail(ErrorCodes.UNKNOWN_APP, `unknown app in ${field}`, { field });
    }
    return null;
  }

  function money(amount: number): { amount: number; currency: string } {
    return { amount, currency };
  }

  function notFound<T>(): Result<T> {
    return fail(ErrorCodes.SUBSCRIBER_NOT_FOUND, 'no subscriber with this MSISDN');
  }

  function checkOptions<T>(o: MutationOptions | undefined): Result<T> | null {
    if (o?.idempotencyKey !== undefined) {
      const k = o.idempotencyKey;
      if (typeof k !== 'string' || k.length === 0 || k.length > 200) {
        return fail(ErrorCodes.INVALID_REQUEST, 'idempotencyKey must be 1-200 characters', { field: 'idempotencyKey' });
      }
    }
    return null;
  }

  /**
   * Runs one mutation of one subscriber: idempotency check, the use case's `body` on the live record (all
   * checks before any change), the idempotency record, and the events once the change is durable.
   */
  async function mutate<T>(
    op: string,
    msisdn: Msisdn,
    request: unknown,
    o: MutationOptions | undefined,
    body: (ctx: Ctx) => Result<T>,
    create?: () => AccountRecord,
  ): Promise<Result<T>> {
    await loaded;
    const turn = admit();
    if (turn) await turn;
    if (closed) return fail(ErrorCodes.UNAVAILABLE, 'the charging core is closed');
    const bad = checkOptions<T>(o);
    if (bad) return bad;
    const key = o?.idempotencyKey;
    const actor = o?.actor ?? 'system';
    // Hashed: one is kept per key for a day, and some requests (imports) are large.
    // One-shot: a Hash object per mutation costs the collector a weak handle each.
    const fingerprint = hash('sha256', `${op}:${canonical({ msisdn, request })}`, 'base64url').slice(0, 24);
    const events: ChargingEvent[] = [];
    const result = await store.update<Result<T>>(msisdn, (existing) => {
      if (key !== undefined) {
        // Keys are global: one used for another subscriber's request is a reuse too.
        const owner = keyIndex.get(key);
        if (owner !== undefined && owner !== msisdn) {
          return {
            value: fail(ErrorCodes.IDEMPOTENCY_KEY_REUSED, 'this idempotency key was used for another request'),
            changed: false,
          };
        }
      }
      if (existing && key !== undefined) {
        const prior = idempotencyOf(existing).find((r) => r.key === key);
        if (prior) {
          if (prior.fingerprint !== fingerprint) {
            return {
              value: fail(ErrorCodes.IDEMPOTENCY_KEY_REUSED, 'this idempotency key was used for another request'),
              changed: false,
            };
          }
          return { value: JSON.parse(prior.result) as Result<T>, changed: false };
        }
      }
      let rec = existing;
      const isNew = !rec;
      if (!rec) {
        if (!create) return { value: notFound<T>(), changed: false };
        rec = create();
      }
      const now = clock.now();
      const ctx: Ctx = {
        rec,
        sub: rec.subscriber,
        now,
        nowMs: now.getTime(),
        nowIso: now.toISOString(),
        actor,
        key,
        events,
        changed: false,
        isNew,
        post(target, unit, delta, after, reason, ref) {
          const entry: LedgerEntry = {
            id: ids(),
            msisdn,
            at: this.nowIso,
            reason,
            target,
            unit,
            delta,
            after,
            ...(key !== undefined ? { idempotencyKey: key } : {}),
            actor,
            ...(ref !== undefined ? { ref } : {}),
          };
          rec.ledger.push(entry);
          this.changed = true;
          return entry;
        },
        event(type, id, data) {
          events.push({ id, type, msisdn, at: this.nowIso, data });
        },
      };
      const value = body(ctx);
      if (!value.ok) {
        // Bodies check everything before changing anything, so a failure leaves no trace.
        events.length = 0;
        return { value, changed: false };
      }
      // Bodies answer with copies, never live state. With a key, the first answer is the JSON a repeat gets.
      let answer: Result<T> = value;
      if (key !== undefined) {
        const stored = JSON.stringify(value);
        idempotencyOf(rec).push({ key, fingerprint, result: stored, at: ctx.nowMs });
        keyIndex.set(key, msisdn);
        const keysDue = ctx.nowMs + IDEMPOTENCY_TTL_MS;
        if (!((keyDeadlines.get(msisdn) ?? Number.POSITIVE_INFINITY) <= keysDue)) keyDeadlines.set(msisdn, keysDue);
        ctx.changed = true;
        answer = JSON.parse(stored) as Result<T>;
      }
      if (isNew) indexRecord(rec);
      else trackDeadline(rec, ctx.nowMs);
      return { value: answer, changed: ctx.changed, ...(isNew ? { create: rec } : {}) };
    });
    if (result.ok) emit(events);
    return result;
  }

  /** Reads the live record of `msisdn` after validating it. */
  async function readRecord(msisdn: Msisdn): Promise<Result<AccountRecord>> {
    await loaded;
    const bad = checkMsisdn(msisdn);
    if (bad) return bad as Result<AccountRecord>;
    const rec = await store.get(msisdn);
    return rec ? ok(rec) : notFound();
  }

  function view(sub: Subscriber, nowMs: number): Subscriber {
    const copy = structuredClone(sub);
    copy.buckets = copy.buckets.filter((b) => Date.parse(b.validFor.endDateTime) > nowMs);
    copy.bills.sort((a, b) => b.billDate.localeCompare(a.billDate));
    return copy;
  }

  // ---- shared steps of use cases ----

  /** Debits `quantity` from `buckets` (ending first used first); the caller checked there is enough. */
  function debit(
    ctx: Ctx,
    buckets: Bucket[],
    quantity: number,
    reason: string,
    ref?: string,
  ): { bucketId: string; quantity: number }[] {
    const before = total(buckets);
    const taken: { bucketId: string; quantity: number }[] = [];
    let left = quantity;
    let lastEntry: LedgerEntry | undefined;
    for (const b of buckets) {
      if (left === 0) break;
      const q = Math.min(left, b.remainingValue);
      if (q === 0) continue;
      b.remainingValue -= q;
      left -= q;
      taken.push({ bucketId: b.id, quantity: q });
      lastEntry = ctx.post(b.id, b.unit, -q, b.remainingValue, reason, ref);
    }
    const after = before - quantity;
    const first = buckets[0];
    if (lastEntry && first) {
      const what = first.app ?? first.unit;
      const threshold = lowThreshold(buckets);
      if (after === 0) {
        ctx.event('bucket.depleted', `bucket.depleted:${ctx.sub.msisdn}:${lastEntry.id}`, { what, remaining: 0 });
      } else if (before > threshold && after <= threshold) {
        ctx.event('balance.low', `balance.low:${ctx.sub.msisdn}:${lastEntry.id}`, { what, remaining: after });
      }
    }
    return taken;
  }

  /** `usage.pattern` (proactive care): at this pace the allowance runs out before it renews; once per bucket. */
  function flagUsagePattern(ctx: Ctx, buckets: Bucket[]): void {
    const pattern = runningOutEarly(buckets, ctx.nowMs);
    if (!pattern) return;
    const id = `usage.pattern:${pattern.bucketId}`;
    if (ctx.rec.notified[id]) return;
    ctx.rec.notified[id] = ctx.nowIso;
    const first = buckets[0];
    ctx.event('usage.pattern', id, { ...pattern, app: first?.app, unit: first?.unit });
  }

  function changeCredit(ctx: Ctx, delta: number, reason: string, ref?: string): void {
    const acct = ctx.sub.account;
    const before = acct.balance.amount;
    acct.balance.amount += delta;
    const entry = ctx.post('account', 'money', delta, acct.balance.amount, reason, ref);
    if (ctx.sub.plan === 'prepaid' && delta < 0 && before > LOW_CREDIT && acct.balance.amount <= LOW_CREDIT) {
      ctx.event('balance.low', `balance.low:${ctx.sub.msisdn}:${entry.id}`, {
        what: 'credit',
        remaining: acct.balance.amount,
      });
    }
  }

  /**
   * Each swap credits a bucket of its own, so that an undo can tell whether those sessions were used. Once a
   * swap can no longer be undone its bucket has done that job: the credits of such swaps with the same app and
   * end of validity are merged into one bucket (ledger: `bucket.merge` out of one, into the other), so a
   * subscriber who swaps every day does not collect hundreds of one-session buckets. Buckets with a reservation
   * on them are left alone.
   */
  function mergeSettledSwapCredits(ctx: Ctx): void {
    const { rec, sub, nowMs } = ctx;
    const open = new Set<string>();
    const settled = new Set<string>();
    for (const s of rec.swaps) {
      if (s.undone || Date.parse(s.undoableUntil) <= nowMs) settled.add(s.creditBucketId);
      else open.add(s.creditBucketId);
    }
    if (settled.size < 2) return;
    const reserved = new Set(rec.reservations.map((r) => r.bucketId));
    const into = new Map<string, Bucket>();
    for (const b of [...sub.buckets]) {
      if (!settled.has(b.id) || open.has(b.id) || reserved.has(b.id)) continue;
      const key = `${b.unit}|${b.app ?? ''}|${b.validFor.endDateTime}`;
      const target = into.get(key);
      if (!target) {
        into.set(key, b);
        continue;
      }
      const moved = b.remainingValue;
      target.remainingValue += moved;
      target.initialValue += b.initialValue;
      if (moved !== 0) {
        ctx.post(b.id, b.unit, -moved, 0, 'bucket.merge', target.id);
        ctx.post(target.id, target.unit, moved, target.remainingValue, 'bucket.merge', b.id);
      }
      sub.buckets.splice(sub.buckets.indexOf(b), 1);
      for (const s of rec.swaps) if (s.creditBucketId === b.id) s.creditBucketId = target.id;
      ctx.changed = true;
    }
  }

  function addBucket(ctx: Ctx, bucket: Bucket, reason: string, ref?: string): Bucket {
    ctx.sub.buckets.push(bucket);
    ctx.post(bucket.id, bucket.unit, bucket.remainingValue, bucket.remainingValue, reason, ref);
    return bucket;
  }

  function outstanding(sub: Subscriber): number {
    let sum = 0;
    for (const b of sub.bills) sum += b.remainingAmount.amount;
    return sum;
  }

  /** The bill postpaid charges go onto: the newest unsettled one, or a new bill for the current period. */
  function openBill(ctx: Ctx): Bill {
    const open = ctx.sub.bills
      .filter((b) => b.state !== 'settled')
      .sort((a, b) => b.billDate.localeCompare(a.billDate))[0];
    if (open) return open;
    const bill: Bill = {
      id: ids(),
      billNo: `B-${ctx.now.toISOString().slice(0, 7).replace('-', '')}-${ctx.sub.msisdn.slice(-4)}-${ctx.sub.bills.length + 1}`,
      billDate: ctx.nowIso,
      billingPeriod: { startDateTime: ctx.nowIso, endDateTime: new Date(ctx.nowMs + 30 * DAY_MS).toISOString() },
      paymentDueDate: new Date(ctx.nowMs + 44 * DAY_MS).toISOString(),
      amountDue: money(0),
      remainingAmount: money(0),
      state: 'new',
      lines: [],
    };
    ctx.sub.bills.push(bill);
    return bill;
  }

  function expireQuote(q: QuoteRecord, nowMs: number): boolean {
    return !q.swapId && Date.parse(q.expiresAt) <= nowMs;
  }

  /** How a swap of `quantity` sessions works out at a rate: what is debited and credited. */
  function swapTerms(quantity: number, num: number, den: number): { debit: number; credit: number } {
    const credit = Math.floor((quantity * num) / den);
    const debitQty = Math.ceil((credit * den) / num);
    return { debit: debitQty, credit };
  }

  function swapResultOf(rec: AccountRecord, s: SwapRecord, nowMs: number): SwapResult {
    const touched = new Set([s.creditBucketId, ...s.debits.map((d) => d.bucketId)]);
    return {
      ...structuredClone({
        id: s.id,
        quoteId: s.quoteId,
        msisdn: s.msisdn,
        from: s.from,
        to: s.to,
        debit: s.debit,
        credit: s.credit,
        executedAt: s.executedAt,
        undoableUntil: s.undoableUntil,
        ...(s.undone ? { undone: true } : {}),
      }),
      buckets: view(rec.subscriber, nowMs).buckets.filter((b) => touched.has(b.id)),
    };
  }

  function checkUsage<T>(usage: UsageRequest): Result<T> | null {
    if (!usage || typeof usage !== 'object') return fail(ErrorCodes.INVALID_REQUEST, 'usage is required');
    const q = checkInteger(usage.quantity, 'quantity', { max: MAX_QUANTITY });
    if (q) return q;
    if (usage.app !== undefined) return appUnknown(usage.app, 'app');
    if (usage.unit === undefined) {
      return fail(ErrorCodes.INVALID_REQUEST, 'app or unit is required', { field: 'app' });
    }
    if (!['MB', 'minute', 'SMS'].includes(usage.unit)) {
      return fail(ErrorCodes.UNKNOWN_UNIT, 'unit must be MB, minute or SMS (or give an app)', { field: 'unit' });
    }
    return null;
  }

  function findPaymentIn(rec: AccountRecord | undefined, id: string): Payment | undefined {
    return rec?.subscriber.payments.find((p) => p.id === id);
  }

  // ---- the service ----

  const core: ChargingCore = {
    clock,
    ready: async () => {
      await loaded;
    },

    async subscriberCount() {
      await loaded;
      return msisdns.length;
    },

    async createSubscriber(input: NewSubscriber, o?: MutationOptions): Promise<Result<Subscriber>> {
      if (!input || typeof input !== 'object') return fail(ErrorCodes.INVALID_REQUEST, 'a subscriber is required');
      const bad =
        checkMsisdn(input.msisdn) ??
        checkText(input.name, 'name', 100) ??
        (input.plan !== 'prepaid' && input.plan !== 'postpaid'
          ? fail(ErrorCodes.INVALID_REQUEST, 'plan must be prepaid or postpaid', { field: 'plan' })
          : null) ??
        (input.language !== undefined &&
        (typeof input.language !== 'string' || !/^[a-z]{2}(-[A-Z]{2})?$/.test(input.language))
          ? fail(ErrorCodes.INVALID_REQUEST, 'language must be a language tag such as en or es', { field: 'language' })
          : null) ??
        (input.timeZone !== undefined && checkText(input.timeZone, 'timeZone', 64));
      if (bad) return bad as Result<Subscriber>;
      const offer = catalog.plans.find((p) => p.plan === input.plan);
      if (!offer) return fail(ErrorCodes.UNKNOWN_PRODUCT, `no ${input.plan} plan in the catalog`, { field: 'plan' });
      const request = {
        msisdn: input.msisdn,
        name: input.name,
        plan: input.plan,
        language: input.language,
        timeZone: input.timeZone,
      };
      return mutate(
        'createSubscriber',
        input.msisdn,
        request,
        o,
        (ctx) => {
          if (!ctx.isNew) return fail(ErrorCodes.SUBSCRIBER_EXISTS, 'a subscriber with this MSISDN exists');
          const sub = ctx.sub;
          if (offer.initialCredit && offer.initialCredit.amount > 0) {
            changeCredit(ctx, offer.initialCredit.amount, 'plan.initialCredit', offer.id);
          }
          if (offer.creditLimit) {
            sub.account.creditLimit = money(offer.creditLimit.amount);
            ctx.post('creditLimit', 'money', offer.creditLimit.amount, offer.creditLimit.amount, 'plan', offer.id);
          }
          for (const spec of offer.bundles) addBucket(ctx, newBucket(ids(), spec, ctx.now, offer.id), 'plan', offer.id);
          ctx.changed = true;
          return ok(view(sub, ctx.nowMs));
        },
        () => ({
          subscriber: {
            msisdn: input.msisdn,
            name: input.name.trim(),
            plan: input.plan,
            language: input.language ?? 'en',
            ...(input.timeZone ? { timeZone: input.timeZone } : {}),
            createdAt: clock.now().toISOString(),
            account: { balance: money(0) },
            buckets: [],
            bills: [],
            payments: [],
            creditLimitRequests: [],
          },
          quotes: [],
          swaps: [],
          reservations: [],
          idempotency: [],
          ledger: [],
          notified: {},
        }),
      );
    },

    async importSubscriber(subscriber: Subscriber, o?: MutationOptions): Promise<Result<Subscriber>> {
      const bad = checkMsisdn(subscriber?.msisdn);
      if (bad) return bad as Result<Subscriber>;
      const incoming = structuredClone(subscriber);
      return mutate(
        'importSubscriber',
        subscriber.msisdn,
        incoming,
        o,
        (ctx) => {
          if (!ctx.isNew) return fail(ErrorCodes.SUBSCRIBER_EXISTS, 'a subscriber with this MSISDN exists');
          const sub = ctx.sub;
          // Opening balances, so that the ledger sums to every balance from the first day.
          if (sub.account.balance.amount !== 0) {
            ctx.post('account', 'money', sub.account.balance.amount, sub.account.balance.amount, 'opening');
          }
          if (sub.account.creditLimit) {
            const a = sub.account.creditLimit.amount;
            ctx.post('creditLimit', 'money', a, a, 'opening');
          }
          for (const b of sub.buckets) ctx.post(b.id, b.unit, b.remainingValue, b.remainingValue, 'opening');
          for (const b of sub.bills) {
            if (b.remainingAmount.amount !== 0) {
              ctx.post(`bill:${b.id}`, 'money', b.remainingAmount.amount, b.remainingAmount.amount, 'opening');
            }
          }
          ctx.changed = true;
          return ok(view(sub, ctx.nowMs));
        },
        () => ({
          subscriber: { ...incoming, creditLimitRequests: incoming.creditLimitRequests ?? [] },
          quotes: [],
          swaps: [],
          reservations: [],
          idempotency: [],
          ledger: [],
          notified: {},
        }),
      );
    },

    async getSubscriber(msisdn) {
      const r = await readRecord(msisdn);
      return r.ok ? ok(view(r.value.subscriber, clock.now().getTime())) : (r as Result<Subscriber>);
    },

    async getCatalog() {
      return ok(frozenCatalog);
    },

    async listAddOns(): Promise<Result<AddOn[]>> {
      return ok(frozenCatalog.addOns as AddOn[]);
    },

    async getLedger(msisdn, query) {
      const limit = query?.limit ?? 50;
      const badLimit = checkInteger(limit, 'limit', { max: 1000 });
      if (badLimit) return badLimit;
      const r = await readRecord(msisdn);
      if (!r.ok) return r as Result<LedgerEntry[]>;
      const recent = r.value.ledger;
      const source = recent.length >= limit ? recent.slice(-limit) : (await store.ledgerHistory(msisdn)).slice(-limit);
      return ok(structuredClone(source).reverse());
    },

    async fullLedger(msisdn) {
      const r = await readRecord(msisdn);
      if (!r.ok) return r as Result<LedgerEntry[]>;
      return ok(await store.ledgerHistory(msisdn));
    },

    // -- real-time usage

    async chargeUsage(msisdn, usage, o) {
      const bad = checkMsisdn(msisdn) ?? checkUsage<UsageResult>(usage);
      if (bad) return bad as Result<UsageResult>;
      const target = { app: usage.app, unit: usage.app ? 'session' : usage.unit } as const;
      return mutate('chargeUsage', msisdn, { app: usage.app, unit: usage.unit, quantity: usage.quantity }, o, (ctx) => {
        if (usage.app && appInfo(usage.app)?.zeroRated) {
          ctx.event('usage.zeroRated', `usage.zeroRated:${msisdn}:${ctx.key ?? ids()}`, {
            app: usage.app,
            quantity: usage.quantity,
          });
          return ok<UsageResult>({ bucket: null, zeroRated: true, charged: 0 });
        }
        const buckets = bucketsFor(ctx.sub, { app: usage.app, unit: target.unit }, ctx.nowMs);
        const available = total(buckets);
        if (available < usage.quantity) {
          return fail(ErrorCodes.INSUFFICIENT_BALANCE, 'not enough left for this usage', {
            available,
            requested: usage.quantity,
          });
        }
        const taken = debit(ctx, buckets, usage.quantity, 'usage');
        flagUsagePattern(ctx, buckets);
        const last = ctx.sub.buckets.find((b) => b.id === taken[taken.length - 1]?.bucketId) ?? null;
        return ok<UsageResult>({
          bucket: last ? structuredClone(last) : null,
          zeroRated: false,
          charged: usage.quantity,
        });
      });
    },

    async reserve(msisdn, usage, o) {
      const bad = checkMsisdn(msisdn) ?? checkUsage<Reservation>(usage);
      if (bad) return bad as Result<Reservation>;
      const unit = usage.app ? 'session' : usage.unit;
      return mutate('reserve', msisdn, { app: usage.app, unit: usage.unit, quantity: usage.quantity }, o, (ctx) => {
        if (usage.app && appInfo(usage.app)?.zeroRated) {
          return fail(ErrorCodes.INVALID_REQUEST, 'zero-rated usage needs no reservation: charge it directly', {
            field: 'app',
          });
        }
        const buckets = bucketsFor(ctx.sub, { app: usage.app, unit }, ctx.nowMs);
        // A reservation holds units of one bucket, so commit and release are exact.
        const bucket = buckets.find((b) => b.remainingValue >= usage.quantity);
        if (!bucket) {
          return fail(ErrorCodes.INSUFFICIENT_BALANCE, 'not enough left in one bucket for this reservation', {
            available: Math.max(0, ...buckets.map((b) => b.remainingValue)),
            requested: usage.quantity,
          });
        }
        const reservation: Reservation = {
          id: secretId('res'),
          msisdn,
          bucketId: bucket.id,
          quantity: usage.quantity,
          expiresAt: new Date(ctx.nowMs + RESERVATION_TTL_MS).toISOString(),
        };
        debit(ctx, [bucket], usage.quantity, 'usage.reserve', reservation.id);
        ctx.rec.reservations.push(reservation);
        reservationIndex.set(reservation.id, msisdn);
        return ok(structuredClone(reservation));
      });
    },

    async commitReservation(msisdn, reservationId, used, o) {
      const bad =
        checkMsisdn(msisdn) ??
        checkText(reservationId, 'reservationId') ??
        checkInteger(used, 'used', { allowZero: true, max: MAX_QUANTITY });
      if (bad) return bad as Result<UsageResult>;
      return mutate('commitReservation', msisdn, { reservationId, used }, o, (ctx) => {
        const i = ctx.rec.reservations.findIndex((r) => r.id === reservationId);
        const res = ctx.rec.reservations[i];
        if (!res) return fail(ErrorCodes.RESERVATION_NOT_FOUND, 'no open reservation with this id');
        if (used > res.quantity) {
          return fail(ErrorCodes.INVALID_REQUEST, 'used must not exceed the reserved quantity', {
            field: 'used',
            max: res.quantity,
          });
        }
        const bucket = ctx.sub.buckets.find((b) => b.id === res.bucketId);
        const unused = res.quantity - used;
        if (bucket && unused > 0) {
          bucket.remainingValue += unused;
          ctx.post(bucket.id, bucket.unit, unused, bucket.remainingValue, 'usage.release', res.id);
        }
        ctx.rec.reservations.splice(i, 1);
        reservationIndex.delete(res.id);
        ctx.changed = true;
        return ok<UsageResult>({ bucket: bucket ? structuredClone(bucket) : null, zeroRated: false, charged: used });
      });
    },

    async releaseReservation(msisdn, reservationId, o) {
      const bad = checkMsisdn(msisdn) ?? checkText(reservationId, 'reservationId');
      if (bad) return bad as Result<Bucket>;
      return mutate('releaseReservation', msisdn, { reservationId }, o, (ctx) => {
        const i = ctx.rec.reservations.findIndex((r) => r.id === reservationId);
        const res = ctx.rec.reservations[i];
        if (!res) return fail(ErrorCodes.RESERVATION_NOT_FOUND, 'no open reservation with this id');
        const bucket = ctx.sub.buckets.find((b) => b.id === res.bucketId);
        if (!bucket) return fail(ErrorCodes.RESERVATION_NOT_FOUND, 'the reserved bucket no longer exists');
        bucket.remainingValue += res.quantity;
        ctx.post(bucket.id, bucket.unit, res.quantity, bucket.remainingValue, 'usage.release', res.id);
        ctx.rec.reservations.splice(i, 1);
        reservationIndex.delete(res.id);
        return ok(structuredClone(bucket));
      });
    },

    // -- swaps

    async quoteSwap(msisdn, req, o) {
      const bad =
        checkMsisdn(msisdn) ??
        (!req || typeof req !== 'object' ? fail(ErrorCodes.INVALID_REQUEST, 'a swap request is required') : null) ??
        appUnknown<SwapQuote>(req.from, 'from') ??
        appUnknown<SwapQuote>(req.to, 'to') ??
        checkInteger(req.quantity, 'quantity', { max: MAX_QUANTITY });
      if (bad) return bad as Result<SwapQuote>;
      if (req.from === req.to) return fail(ErrorCodes.SAME_APP, 'from and to must be different apps');
      const rate = catalog.exchangeRates.find((r) => r.from === req.from && r.to === req.to);
      if (!rate)
        return fail(ErrorCodes.NO_EXCHANGE_RATE, 'these sessions cannot be swapped', { from: req.from, to: req.to });
      const terms = swapTerms(req.quantity, rate.numerator, rate.denominator);
      if (terms.credit < 1) {
        return fail(ErrorCodes.QUANTITY_TOO_SMALL, 'too few sessions for one session in return', {
          minQuantity: Math.ceil(rate.denominator / rate.numerator),
        });
      }
      return mutate('quoteSwap', msisdn, { from: req.from, to: req.to, quantity: req.quantity }, o, (ctx) => {
        const available = total(bucketsFor(ctx.sub, { app: req.from }, ctx.nowMs));
        if (available < terms.debit) {
          const max = swapTerms(available, rate.numerator, rate.denominator);
          return fail(ErrorCodes.INSUFFICIENT_BALANCE, 'not enough sessions for this swap', {
            available,
            maxQuantity: max.credit >= 1 ? max.debit : 0,
          });
        }
        const quote: QuoteRecord = {
          id: secretId('quo'),
          msisdn,
          from: req.from,
          to: req.to,
          debit: terms.debit,
          credit: terms.credit,
          rate: `${rate.denominator}:${rate.numerator}`,
          expiresAt: new Date(ctx.nowMs + QUOTE_TTL_MS).toISOString(),
        };
        ctx.rec.quotes.push(quote);
        quoteIndex.set(quote.id, msisdn);
        ctx.changed = true;
        const { swapId: _none, ...plain } = quote;
        return ok<SwapQuote>(plain);
      });
    },

    async confirmSwap(quoteId, o) {
      const bad = checkText(quoteId, 'quoteId');
      if (bad) return bad as Result<SwapResult>;
      await loaded;
      const msisdn = quoteIndex.get(quoteId);
      if (!msisdn) return fail(ErrorCodes.QUOTE_NOT_FOUND, 'no swap quote with this id');
      return mutate('confirmSwap', msisdn, { quoteId }, o, (ctx) => {
        const quote = ctx.rec.quotes.find((q) => q.id === quoteId);
        if (!quote) return fail(ErrorCodes.QUOTE_NOT_FOUND, 'no swap quote with this id');
        if (quote.swapId) {
          // Executes exactly once: confirming again answers with the same swap.
          const done = ctx.rec.swaps.find((s) => s.id === quote.swapId);
          if (done) return ok(swapResultOf(ctx.rec, done, ctx.nowMs));
          return fail(ErrorCodes.QUOTE_NOT_FOUND, 'this quote was executed long ago');
        }
        if (expireQuote(quote, ctx.nowMs))
          return fail(ErrorCodes.QUOTE_EXPIRED, 'the quote expired: ask for a new one');
        const fromBuckets = bucketsFor(ctx.sub, { app: quote.from }, ctx.nowMs);
        const available = total(fromBuckets);
        const rate = catalog.exchangeRates.find((r) => r.from === quote.from && r.to === quote.to);
        if (available < quote.debit || !rate) {
          const max = rate ? swapTerms(available, rate.numerator, rate.denominator) : { debit: 0, credit: 0 };
          return fail(ErrorCodes.INSUFFICIENT_BALANCE, 'not enough sessions left for this swap', {
            available,
            maxQuantity: max.credit >= 1 ? max.debit : 0,
          });
        }
        const swapId = secretId('swp');
        mergeSettledSwapCredits(ctx);
        const debits = debit(ctx, fromBuckets, quote.debit, 'swap.debit', swapId);
        // The credited sessions get their own bucket, valid as long as the longest-lived source bucket, so
        // an undo can tell whether they were used.
        const sourceEnd = Math.max(
          ...debits.map((d) => Date.parse(fromBuckets.find((b) => b.id === d.bucketId)!.validFor.endDateTime)),
        );
        const toName = appInfo(quote.to)?.name ?? quote.to;
        const credited = addBucket(
          ctx,
          {
            id: ids(),
            name: `${toName} ${quote.credit} sessions (swap)`,
            unit: 'session',
            app: quote.to,
            remainingValue: quote.credit,
            initialValue: quote.credit,
            validFor: { startDateTime: ctx.nowIso, endDateTime: new Date(sourceEnd).toISOString() },
          },
          'swap.credit',
          swapId,
        );
        const swap: SwapRecord = {
          id: swapId,
          quoteId,
          msisdn: quote.msisdn,
          from: quote.from,
          to: quote.to,
          debit: quote.debit,
          credit: quote.credit,
          executedAt: ctx.nowIso,
          undoableUntil: new Date(ctx.nowMs + UNDO_WINDOW_MS).toISOString(),
          debits,
          creditBucketId: credited.id,
        };
        quote.swapId = swapId;
        ctx.rec.swaps.push(swap);
        swapIndex.set(swapId, quote.msisdn);
        return ok(swapResultOf(ctx.rec, swap, ctx.nowMs));
      });
    },

    async undoSwap(swapId, o) {
      const bad = checkText(swapId, 'swapId');
      if (bad) return bad as Result<SwapResult>;
      await loaded;
      const msisdn = swapIndex.get(swapId);
      if (!msisdn) return fail(ErrorCodes.SWAP_NOT_FOUND, 'no swap with this id');
      return mutate('undoSwap', msisdn, { swapId }, o, (ctx) => {
        const swap = ctx.rec.swaps.find((s) => s.id === swapId);
        if (!swap) return fail(ErrorCodes.SWAP_NOT_FOUND, 'no swap with this id');
        if (swap.undone) return fail(ErrorCodes.SWAP_ALREADY_UNDONE, 'this swap was already undone');
        if (Date.parse(swap.undoableUntil) <= ctx.nowMs) {
          return fail(ErrorCodes.UNDO_WINDOW_CLOSED, 'a swap can only be undone within 10 minutes');
        }
        const credited = ctx.sub.buckets.find((b) => b.id === swap.creditBucketId);
        const reserved = ctx.rec.reservations.some((r) => r.bucketId === swap.creditBucketId);
        if (!credited || credited.remainingValue < swap.credit || reserved) {
          return fail(ErrorCodes.SWAP_CREDIT_USED, 'some of the sessions this swap gave were already used');
        }
        credited.remainingValue -= swap.credit;
        ctx.post(credited.id, credited.unit, -swap.credit, credited.remainingValue, 'swap.undo', swap.id);
        for (const d of swap.debits) {
          const b = ctx.sub.buckets.find((x) => x.id === d.bucketId);
          if (!b) continue; // pruned long after expiry: nothing to give back to
          b.remainingValue += d.quantity;
          ctx.post(b.id, b.unit, d.quantity, b.remainingValue, 'swap.undo', swap.id);
        }
        swap.undone = true;
        return ok(swapResultOf(ctx.rec, swap, ctx.nowMs));
      });
    },

    // -- money

    async topUp(msisdn, req, o) {
      const bad = checkMsisdn(msisdn) ?? checkInteger(req?.amount, 'amount', { max: MAX_TOPUP });
      if (bad) return bad as Result<TopUpResult>;
      return mutate('topUp', msisdn, { amount: req.amount }, o, (ctx) => {
        if (ctx.sub.plan !== 'prepaid') return fail(ErrorCodes.NOT_PREPAID, 'only prepaid accounts are topped up');
        changeCredit(ctx, req.amount, 'topup');
        return ok<TopUpResult>({ balance: structuredClone(ctx.sub.account.balance) });
      });
    },

    async buyAddOn(msisdn, req, o) {
      const bad = checkMsisdn(msisdn) ?? checkText(req?.productId, 'productId', 100);
      if (bad) return bad as Result<PurchaseResult>;
      const addOn = catalog.addOns.find((a) => a.id === req.productId);
      if (!addOn) return fail(ErrorCodes.UNKNOWN_PRODUCT, 'no add-on with this id', { field: 'productId' });
      return mutate('buyAddOn', msisdn, { productId: req.productId }, o, (ctx) => {
        const price = addOn.price.amount;
        const sub = ctx.sub;
        if (sub.plan === 'prepaid') {
          if (sub.account.balance.amount < price) {
            return fail(ErrorCodes.INSUFFICIENT_BALANCE, 'not enough credit for this add-on', {
              required: price,
              available: sub.account.balance.amount,
            });
          }
          changeCredit(ctx, -price, 'addon', addOn.id);
          const bucket = addBucket(ctx, newBucket(ids(), addOn.bundle, ctx.now, addOn.id), 'addon', addOn.id);
          return ok<PurchaseResult>({
            addOn: structuredClone(addOn),
            bucket: structuredClone(bucket),
            balance: structuredClone(sub.account.balance),
          });
        }
        const limit = sub.account.creditLimit?.amount ?? 0;
        const owed = outstanding(sub);
        if (owed + price > limit) {
          return fail(ErrorCodes.INSUFFICIENT_BALANCE, 'this add-on would go over the credit limit', {
            required: price,
            available: Math.max(0, limit - owed),
          });
        }
        const bill = openBill(ctx);
        bill.lines.push({ description: addOn.name, kind: 'addon', amount: money(price) });
        bill.amountDue.amount += price;
        bill.remainingAmount.amount += price;
        bill.state = bill.remainingAmount.amount < bill.amountDue.amount ? 'partiallyPaid' : 'new';
        ctx.post(`bill:${bill.id}`, 'money', price, bill.remainingAmount.amount, 'addon', addOn.id);
        const bucket = addBucket(ctx, newBucket(ids(), addOn.bundle, ctx.now, addOn.id), 'addon', addOn.id);
        return ok<PurchaseResult>({ addOn: structuredClone(addOn), bucket: structuredClone(bucket), billId: bill.id });
      });
    },

    async grant(msisdn, req, o) {
      const badShape =
        checkMsisdn(msisdn) ??
        (!req || typeof req !== 'object' ? fail(ErrorCodes.INVALID_REQUEST, 'a grant is required') : null) ??
        checkText(req.reason, 'reason', 500);
      if (badShape) return badShape as Result<Subscriber>;
      const isMoney = req.amount !== undefined;
      const isUnits = req.app !== undefined || req.unit !== undefined || req.quantity !== undefined;
      if (isMoney === isUnits) {
        return fail(ErrorCodes.INVALID_REQUEST, 'grant either amount, or quantity of an app or unit', {
          field: 'amount',
        });
      }
      const bad = isMoney
        ? checkInteger(req.amount, 'amount', { max: MAX_TOPUP })
        : (checkInteger(req.quantity, 'quantity', { max: MAX_QUANTITY }) ??
          (req.app !== undefined
            ? appUnknown<Subscriber>(req.app, 'app')
            : req.unit === undefined
              ? fail(ErrorCodes.INVALID_REQUEST, 'app or unit is required', { field: 'app' })
              : !['MB', 'minute', 'SMS'].includes(req.unit)
                ? fail(ErrorCodes.UNKNOWN_UNIT, 'unit must be MB, minute or SMS', { field: 'unit' })
                : null));
      if (bad) return bad as Result<Subscriber>;
      const request = { amount: req.amount, app: req.app, unit: req.unit, quantity: req.quantity, reason: req.reason };
      return mutate('grant', msisdn, request, o, (ctx) => {
        if (isMoney) {
          changeCredit(ctx, req.amount as number, 'grant', req.reason);
        } else {
          const unit = (req.app ? 'session' : req.unit) as Exclude<Unit, 'money'>;
          const label = req.app ? `${appInfo(req.app)?.name ?? req.app} sessions` : unit;
          addBucket(
            ctx,
            newBucket(
              ids(),
              {
                name: `Goodwill: ${req.quantity} ${label}`,
                unit,
                app: req.app,
                quantity: req.quantity as number,
                validityDays: 30,
              },
              ctx.now,
            ),
            'grant',
            req.reason,
          );
        }
        return ok(view(ctx.sub, ctx.nowMs));
      });
    },

    // -- bills and payments

    async getBills(msisdn) {
      const r = await readRecord(msisdn);
      if (!r.ok) return r as Result<Bill[]>;
      return ok(view(r.value.subscriber, clock.now().getTime()).bills);
    },

    async createPayment(msisdn, req, o) {
      const bad =
        checkMsisdn(msisdn) ??
        (!req || typeof req !== 'object' || !req.purpose || typeof req.purpose !== 'object'
          ? fail(ErrorCodes.INVALID_REQUEST, 'purpose is required', { field: 'purpose' })
          : null) ??
        (req.purpose.type !== 'bill' && req.purpose.type !== 'topup'
          ? fail(ErrorCodes.INVALID_REQUEST, 'purpose.type must be bill or topup', { field: 'purpose.type' })
          : null) ??
        (req.purpose.type === 'bill' ? checkText(req.purpose.billId, 'purpose.billId', 100) : null) ??
        (req.amount !== undefined ? checkInteger(req.amount, 'amount', { max: MAX_TOPUP }) : null) ??
        (req.purpose.type === 'topup' && req.amount === undefined
          ? fail(ErrorCodes.INVALID_REQUEST, 'amount is required for a top-up', { field: 'amount' })
          : null) ??
        (req.metadata !== undefined &&
        (typeof req.metadata !== 'object' ||
          Object.values(req.metadata).some((v) => typeof v !== 'string' || v.length > 500) ||
          Object.keys(req.metadata).length > 20)
          ? fail(ErrorCodes.INVALID_REQUEST, 'metadata must be at most 20 string values', { field: 'metadata' })
          : null);
      if (bad) return bad as Result<Payment>;
      const purpose: PaymentPurpose =
        req.purpose.type === 'bill' ? { type: 'bill', billId: req.purpose.billId } : { type: 'topup' };
      return mutate('createPayment', msisdn, { purpose, amount: req.amount, metadata: req.metadata }, o, (ctx) => {
        let amount: number;
        if (purpose.type === 'bill') {
          const bill = ctx.sub.bills.find((b) => b.id === purpose.billId);
          if (!bill) return fail(ErrorCodes.BILL_NOT_FOUND, 'no bill with this id for this subscriber');
          if (bill.remainingAmount.amount <= 0) return fail(ErrorCodes.BILL_ALREADY_PAID, 'this bill is already paid');
          amount = req.amount ?? bill.remainingAmount.amount;
          if (amount > bill.remainingAmount.amount) {
            return fail(ErrorCodes.PAYMENT_AMOUNT_INVALID, 'the amount is more than what is due on the bill', {
              max: bill.remainingAmount.amount,
            });
          }
        } else {
          if (ctx.sub.plan !== 'prepaid') return fail(ErrorCodes.NOT_PREPAID, 'only prepaid accounts are topped up');
          amount = req.amount as number;
        }
        const payment: Payment = {
          id: secretId('pay'),
          msisdn,
          amount: money(amount),
          purpose,
          status: 'created',
          createdAt: ctx.nowIso,
          expiresAt: new Date(ctx.nowMs + PAYMENT_TTL_MS).toISOString(),
          ...(req.metadata ? { metadata: { ...req.metadata } } : {}),
        };
        ctx.sub.payments.push(payment);
        paymentIndex.set(payment.id, msisdn);
        ctx.changed = true;
        return ok(structuredClone(payment));
      });
    },

    async getPayment(paymentId) {
      const bad = checkText(paymentId, 'paymentId');
      if (bad) return bad as Result<Payment>;
      await loaded;
      const msisdn = paymentIndex.get(paymentId);
      const payment = msisdn ? findPaymentIn(await store.get(msisdn), paymentId) : undefined;
      if (!payment) return fail(ErrorCodes.PAYMENT_NOT_FOUND, 'no payment with this id');
      const copy = structuredClone(payment);
      // A link past its time reads as expired even before tick() records it.
      if (
        (copy.status === 'created' || copy.status === 'pending') &&
        Date.parse(copy.expiresAt) <= clock.now().getTime()
      ) {
        copy.status = 'expired';
      }
      return ok(copy);
    },

    async markPaymentPending(paymentId, o) {
      return paymentTransition('markPaymentPending', paymentId, {}, o, (ctx, p) => {
        if (p.status === 'pending') return ok(structuredClone(p));
        if (p.status !== 'created') return fail(ErrorCodes.PAYMENT_INVALID_STATE, `the payment is ${p.status}`);
        p.status = 'pending';
        ctx.changed = true;
        return ok(structuredClone(p));
      });
    },

    async settlePayment(paymentId, req, o) {
      const bad = checkText(req?.providerRef, 'providerRef', 200);
      if (bad) return bad as Result<Payment>;
      return paymentTransition('settlePayment', paymentId, { providerRef: req.providerRef }, o, (ctx, p) => {
        if (p.status === 'settled') return ok(structuredClone(p)); // exactly once: a repeat changes nothing
        if (p.status === 'failed') return fail(ErrorCodes.PAYMENT_INVALID_STATE, 'the payment failed');
        const sub = ctx.sub;
        if (p.purpose.type === 'bill') {
          const billId = p.purpose.billId;
          const bill = sub.bills.find((b) => b.id === billId);
          if (!bill) return fail(ErrorCodes.BILL_NOT_FOUND, 'the bill of this payment is gone');
          const applied = Math.min(p.amount.amount, bill.remainingAmount.amount);
          if (applied > 0) {
            bill.remainingAmount.amount -= applied;
            bill.state = bill.remainingAmount.amount === 0 ? 'settled' : 'partiallyPaid';
            ctx.post(`bill:${bill.id}`, 'money', -applied, bill.remainingAmount.amount, 'payment', p.id);
          }
          // Paid twice for the same bill (two links settled): the excess is credit on the account, not lost.
          if (p.amount.amount > applied) changeCredit(ctx, p.amount.amount - applied, 'payment.overpaid', p.id);
        } else {
          changeCredit(ctx, p.amount.amount, 'payment', p.id);
        }
        p.status = 'settled';
        p.settledAt = ctx.nowIso;
        ctx.event('payment.settled', `payment.settled:${p.id}`, {
          paymentId: p.id,
          amount: p.amount.amount,
          currency: p.amount.currency,
          purpose: p.purpose.type,
          ...(p.metadata ? { metadata: { ...p.metadata } } : {}),
        });
        return ok(structuredClone(p));
      });
    },

    async failPayment(paymentId, req, o) {
      const bad = checkText(req?.reason, 'reason', 500);
      if (bad) return bad as Result<Payment>;
      return paymentTransition('failPayment', paymentId, { reason: req.reason }, o, (ctx, p) => {
        if (p.status === 'failed') return ok(structuredClone(p));
        if (p.status === 'settled') return fail(ErrorCodes.PAYMENT_INVALID_STATE, 'the payment is already settled');
        p.status = 'failed';
        p.failureReason = req.reason;
        ctx.changed = true;
        ctx.event('payment.failed', `payment.failed:${p.id}`, {
          paymentId: p.id,
          reason: req.reason,
          ...(p.metadata ? { metadata: { ...p.metadata } } : {}),
        });
        return ok(structuredClone(p));
      });
    },

    // -- credit limits

    async requestCreditLimit(msisdn, req, o) {
      const bad = checkMsisdn(msisdn) ?? checkInteger(req?.amount, 'amount', { max: MAX_TOPUP * 10 });
      if (bad) return bad as Result<CreditLimitRequest>;
      return mutate('requestCreditLimit', msisdn, { amount: req.amount }, o, (ctx) => {
        const sub = ctx.sub;
        if (sub.plan !== 'postpaid') return fail(ErrorCodes.NOT_POSTPAID, 'credit limits are for postpaid accounts');
        const previous = sub.account.creditLimit?.amount ?? 0;
        if (req.amount <= previous) {
          return fail(ErrorCodes.INVALID_REQUEST, 'amount must be above the current credit limit', {
            field: 'amount',
            current: previous,
          });
        }
        const decision = autoDecideCreditLimit(sub, req.amount, ctx.now);
        const request: CreditLimitRequest = {
          id: secretId('clr'),
          msisdn,
          requested: money(req.amount),
          previous: money(previous),
          status: decision.approve ? 'approved' : 'pending',
          reason: decision.reason,
          createdAt: ctx.nowIso,
          ...(decision.approve ? { decidedBy: 'rule', decidedAt: ctx.nowIso } : {}),
        };
        if (decision.approve) {
          sub.account.creditLimit = money(req.amount);
          ctx.post('creditLimit', 'money', req.amount - previous, req.amount, 'creditLimit.auto', request.id);
        }
        sub.creditLimitRequests = [...(sub.creditLimitRequests ?? []), request];
        requestIndex.set(request.id, msisdn);
        ctx.changed = true;
        return ok(structuredClone(request));
      });
    },

    async decideCreditLimit(requestId, req, o) {
      const bad =
        checkText(requestId, 'requestId') ??
        (typeof req?.approve !== 'boolean'
          ? fail(ErrorCodes.INVALID_REQUEST, 'approve must be true or false', { field: 'approve' })
          : null) ??
        checkText(req.decidedBy, 'decidedBy', 100) ??
        (req.reason !== undefined ? checkText(req.reason, 'reason', 500) : null);
      if (bad) return bad as Result<CreditLimitRequest>;
      await loaded;
      const msisdn = requestIndex.get(requestId);
      if (!msisdn) return fail(ErrorCodes.CREDIT_LIMIT_REQUEST_NOT_FOUND, 'no credit-limit request with this id');
      const request = { approve: req.approve, decidedBy: req.decidedBy, reason: req.reason };
      return mutate('decideCreditLimit', msisdn, request, { actor: req.decidedBy, ...o }, (ctx) => {
        const r = ctx.sub.creditLimitRequests?.find((x) => x.id === requestId);
        if (!r) return fail(ErrorCodes.CREDIT_LIMIT_REQUEST_NOT_FOUND, 'no credit-limit request with this id');
        if (r.status !== 'pending') return fail(ErrorCodes.CREDIT_LIMIT_ALREADY_DECIDED, `already ${r.status}`);
        r.status = req.approve ? 'approved' : 'declined';
        r.decidedBy = req.decidedBy;
        r.decidedAt = ctx.nowIso;
        r.reason = req.reason ?? (req.approve ? 'approved by an agent' : 'declined by an agent');
        if (req.approve) {
          const previous = ctx.sub.account.creditLimit?.amount ?? 0;
          ctx.sub.account.creditLimit = money(r.requested.amount);
          ctx.post(
            'creditLimit',
            'money',
            r.requested.amount - previous,
            r.requested.amount,
            'creditLimit.agent',
            r.id,
          );
        }
        ctx.changed = true;
        return ok(structuredClone(r));
      });
    },

    // -- time-driven work

    async tick() {
      await loaded;
      const now = clock.now();
      const nowMs = now.getTime();
      // Only subscribers whose deadline has come; yield now and then so that no turn of the event loop is long.
      const due: Msisdn[] = [];
      let seen = 0;
      for (const [msisdn, at] of tickDeadlines) {
        if (at <= nowMs) due.push(msisdn);
        if (++seen % 20_000 === 0) await new Promise((r) => setImmediate(r));
      }
      const CHUNK = 500;
      for (let start = 0; start < due.length; start += CHUNK) {
        const pending: Promise<unknown>[] = [];
        for (const msisdn of due.slice(start, start + CHUNK)) {
          const rec = await store.get(msisdn);
          if (!rec) continue;
          if (needsTick(rec, nowMs)) pending.push(mutate('tick', msisdn, { at: now.toISOString() }, {}, tickBody));
          else trackDeadline(rec, nowMs);
        }
        await Promise.all(pending);
        await new Promise((r) => setImmediate(r));
      }
    },

    onEvent(listener) {
      listeners.add(listener);
      return () => {
        listeners.delete(listener);
      };
    },

    async close() {
      if (closed) return;
      await loaded;
      closed = true;
      await store.close();
    },
  };

  async function paymentTransition(
    op: string,
    paymentId: string,
    request: Record<string, unknown>,
    o: MutationOptions | undefined,
    step: (ctx: Ctx, p: Payment) => Result<Payment>,
  ): Promise<Result<Payment>> {
    const bad = checkText(paymentId, 'paymentId');
    if (bad) return bad as Result<Payment>;
    await loaded;
    const msisdn = paymentIndex.get(paymentId);
    if (!msisdn) return fail(ErrorCodes.PAYMENT_NOT_FOUND, 'no payment with this id');
    return mutate(op, msisdn, { paymentId, ...request }, o, (ctx) => {
      const p = findPaymentIn(ctx.rec, paymentId);
      if (!p) return fail(ErrorCodes.PAYMENT_NOT_FOUND, 'no payment with this id');
      if (p.status === 'expired') return fail(ErrorCodes.PAYMENT_EXPIRED, 'the payment link expired');
      if ((p.status === 'created' || p.status === 'pending') && Date.parse(p.expiresAt) <= ctx.nowMs) {
        // Expired but not yet recorded by tick(): refuse without changing anything (tick records it).
        return fail(ErrorCodes.PAYMENT_EXPIRED, 'the payment link expired');
      }
      return step(ctx, p);
    });
  }

  function needsTick(rec: AccountRecord, nowMs: number): boolean {
    const soon = nowMs + DUE_SOON_MS;
    for (const b of rec.subscriber.buckets) {
      const end = Date.parse(b.validFor.endDateTime);
      if (end <= nowMs && (b.remainingValue > 0 || end < nowMs - 30 * DAY_MS)) return true;
      if (end <= soon && end > nowMs && b.remainingValue > 0 && !rec.notified[`bucket.expiring:${b.id}`]) return true;
    }
    for (const bill of rec.subscriber.bills) {
      if (bill.remainingAmount.amount <= 0) continue;
      const due = Date.parse(bill.paymentDueDate);
      if (due <= nowMs && !rec.notified[`bill.overdue:${bill.id}`]) return true;
      if (due > nowMs && due <= soon && !rec.notified[`bill.dueSoon:${bill.id}`]) return true;
    }
    for (const p of rec.subscriber.payments) {
      if ((p.status === 'created' || p.status === 'pending') && Date.parse(p.expiresAt) <= nowMs) return true;
    }
    if (rec.reservations.some((r) => Date.parse(r.expiresAt) <= nowMs)) return true;
    if (rec.quotes.some((q) => Date.parse(q.expiresAt) <= nowMs - DAY_MS)) return true;
    if (rec.swaps.some((sw) => Date.parse(sw.executedAt) <= nowMs - DAY_MS - QUOTE_TTL_MS)) return true;
    return (keyDeadlines.get(rec.subscriber.msisdn) ?? Number.POSITIVE_INFINITY) <= nowMs;
  }

  function tickBody(ctx: Ctx): Result<null> {
    const { rec, sub, nowMs } = ctx;
    const m = sub.msisdn;
    for (const r of [...rec.reservations]) {
      if (Date.parse(r.expiresAt) > nowMs) continue;
      const b = sub.buckets.find((x) => x.id === r.bucketId);
      if (b) {
        b.remainingValue += r.quantity;
        ctx.post(b.id, b.unit, r.quantity, b.remainingValue, 'usage.release', r.id);
      }
      rec.reservations.splice(rec.reservations.indexOf(r), 1);
      reservationIndex.delete(r.id);
      ctx.changed = true;
    }
    for (const b of sub.buckets) {
      const end = Date.parse(b.validFor.endDateTime);
      if (end <= nowMs && b.remainingValue > 0) {
        const lost = b.remainingValue;
        b.remainingValue = 0;
        ctx.post(b.id, b.unit, -lost, 0, 'expiry');
        ctx.event('bucket.expired', `bucket.expired:${b.id}`, {
          bucketId: b.id,
          name: b.name,
          app: b.app,
          unit: b.unit,
          lost,
        });
      } else if (end > nowMs && end <= nowMs + DUE_SOON_MS && b.remainingValue > 0) {
        const id = `bucket.expiring:${b.id}`;
        if (!rec.notified[id]) {
          rec.notified[id] = ctx.nowIso;
          ctx.changed = true;
          ctx.event('bucket.expiring', id, {
            bucketId: b.id,
            name: b.name,
            app: b.app,
            unit: b.unit,
            remaining: b.remainingValue,
            endDateTime: b.validFor.endDateTime,
          });
        }
      }
    }
    const keep = sub.buckets.filter((b) => Date.parse(b.validFor.endDateTime) >= nowMs - 30 * DAY_MS);
    if (keep.length !== sub.buckets.length) {
      sub.buckets = keep;
      ctx.changed = true;
    }
    for (const bill of sub.bills) {
      if (bill.remainingAmount.amount <= 0) continue;
      const due = Date.parse(bill.paymentDueDate);
      const type = due <= nowMs ? 'bill.overdue' : due <= nowMs + DUE_SOON_MS ? 'bill.dueSoon' : null;
      if (!type) continue;
      const id = `${type}:${bill.id}`;
      if (rec.notified[id]) continue;
      rec.notified[id] = ctx.nowIso;
      ctx.changed = true;
      ctx.event(type, id, {
        billId: bill.id,
        billNo: bill.billNo,
        remaining: bill.remainingAmount.amount,
        currency: bill.remainingAmount.currency,
        paymentDueDate: bill.paymentDueDate,
      });
    }
    for (const p of sub.payments) {
      if ((p.status === 'created' || p.status === 'pending') && Date.parse(p.expiresAt) <= nowMs) {
        p.status = 'expired';
        ctx.changed = true;
      }
    }
    const quotes = rec.quotes.filter((q) => Date.parse(q.expiresAt) > nowMs - DAY_MS);
    if (quotes.length !== rec.quotes.length) {
      for (const q of rec.quotes) if (!quotes.includes(q)) quoteIndex.delete(q.id);
      rec.quotes = quotes;
      ctx.changed = true;
    }
    // A swap is kept as long as the quote it executed (a repeated confirmation finds it through the quote); its
    // undo window closed long before.
    const swaps = rec.swaps.filter((s) => Date.parse(s.executedAt) > nowMs - DAY_MS - QUOTE_TTL_MS);
    if (swaps.length !== rec.swaps.length) {
      for (const s of rec.swaps) if (!swaps.includes(s)) swapIndex.delete(s.id);
      rec.swaps = swaps;
      ctx.changed = true;
    }
    const keys = idempotencyOf(rec);
    if (keys.some((r) => r.at <= nowMs - IDEMPOTENCY_TTL_MS)) {
      rec.idempotency = keys.filter((r) => {
        if (r.at > nowMs - IDEMPOTENCY_TTL_MS) return true;
        if (keyIndex.get(r.key) === m) keyIndex.delete(r.key);
        return false;
      });
      ctx.changed = true;
    }
    trackKeys(rec);
    for (const [k, at] of Object.entries(rec.notified)) {
      if (Date.parse(at) <= nowMs - 90 * DAY_MS) {
        delete rec.notified[k];
        ctx.changed = true;
      }
    }
    return ok(null);
  }

  return core;
}

/**
 * The earliest time from which `needsTick(rec, t)` holds, as far as the record's state goes (Infinity: never).
 * Mirrors `needsTick` condition by condition; `nowMs` only rules out a due-soon window already passed.
 */
function nextTickAt(rec: AccountRecord, nowMs: number): number {
  let at = Number.POSITIVE_INFINITY;
  const consider = (t: number) => {
    if (t < at) at = t;
  };
  for (const b of rec.subscriber.buckets) {
    const end = Date.parse(b.validFor.endDateTime);
    if (b.remainingValue > 0) consider(rec.notified[`bucket.expiring:${b.id}`] ? end : end - DUE_SOON_MS);
    else consider(end + 30 * DAY_MS + 1);
  }
  for (const bill of rec.subscriber.bills) {
    if (bill.remainingAmount.amount <= 0) continue;
    const due = Date.parse(bill.paymentDueDate);
    if (!rec.notified[`bill.overdue:${bill.id}`]) consider(due);
    if (due > nowMs && !rec.notified[`bill.dueSoon:${bill.id}`]) consider(due - DUE_SOON_MS);
  }
  for (const p of rec.subscriber.payments) {
    if (p.status === 'created' || p.status === 'pending') consider(Date.parse(p.expiresAt));
  }
  for (const r of rec.reservations) consider(Date.parse(r.expiresAt));
  for (const q of rec.quotes) consider(Date.parse(q.expiresAt) + DAY_MS);
  for (const sw of rec.swaps) consider(Date.parse(sw.executedAt) + DAY_MS + QUOTE_TTL_MS);
  // Idempotency records: `keyDeadlines`.
  return at;
}

/**
 * A record's idempotency records as a list. Records written when they were an object keyed by the idempotency
 * key are converted in place (and so written as a list with the record's next change).
 */
function idempotencyOf(rec: AccountRecord): IdempotencyRecord[] {
  const v = rec.idempotency as IdempotencyRecord[] | Record<string, Omit<IdempotencyRecord, 'key'>>;
  if (Array.isArray(v)) return v;
  const list = Object.entries(v).map(([key, r]) => ({ key, fingerprint: r.fingerprint, result: r.result, at: r.at }));
  rec.idempotency = list;
  return list;
}

/** The earliest expiry of a record's idempotency records (Infinity: none). */
function keysDeadline(rec: AccountRecord): number {
  let at = Number.POSITIVE_INFINITY;
  for (const r of idempotencyOf(rec)) at = Math.min(at, r.at + IDEMPOTENCY_TTL_MS);
  return at;
}

/** Bumped whenever the digest's shape or meaning changes: digests of another version are recomputed at load. */
const DIGEST_VERSION = 1;

/** The start of a digest with a tick deadline and nothing else (see `indexDigest`). */
const TICK_ONLY_DIGEST = `{"v":${DIGEST_VERSION},"t":`;

/** What the core indexes from one record, as kept beside it by a store (keys short: one per subscriber). */
interface RecordDigest {
  v: number;
  /** `nextTickAt` (without idempotency records) when it was computed; absent: never. */
  t?: number;
  /** Earliest expiry of the idempotency records; absent: none. */
  k?: number;
  /** Ids of quotes, swaps, payments, credit-limit requests, reservations; idempotency keys. Absent: none. */
  q?: string[];
  s?: string[];
  p?: string[];
  c?: string[];
  r?: string[];
  i?: string[];
}

/**
 * The digest of a record that the core's load-time index needs (ids found without the MSISDN, tick deadlines),
 * as compact JSON text. A store keeps it beside the record (`RecordIndexer`), so that a start indexes 100,000
 * subscribers without parsing their records. `nowMs` only rules out due-soon windows already passed, so a
 * digest computed earlier gives an earlier (never a later) deadline: at worst one needless visit by `tick()`.
 */
export function chargingRecordDigest(rec: AccountRecord, nowMs: number): string {
  const d: RecordDigest = { v: DIGEST_VERSION };
  const t = nextTickAt(rec, nowMs);
  if (t !== Number.POSITIVE_INFINITY) d.t = t;
  const k = keysDeadline(rec);
  if (k !== Number.POSITIVE_INFINITY) d.k = k;
  const ids = <T extends { id: string }>(xs: T[] | undefined) =>
    xs && xs.length > 0 ? xs.map((x) => x.id) : undefined;
  const q = ids(rec.quotes);
  if (q) d.q = q;
  const s = ids(rec.swaps);
  if (s) d.s = s;
  const p = ids(rec.subscriber.payments);
  if (p) d.p = p;
  const c = ids(rec.subscriber.creditLimitRequests);
  if (c) d.c = c;
  const r = ids(rec.reservations);
  if (r) d.r = r;
  const i = idempotencyOf(rec).map((r) => r.key);
  if (i.length > 0) d.i = i;
  return JSON.stringify(d);
}

/** Freezes `value` and everything in it; returns it. */
function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const v of Object.values(value)) deepFreeze(v);
  }
  return value;
}

/** Base of `Deadlines`: 2024-01-01T00:00:00Z. */
const DEADLINE_BASE_MS = Date.UTC(2024, 0, 1);

/**
 * A deadline (epoch ms) per subscriber, kept as whole seconds since 2024: small integers, which V8 stores in the
 * map itself. Epoch milliseconds do not fit, so each update would allocate a number object that the map (long
 * lived, 100,000 entries) points at, and every young-generation collection would have to visit. Rounded down:
 * a deadline read back is never later than the one set.
 */
class Deadlines {
  readonly #seconds = new ShardedMap<number>();

  get(msisdn: Msisdn): number | undefined {
    const s = this.#seconds.get(msisdn);
    return s === undefined ? undefined : DEADLINE_BASE_MS + s * 1000;
  }

  set(msisdn: Msisdn, atMs: number): void {
    this.#seconds.set(msisdn, Math.floor((atMs - DEADLINE_BASE_MS) / 1000));
  }

  delete(msisdn: Msisdn): void {
    this.#seconds.delete(msisdn);
  }

  *[Symbol.iterator](): IterableIterator<[Msisdn, number]> {
    for (const [msisdn, s] of this.#seconds) yield [msisdn, DEADLINE_BASE_MS + s * 1000];
  }
}
