/**
 * Direct Line conversations and their activity logs, on botbuilder's `Storage` (MemoryStorage in tests,
 * LowdbStorage at run time), so a reloaded page with the same token sees its history after a restart.
 *
 * - A conversation is a small header item (`webchat/conversation/<id>`: who, since when, the sequence numbers
 *   it holds) plus its log in chunks of `LOG_CHUNK` activities (`webchat/conversation/<id>/log/<n>`, activities
 *   with seq n*LOG_CHUNK+1 .. (n+1)*LOG_CHUNK). Appending an activity writes the header and the one chunk it
 *   falls in, never the whole log: the cost of a message does not grow with the length of the conversation.
 * - Logs are bounded to the last `maxActivities` activities; chunks wholly older than that are deleted (a
 *   watermark older than the log just replays what is left).
 * - Watermarks are the sequence number of the last activity seen, as a string (opaque to the client).
 * - Records are cached in memory (least recently used evicted) and written through; writes of one conversation
 *   are serialized and coalesced (a write that finds a newer one queued behind it is skipped).
 * - A header written by an earlier version with the whole log inside (`activities`) is still read; its next
 *   write moves the log into chunks.
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
  /** Log chunks changed since the last write. */
  dirtyChunks: Set<number>;
  /** Lowest chunk that may still be in storage (chunks below it were deleted). */
  storedFromChunk: number;
}

/** The stored header: the record without its activities. */
interface StoredHeader extends Omit<ConversationRecord, 'activities'> {
  /** Seq of the oldest activity kept (0: none yet). */
  firstSeq?: number;
  /** Only in headers written by an earlier version: the whole log. */
  activities?: LoggedActivity[];
  eTag?: string;
}

const KEY_PREFIX = 'webchat/conversation/';
/** Activities per stored log chunk: small enough that a write is cheap, large enough that a reload reads few. */
export const LOG_CHUNK = 8;

const chunkOf = (seq: number) => Math.floor((seq - 1) / LOG_CHUNK);
const chunkKey = (id: string, n: number) => `${KEY_PREFIX}${id}/log/${n}`;

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
    const entry = newEntry({ ...record, lastSeq: 0, activities: [] }, 0);
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
   * (still synchronously, so a stream that replays from memory never misses or doubles it), and starts its write.
   * Resolves once the activity is in the log in memory; `persisted` settles when it is durable. A turn that sends
   * several activities waits for all of them once, at its end, and their writes coalesce into fewer.
   */
  async append(
    id: string,
    activity: Partial<Activity>,
    onLogged: (logged: Partial<Activity>, watermark: string) => void,
  ): Promise<{ logged: Partial<Activity>; persisted: Promise<void> }> {
    const entry = await this.#entry(id);
    if (!entry) throw new Error('ConversationStore.append: unknown conversation');
    const rec = entry.record;
    const seq = rec.lastSeq + 1;
    const logged: Partial<Activity> = { ...activity, id: `${id}|${String(seq).padStart(7, '0')}` };
    rec.lastSeq = seq;
    rec.activities.push({ seq, activity: logged });
    if (rec.activities.length > this.opts.maxActivities)
      rec.activities.splice(0, rec.activities.length - this.opts.maxActivities);
    entry.dirtyChunks.add(chunkOf(seq));
    entry.version++;
    onLogged(logged, String(seq));
    return { logged, persisted: this.#persist(id, entry) };
  }

  /** Replaces a logged activity with the same id (botbuilder's updateActivity). */
  async replace(id: string, activity: Partial<Activity>): Promise<boolean> {
    const entry = await this.#entry(id);
    const item = entry?.record.activities.find((a) => a.activity.id === activity.id);
    if (!entry || !item) return false;
    item.activity = { ...item.activity, ...activity };
    entry.dirtyChunks.add(chunkOf(item.seq));
    entry.version++;
    await this.#persist(id, entry);
    return true;
  }

  async remove(id: string, activityId: string): Promise<boolean> {
    const entry = await this.#entry(id);
    if (!entry) return false;
    const gone = entry.record.activities.find((a) => a.activity.id === activityId);
    if (!gone) return false;
    entry.record.activities = entry.record.activities.filter((a) => a !== gone);
    entry.dirtyChunks.add(chunkOf(gone.seq));
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
    const stored = items[key] as StoredHeader | undefined;
    if (!stored) return undefined;
    const { eTag: _eTag, firstSeq, activities: legacyLog, ...header } = stored;
    let activities: LoggedActivity[];
    let fromChunk: number;
    if (legacyLog) {
      activities = legacyLog;
      fromChunk = header.lastSeq > 0 ? chunkOf(header.lastSeq) + 1 : 0; // no chunks stored yet
    } else if (!firstSeq || header.lastSeq === 0) {
      activities = [];
      fromChunk = 0;
    } else {
      fromChunk = chunkOf(firstSeq);
      const keys: string[] = [];
      for (let n = fromChunk; n <= chunkOf(header.lastSeq); n++) keys.push(chunkKey(id, n));
      const chunks = await this.storage.read(keys);
      activities = [];
      for (const k of keys) {
        const chunk = chunks[k] as { activities?: LoggedActivity[] } | undefined;
        for (const a of chunk?.activities ?? []) if (a.seq >= firstSeq) activities.push(a);
      }
    }
    // A concurrent create may have filled the cache while we read.
    const raced = this.#cache.get(id);
    if (raced) return raced;
    const entry = newEntry({ ...header, activities }, 1, fromChunk);
    // An earlier version's header: its next write moves the log into chunks.
    if (legacyLog) for (const a of activities) entry.dirtyChunks.add(chunkOf(a.seq));
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
      const { activities, ...header } = entry.record;
      const firstSeq = activities[0]?.seq ?? header.lastSeq;
      const changes: Record<string, object> = {
        [KEY_PREFIX + id]: { ...header, firstSeq, eTag: '*' } satisfies StoredHeader,
      };
      const dirty = [...entry.dirtyChunks];
      entry.dirtyChunks.clear();
      for (const n of dirty) changes[chunkKey(id, n)] = { activities: chunkActivities(activities, n), eTag: '*' };
      // Chunks wholly older than the log bound: delete them once the header no longer points at them.
      const keepFrom = activities.length > 0 ? chunkOf(firstSeq) : chunkOf(header.lastSeq + 1);
      const stale: string[] = [];
      for (let n = entry.storedFromChunk; n < keepFrom; n++) stale.push(chunkKey(id, n));
      try {
        await this.storage.write(changes);
      } catch (error) {
        for (const n of dirty) entry.dirtyChunks.add(n); // the next write carries them again
        throw error;
      }
      entry.writtenVersion = Math.max(entry.writtenVersion, version);
      for (const n of dirty) entry.storedFromChunk = Math.min(entry.storedFromChunk, n);
      if (stale.length > 0) {
        entry.storedFromChunk = keepFrom;
        await this.storage.delete(stale);
      }
    });
    // The chain itself never rejects (the caller gets the error), so later writes still run.
    entry.chain = next.catch(() => {});
    return next;
  }
}

function newEntry(record: ConversationRecord, written: number, storedFromChunk = 0): CacheEntry {
  return {
    record,
    version: 1,
    writtenVersion: written,
    chain: Promise.resolve(),
    dirtyChunks: new Set(),
    storedFromChunk,
  };
}

/** The activities of chunk `n`, from the end of the log (where the changes are). */
function chunkActivities(activities: LoggedActivity[], n: number): LoggedActivity[] {
  const lo = n * LOG_CHUNK + 1;
  const hi = lo + LOG_CHUNK - 1;
  let i = activities.length;
  while (i > 0 && (activities[i - 1]?.seq ?? 0) >= lo) i--;
  const out: LoggedActivity[] = [];
  for (let j = i; j < activities.length; j++) {
    const a = activities[j]!;
    if (a.seq > hi) break;
    out.push(a);
  }
  return out;
}
