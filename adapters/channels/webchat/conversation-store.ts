/**
 * Direct Line conversations and their activity logs, on botbuilder's `Storage` (MemoryStorage in tests,
 * LowdbStorage at run time), so a reloaded page with the same token sees its history after a restart.
 *
 * - One storage item per conversation (`webchat/conversation/<id>`) holding the last `maxActivities` activities:
 *   logs are bounded; older activities fall off (a watermark older than the log just replays what is left).
 * - Watermarks are the sequence number of the last activity seen, as a string (opaque to the client).
 * - Records are cached in memory (least recently used evicted) and written through; writes of one conversation
 *   are serialized and coalesced (a write that finds a newer one queued behind it is skipped).
 */
import type { Activity, Storage } from 'botbuilder';

export interface ConversationRecord {
  id: string;
  /** The visitor's user id (the token's `user`). */
  userId: string;
  /** Verified MSISDN when the conversation was started with a signed identity. */
  msisdn?: string;
  createdAt: string;
  /** Sequence number of the last logged activity (0 = none yet). */
  lastSeq: number;
  activities: LoggedActivity[];
}

export interface LoggedActivity {
  seq: number;
  activity: Partial<Activity>;
}

export interface ActivityPage {
  activities: Partial<Activity>[];
  watermark: string;
}

interface CacheEntry {
  record: ConversationRecord;
  version: number;
  writtenVersion: number;
  chain: Promise<void>;
}

const KEY_PREFIX = 'webchat/conversation/';

export class ConversationStore {
  readonly #cache = new Map<string, CacheEntry>();
  readonly #loading = new Map<string, Promise<CacheEntry | undefined>>();

  constructor(
    private readonly storage: Storage,
    private readonly opts: { maxActivities: number; maxCached: number },
  ) {}

  /** Creates a conversation (no-op returning the existing one if the id is taken). */
  async create(record: Omit<ConversationRecord, 'lastSeq' | 'activities'>): Promise<ConversationRecord> {
    const existing = await this.#entry(record.id);
    if (existing) return existing.record;
    const entry: CacheEntry = {
      record: { ...record, lastSeq: 0, activities: [] },
      version: 1,
      writtenVersion: 0,
      chain: Promise.resolve(),
    };
    this.#remember(record.id, entry);
    await this.#persist(record.id, entry);
    return entry.record;
  }

  async get(id: string): Promise<ConversationRecord | undefined> {
    return (await this.#entry(id))?.record;
  }

  /** The record if it is in memory (no storage read): for code paths that must stay synchronous. */
  peek(id: string): ConversationRecord | undefined {
    return this.#cache.get(id)?.record;
  }

  /**
   * Appends an activity: gives it its id (`<conversation>|<seq>`), updates memory synchronously, calls `onLogged`
   * (still synchronously, so a stream that replays from memory never misses or doubles it), then persists.
   */
  async append(
    id: string,
    activity: Partial<Activity>,
    onLogged: (logged: Partial<Activity>, watermark: string) => void,
  ): Promise<Partial<Activity>> {
    const entry = await this.#entry(id);
    if (!entry) throw new Error('ConversationStore.append: unknown conversation');
    const rec = entry.record;
    const seq = rec.lastSeq + 1;
    const logged: Partial<Activity> = { ...activity, id: `${id}|${String(seq).padStart(7, '0')}` };
    rec.lastSeq = seq;
    rec.activities.push({ seq, activity: logged });
    if (rec.activities.length > this.opts.maxActivities)
      rec.activities.splice(0, rec.activities.length - this.opts.maxActivities);
    entry.version++;
    onLogged(logged, String(seq));
    await this.#persist(id, entry);
    return logged;
  }

  /** Replaces a logged activity with the same id (botbuilder's updateActivity). */
  async replace(id: string, activity: Partial<Activity>): Promise<boolean> {
    const entry = await this.#entry(id);
    const item = entry?.record.activities.find((a) => a.activity.id === activity.id);
    if (!entry || !item) return false;
    item.activity = { ...item.activity, ...activity };
    entry.version++;
    await this.#persist(id, entry);
    return true;
  }

  async remove(id: string, activityId: string): Promise<boolean> {
    const entry = await this.#entry(id);
    if (!entry) return false;
    const before = entry.record.activities.length;
    entry.record.activities = entry.record.activities.filter((a) => a.activity.id !== activityId);
    if (entry.record.activities.length === before) return false;
    entry.version++;
    await this.#persist(id, entry);
    return true;
  }

  /**
   * Activities after `watermark` (synchronous, from memory: the caller loaded the record first). A missing or
   * unparsable watermark means "from the start" (Direct Line clients send an empty one on their first call).
   */
  since(record: ConversationRecord, watermark: string | undefined): ActivityPage {
    const after = watermark !== undefined && /^\d+$/.test(watermark) ? Number(watermark) : 0;
    return {
      activities: record.activities.filter((a) => a.seq > after).map((a) => a.activity),
      watermark: String(record.lastSeq),
    };
  }

  /** Waits for every queued write (shutdown, tests). */
  async flush(): Promise<void> {
    await Promise.all([...this.#cache.values()].map((e) => e.chain));
  }

  async #entry(id: string): Promise<CacheEntry | undefined> {
    const cached = this.#cache.get(id);
    if (cached) {
      this.#remember(id, cached);
      return cached;
    }
    let loading = this.#loading.get(id);
    if (!loading) {
      loading = this.#load(id).finally(() => this.#loading.delete(id));
      this.#loading.set(id, loading);
    }
    return loading;
  }

  async #load(id: string): Promise<CacheEntry | undefined> {
    const key = KEY_PREFIX + id;
    const items = await this.storage.read([key]);
    const stored = items[key] as (ConversationRecord & { eTag?: string }) | undefined;
    if (!stored) return undefined;
    // A concurrent create may have filled the cache while we read.
    const raced = this.#cache.get(id);
    if (raced) return raced;
    const { eTag: _eTag, ...record } = stored;
    const entry: CacheEntry = { record, version: 1, writtenVersion: 1, chain: Promise.resolve() };
    this.#remember(id, entry);
    return entry;
  }

  #remember(id: string, entry: CacheEntry): void {
    // Map order is insertion order: re-inserting makes it the most recently used.
    this.#cache.delete(id);
    this.#cache.set(id, entry);
    if (this.#cache.size <= this.opts.maxCached) return;
    for (const [oldId, old] of this.#cache) {
      if (this.#cache.size <= this.opts.maxCached) break;
      if (old.writtenVersion >= old.version) this.#cache.delete(oldId);
    }
  }

  #persist(id: string, entry: CacheEntry): Promise<void> {
    const wanted = entry.version;
    const next = entry.chain.then(async () => {
      if (entry.writtenVersion >= wanted) return; // a later write already carried this change
      const version = entry.version;
      await this.storage.write({ [KEY_PREFIX + id]: { ...entry.record, eTag: '*' } });
      entry.writtenVersion = Math.max(entry.writtenVersion, version);
    });
    // The chain itself never rejects (the caller gets the error), so later writes still run.
    entry.chain = next.catch(() => {});
    return next;
  }
}
