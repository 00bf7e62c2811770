import { mkdirSync, readdirSync, rmSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Low } from 'lowdb';
import { TextFile } from 'lowdb/node';
import type { LedgerEntry } from '../../../charging/model.js';
import type { AccountRecord, ChargingStore, Mutation } from '../../../charging/store.js';
import { CoalescingJsonFile } from './coalescing-json-file.js';
import { lockDir } from './dir-lock.js';
import { shardFileName, shardOf } from './shard-of.js';

/** One shard file: its subscribers' records, and ledger entries waiting to be sealed into a segment. */
interface ShardData {
  version: 1;
  records: Record<string, AccountRecord>;
  /** Ledger entries moved out of records, oldest first, not yet in a sealed segment. */
  overflow: LedgerEntry[];
  /** Number of the next segment file; segments 0..nextSegment-1 are sealed and never rewritten. */
  nextSegment: number;
}

export interface LowdbChargingStoreOptions {
  dir: string;
  /** Shard files subscribers are hashed into; fixed for the life of a directory. Default 1024. */
  shards?: number;
  /** Shards kept in memory at once (least recently used are dropped once written). Default 256. */
  cachedShards?: number;
  /** Ledger entries kept inside a record; older ones move to the shard's overflow. Default 16. */
  recentLedger?: number;
  /** Overflow entries per sealed segment file. Default 2000. */
  segmentSize?: number;
}

interface Shard {
  db: Low<ShardData>;
  file: CoalescingJsonFile<ShardData>;
  /** Mutations running or waiting for their write: a busy shard is never dropped from memory. */
  busy: number;
  sealing: boolean;
}

const EMPTY = (): ShardData => ({ version: 1, records: {}, overflow: [], nextSegment: 0 });

/**
 * The charging core's store on lowdb JSON files, shaped so that a write's cost does not grow with the number
 * of subscribers:
 *
 * - Subscribers are hashed (FNV-1a of the MSISDN) into `shards` files `shard-NNNN.json`. A mutation changes
 *   one record, so it rewrites one shard file of ~N/shards subscribers.
 * - Each mutation runs synchronously on the shard's in-memory lowdb data (as `Low.update(fn)` does: fn, then
 *   write) and is acknowledged once the atomic write (lowdb `TextFile` = steno: temp file + rename) holding
 *   it completed. `CoalescingJsonFile` groups every mutation that arrives while a write is queued or in flight
 *   into the next single write, serialised per file.
 * - A record keeps its `recentLedger` latest ledger entries; older ones go to the shard's `overflow`, and
 *   every `segmentSize` of those are sealed into `ledger/shard-NNNN-SSSSSS.json`, written once, never
 *   rewritten. If a crash falls between sealing and the shard write that drops the entries, the orphan
 *   segment is deleted at load (the shard still holds them) and sealed again.
 * - Shards load lazily and at most `cachedShards` stay in memory, so memory does not grow with subscribers;
 *   `load()` reads every shard once only to let the core rebuild its id indexes.
 * - `<dir>/LOCK` holds the owner's pid: a second process on the same directory is refused.
 */
export function createLowdbChargingStore(opts: LowdbChargingStoreOptions): ChargingStore {
  const dir = opts.dir;
  const shards = opts.shards ?? 1024;
  const cacheSize = Math.max(1, opts.cachedShards ?? 256);
  const recent = Math.max(2, opts.recentLedger ?? 16);
  const segmentSize = Math.max(1, opts.segmentSize ?? 2000);
  const ledgerDir = join(dir, 'ledger');
  let release: (() => void) | null = lockDir(dir);
  mkdirSync(ledgerDir, { recursive: true });

  /** Loaded shards; Map order is recency (re-inserted on use), so the first entries are least recently used. */
  const loaded = new Map<number, Shard>();
  const loading = new Map<number, { promise: Promise<Shard>; waiters: number }>();

  const segmentPath = (shard: number, seq: number) =>
    join(ledgerDir, `${shardFileName('shard', shard).replace('.json', '')}-${String(seq).padStart(6, '0')}.json`);

  async function open(n: number): Promise<Shard> {
    const file = new CoalescingJsonFile<ShardData>(join(dir, shardFileName('shard', n)));
    const db = new Low<ShardData>(file, EMPTY());
    await db.read();
    // An orphan segment: sealed, but the crash came before the shard write that removes its entries.
    rmSync(segmentPath(n, db.data.nextSegment), { force: true });
    return { db, file, busy: 0, sealing: false };
  }

  /**
   * Hands out a shard with `busy` already counted for the caller (who must `busy--` when done), in the same
   * synchronous step that makes it available, so that eviction can never drop a shard someone holds: a
   * dropped shard still being written while a fresh copy is read would lose updates.
   */
  function acquire(n: number): Promise<Shard> {
    if (!release) return Promise.reject(new Error('the charging store is closed'));
    const hit = loaded.get(n);
    if (hit) {
      hit.busy++;
      loaded.delete(n);
      loaded.set(n, hit);
      return Promise.resolve(hit);
    }
    let pending = loading.get(n);
    if (!pending) {
      const entry: { promise: Promise<Shard>; waiters: number } = {
        waiters: 0,
        promise: Promise.resolve(null as never),
      };
      entry.promise = open(n).then(
        (shard) => {
          shard.busy += entry.waiters;
          loading.delete(n);
          loaded.set(n, shard);
          evict();
          return shard;
        },
        (err: unknown) => {
          loading.delete(n);
          throw err;
        },
      );
      loading.set(n, entry);
      pending = entry;
    }
    pending.waiters++;
    return pending.promise;
  }

  /** Drops least recently used shards that nobody holds and that have nothing left to write. */
  function evict(): void {
    if (loaded.size <= cacheSize) return;
    for (const [n, s] of loaded) {
      if (loaded.size <= cacheSize) break;
      if (s.busy === 0 && !s.sealing && s.file.idle()) loaded.delete(n);
    }
  }

  function rollLedger(shard: Shard, rec: AccountRecord): void {
    if (rec.ledger.length <= recent) return;
    const moved = rec.ledger.splice(0, rec.ledger.length - Math.floor(recent / 2));
    for (const e of moved) shard.db.data.overflow.push(e);
  }

  /** Seals the oldest `segmentSize` overflow entries; the caller counted `busy` for it. */
  async function seal(n: number, shard: Shard): Promise<void> {
    shard.sealing = true;
    try {
      const data = shard.db.data;
      const entries = data.overflow.slice(0, segmentSize);
      await new TextFile(segmentPath(n, data.nextSegment)).write(JSON.stringify(entries));
      // Sealed: drop exactly those entries (newer ones were appended behind them meanwhile).
      data.overflow.splice(0, entries.length);
      data.nextSegment++;
      await shard.db.write();
    } finally {
      shard.sealing = false;
      shard.busy--;
    }
  }

  return {
    async load(visit) {
      // Reads each shard once, in order, to give the core every record; only `cacheSize` stay in memory.
      for (let n = 0; n < shards; n++) {
        const shard = await acquire(n);
        for (const rec of Object.values(shard.db.data.records)) visit(rec);
        shard.busy--;
      }
    },

    async get(msisdn) {
      const shard = await acquire(shardOf(msisdn, shards));
      shard.busy--;
      return shard.db.data.records[msisdn];
    },

    async update<T>(msisdn: string, fn: (record: AccountRecord | undefined) => Mutation<T>): Promise<T> {
      const n = shardOf(msisdn, shards);
      const shard = await acquire(n);
      try {
        // Low.update(fn) is `fn(data); await write()`: the same, except that a mutation which changed nothing
        // waits for the shard's pending write instead of causing one.
        const data = shard.db.data;
        const m = fn(data.records[msisdn]);
        if (m.create && !data.records[msisdn]) data.records[msisdn] = m.create;
        if (!m.changed && !m.create) {
          await shard.file.settled();
          return m.value;
        }
        const rec = data.records[msisdn];
        if (rec) rollLedger(shard, rec);
        await shard.db.write();
        if (data.overflow.length >= segmentSize && !shard.sealing) {
          shard.busy++; // held by the sealing until it is done
          void seal(n, shard);
        }
        return m.value;
      } finally {
        shard.busy--;
      }
    },

    async ledgerHistory(msisdn) {
      const n = shardOf(msisdn, shards);
      const shard = await acquire(n);
      try {
        const out: LedgerEntry[] = [];
        const sealed = shard.db.data.nextSegment;
        for (let seq = 0; seq < sealed; seq++) {
          const entries = JSON.parse(await readFile(segmentPath(n, seq), 'utf8')) as LedgerEntry[];
          for (const e of entries) if (e.msisdn === msisdn) out.push(e);
        }
        // Re-read after the awaits: sealing may have moved entries meanwhile; segments past `sealed` hold
        // entries now gone from the overflow.
        for (let seq = sealed; seq < shard.db.data.nextSegment; seq++) {
          const entries = JSON.parse(await readFile(segmentPath(n, seq), 'utf8')) as LedgerEntry[];
          for (const e of entries) if (e.msisdn === msisdn) out.push(e);
        }
        for (const e of shard.db.data.overflow) if (e.msisdn === msisdn) out.push(e);
        for (const e of shard.db.data.records[msisdn]?.ledger ?? []) out.push(e);
        return out;
      } finally {
        shard.busy--;
      }
    },

    async close() {
      if (!release) return;
      for (const l of [...loading.values()]) await l.promise.catch(() => null);
      for (const s of [...loaded.values()]) {
        while (s.sealing) await new Promise((r) => setTimeout(r, 1));
        await s.file.drain();
      }
      loaded.clear();
      release();
      release = null;
    },
  };
}

/** Shard files present in a directory (for tools and tests). */
export function shardFiles(dir: string): string[] {
  return readdirSync(dir).filter((f) => /^shard-\d{4}\.json$/.test(f));
}
