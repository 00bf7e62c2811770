import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import { TextFile } from 'lowdb/node';
import type { LedgerEntry } from '../../../charging/model.js';
import type { AccountRecord, ChargingStore, Mutation } from '../../../charging/store.js';
import {
  EMPTY_POSITION,
  FORMAT_VERSION,
  JOURNAL_DIR,
  type JournalFile,
  journalPath,
  journalSeq,
  LEDGER_DIR,
  type LedgerPosition,
  type MetaFile,
  metaPath,
  type ShardFile,
  shardPath,
} from './charging-store-format.js';
import { type CommitSignal, commitSignal } from './commit-batch.js';
import { lockDir } from './dir-lock.js';
import { appendChunks, planAppend, readCommitted } from './ledger-segments.js';
import { shardOf } from './shard-of.js';
import { StringPool } from './string-pool.js';

export interface LowdbChargingStoreOptions {
  dir: string;
  /** Shard files records are hashed into. Fixed for the life of a directory (kept in meta.json). Default 1024. */
  shards?: number;
  /** Ledger lines per segment file. Fixed for the life of a directory (kept in meta.json). Default 4096. */
  segmentSize?: number;
  /**
   * Journal bytes not yet folded into shard files above which every journal write also folds a few shards.
   * Bounds the journal (and so the replay at start) under sustained load. Default 16 MiB.
   */
  foldAfterBytes?: number;
  /** While nothing is being written, fold `foldPerIdle` dirty shards every this many ms (0: never). Default 100. */
  idleFoldMs?: number;
  foldPerIdle?: number;
}

/** One commit batch: every mutation acknowledged by the same journal write. */
interface Batch extends CommitSignal {
  dirty: Set<string>;
  ledger: LedgerEntry[];
}

function newBatch(): Batch {
  return { dirty: new Set(), ledger: [], ...commitSignal() };
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * The charging core's store on lowdb files: every record in memory, a write-ahead journal with group commit,
 * and a background fold of the journal into shard files (layout and crash reasoning in README.md here).
 *
 * - `update` runs the mutation synchronously on the in-memory record and adds the record to the open batch.
 *   A batch is written as ONE journal file (lowdb `TextFile` = steno: temp file + rename) as soon as the
 *   previous journal write has completed; every mutation in it is acknowledged once that rename is done.
 *   A write holds only the records changed since the last one and their new ledger entries, so its cost
 *   does not depend on the number of subscribers.
 * - Ledger entries leave the records as soon as they are committed: records stay small, and the ledger lives
 *   in append-only segment files per shard (`segmentSize` lines each), committed by the shard file.
 * - Folding a shard snapshots its records at a journal boundary (right when a batch is sealed, or while idle),
 *   appends its pending ledger lines, and rewrites the shard file once that batch is durable. A journal file
 *   is deleted once every shard it touched is folded past it. Folds go one at a time, a few per journal
 *   write, so no event-loop turn does much of it.
 * - Load reads every shard file, then replays the journal in order, applying a batch to a shard only when the
 *   shard is not already folded past it: replays are idempotent, and a crash between a fold and the deletion
 *   of journal files it covers loses nothing and doubles nothing.
 * - `<dir>/LOCK` holds the owner's pid: a second process on the same directory is refused.
 */
export function createLowdbChargingStore(opts: LowdbChargingStoreOptions): ChargingStore {
  const dir = opts.dir;
  let release: (() => void) | null = lockDir(dir);
  mkdirSync(join(dir, JOURNAL_DIR), { recursive: true });
  mkdirSync(join(dir, LEDGER_DIR), { recursive: true });
  const meta = readOrWriteMeta(dir, {
    version: FORMAT_VERSION,
    shards: opts.shards ?? 1024,
    segmentSize: opts.segmentSize ?? 4096,
  });
  const shards = meta.shards;
  const segmentSize = meta.segmentSize;
  const foldAfterBytes = opts.foldAfterBytes ?? 16 * 1024 * 1024;
  const foldPerIdle = Math.max(1, opts.foldPerIdle ?? 8);

  const records = new Map<string, AccountRecord>();
  const members: string[][] = Array.from({ length: shards }, () => []);
  /** Per shard: the journal seq its file is folded through, and its committed ledger end. */
  const through: number[] = new Array(shards).fill(0);
  const ledgerPos: LedgerPosition[] = new Array(shards).fill(EMPTY_POSITION);
  /** Per shard: ledger lines in sealed journal batches, not yet handed to a fold. */
  const unfolded: string[][] = Array.from({ length: shards }, () => []);
  /** Shards with sealed changes not folded yet; insertion order = oldest first. */
  const dirtyShards = new Set<number>();
  /** Shards whose fold is under way, with the ledger lines it is appending. */
  const folding = new Map<number, string[]>();
  /** Journal files not yet deleted, with the shards not yet folded past them. */
  const journals = new Map<number, { shards: Set<number>; bytes: number }>();
  const shardJournals: number[][] = Array.from({ length: shards }, () => []);
  let journalBytes = 0;
  let lastSeq = 0;

  let batch = newBatch();
  let writing: Batch | null = null;
  let scheduled = false;
  let foldChain: Promise<void> = Promise.resolve();
  let foldsQueued = 0;
  let broken: unknown = null;
  let closing = false;
  let loaded = false;

  const ready = open().then(() => {
    loaded = true;
  });
  ready.catch(() => {});

  const idleMs = opts.idleFoldMs ?? 100;
  const idleTimer = idleMs > 0 ? setInterval(idleFold, idleMs) : null;
  idleTimer?.unref();

  // ---- load ----

  async function open(): Promise<void> {
    for (const d of [dir, join(dir, JOURNAL_DIR)]) {
      // Torn temp files of writes a crash interrupted: their rename never happened, so nothing refers to them.
      for (const f of readdirSync(d)) if (f.startsWith('.') && f.endsWith('.tmp')) rmSync(join(d, f), { force: true });
    }
    const pool = new StringPool();
    const take = (rec: AccountRecord, k: number) => {
      pool.intern(rec);
      rec.ledger = [];
      const m = rec.subscriber.msisdn;
      if (!records.has(m)) members[k]!.push(m);
      records.set(m, rec);
    };
    // Read a few files ahead while parsing, so disk waits and parsing overlap.
    const AHEAD = 8;
    const reads: Promise<string | null>[] = [];
    const readShard = (k: number) =>
      readFile(shardPath(dir, k), 'utf8').catch((e: unknown) => {
        if (isMissing(e)) return null;
        throw e;
      });
    for (let k = 0; k < Math.min(AHEAD, shards); k++) reads.push(readShard(k));
    for (let k = 0; k < shards; k++) {
      const text = await reads[k]!;
      if (k + AHEAD < shards) reads.push(readShard(k + AHEAD));
      reads[k] = Promise.resolve(null); // let the text go
      if (text === null) continue;
      const file = JSON.parse(text) as ShardFile;
      if (file.version !== FORMAT_VERSION) throw new Error(`${shardPath(dir, k)}: unknown format ${file.version}`);
      through[k] = file.through;
      ledgerPos[k] = file.ledger;
      lastSeq = Math.max(lastSeq, file.through);
      for (const rec of file.records) take(rec, k);
    }
    const seqs = readdirSync(join(dir, JOURNAL_DIR))
      .map(journalSeq)
      .filter((s): s is number => s !== null)
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const text = await readFile(journalPath(dir, seq), 'utf8');
      const file = JSON.parse(text) as JournalFile;
      const touched = new Set<number>();
      for (const rec of file.records) {
        const k = shardOf(rec.subscriber.msisdn, shards);
        if (seq <= through[k]!) continue; // already folded into the shard file
        take(rec, k);
        touched.add(k);
      }
      for (const e of file.ledger) {
        const k = shardOf(e.msisdn, shards);
        if (seq <= through[k]!) continue;
        unfolded[k]!.push(JSON.stringify(e));
        touched.add(k);
      }
      lastSeq = Math.max(lastSeq, seq);
      if (touched.size === 0) {
        // Folded everywhere, but the crash came before its deletion.
        await unlink(journalPath(dir, seq)).catch(() => {});
        continue;
      }
      journals.set(seq, { shards: touched, bytes: text.length });
      journalBytes += text.length;
      for (const k of touched) {
        shardJournals[k]!.push(seq);
        dirtyShards.add(k);
      }
    }
    pool.clear();
  }

  // ---- group commit ----

  function batchEmpty(): boolean {
    return batch.dirty.size === 0 && batch.ledger.length === 0;
  }

  function schedule(): void {
    if (scheduled || writing) return;
    scheduled = true;
    // setImmediate: every mutation of this turn of the event loop joins the same write.
    setImmediate(flush);
  }

  function fail(err: unknown): void {
    broken ??= err;
    writing?.reject(err);
    batch.reject(err);
  }

  /** Seals the open batch into one journal file, and starts a few folds at this boundary. */
  function flush(): void {
    scheduled = false;
    if (writing || broken || batchEmpty()) return;
    const b = batch;
    batch = newBatch();
    const seq = ++lastSeq;
    const touched = new Set<number>();
    const recs: string[] = [];
    for (const m of b.dirty) {
      recs.push(JSON.stringify(records.get(m)));
      touched.add(shardOf(m, shards));
    }
    const lines: string[] = [];
    for (const e of b.ledger) {
      const line = JSON.stringify(e);
      lines.push(line);
      const k = shardOf(e.msisdn, shards);
      unfolded[k]!.push(line);
      touched.add(k);
    }
    const text = `{"version":${FORMAT_VERSION},"seq":${seq},"records":[${recs.join(',')}],"ledger":[${lines.join(',')}]}`;
    journals.set(seq, { shards: touched, bytes: text.length });
    journalBytes += text.length;
    for (const k of touched) {
      shardJournals[k]!.push(seq);
      dirtyShards.add(k);
    }
    writing = b;
    const written = new TextFile(journalPath(dir, seq)).write(text);
    // Right now memory holds exactly the state through `seq`: the moment to snapshot shards for a fold.
    if (journalBytes > foldAfterBytes) {
      foldSome(seq, written, Math.min(8, 1 + Math.floor(journalBytes / foldAfterBytes)));
    }
    written.then(
      () => {
        writing = null;
        b.resolve();
        if (!batchEmpty()) flush();
      },
      (err: unknown) => {
        writing = null;
        b.reject(err);
        fail(err);
      },
    );
  }

  // ---- folding ----

  function foldSome(seq: number, written: Promise<void>, n: number): void {
    if (foldsQueued > 16) return; // the disk is behind: let the journal grow rather than queue more
    for (const k of dirtyShards) {
      if (n <= 0) break;
      if (folding.has(k)) continue;
      foldShard(k, seq, written);
      n--;
    }
  }

  /** Snapshots shard `k` as of journal `seq` now; writes it once journal `seq` is durable. */
  function foldShard(k: number, seq: number, written: Promise<void>): void {
    dirtyShards.delete(k);
    const lines = unfolded[k]!;
    unfolded[k] = [];
    const plan = planAppend(ledgerPos[k]!, lines, segmentSize);
    const recs = members[k]!.map((m) => JSON.stringify(records.get(m)));
    const text = `{"version":${FORMAT_VERSION},"through":${seq},"ledger":${JSON.stringify(plan.to)},"records":[${recs.join(',')}]}`;
    folding.set(k, lines);
    foldsQueued++;
    foldChain = foldChain
      .then(async () => {
        await written;
        if (broken) return;
        // Ledger first: its new bytes count only once the shard file that commits them is renamed in.
        await appendChunks(dir, k, plan.chunks);
        await new TextFile(shardPath(dir, k)).write(text);
        ledgerPos[k] = plan.to;
        through[k] = seq;
        folding.delete(k);
        const keep: number[] = [];
        const drop: number[] = [];
        for (const s of shardJournals[k]!) {
          const info = s <= seq ? journals.get(s) : undefined;
          if (!info) {
            keep.push(s);
            continue;
          }
          info.shards.delete(k);
          if (info.shards.size === 0) {
            journals.delete(s);
            journalBytes -= info.bytes;
            drop.push(s);
          }
        }
        shardJournals[k] = keep;
        await Promise.all(drop.map((s) => unlink(journalPath(dir, s)).catch(() => {})));
      })
      .catch((err: unknown) => fail(err))
      .finally(() => {
        foldsQueued--;
      });
  }

  /** While nothing is being written, memory equals the durable state: fold a few shards. */
  function idleFold(): void {
    if (!loaded || writing || broken || !batchEmpty() || foldsQueued > 0 || dirtyShards.size === 0) return;
    foldSome(lastSeq, Promise.resolve(), foldPerIdle);
  }

  /** Resolves once any write holding a change of `msisdn` has completed. */
  function pendingFor(msisdn: string): Promise<void> {
    if (batch.dirty.has(msisdn)) {
      schedule();
      return batch.done;
    }
    if (writing?.dirty.has(msisdn)) return writing.done;
    return Promise.resolve();
  }

  function update<T>(msisdn: string, fn: (record: AccountRecord | undefined) => Mutation<T>): Promise<T> {
    if (!loaded) return ready.then(() => update(msisdn, fn));
    if (broken) return Promise.reject(broken);
    if (closing || !release) return Promise.reject(new Error('the charging store is closed'));
    const existing = records.get(msisdn);
    let m: Mutation<T>;
    try {
      m = fn(existing);
    } catch (e) {
      return Promise.reject(e);
    }
    let rec = existing;
    if (!rec && m.create) {
      rec = m.create;
      records.set(msisdn, rec);
      members[shardOf(msisdn, shards)]!.push(msisdn);
    }
    if (!rec || (!m.changed && !m.create)) return pendingFor(msisdn).then(() => m.value);
    if (rec.ledger.length > 0) {
      // Ledger entries leave the record: they go to the journal, then to the shard's ledger segments.
      for (const e of rec.ledger) batch.ledger.push(e);
      rec.ledger = [];
    }
    batch.dirty.add(msisdn);
    schedule();
    return batch.done.then(() => m.value);
  }

  return {
    async load(visit) {
      await ready;
      const all = [...records.values()];
      for (let i = 0; i < all.length; i++) {
        visit(all[i]!);
        // Yield now and then: a start with many subscribers must not block the event loop for long.
        if (i % 5000 === 4999) await new Promise((r) => setImmediate(r));
      }
    },

    async get(msisdn) {
      if (!loaded) await ready;
      return records.get(msisdn);
    },

    update,

    async ledgerHistory(msisdn) {
      if (!loaded) await ready;
      const k = shardOf(msisdn, shards);
      // Taken in one synchronous step: committed end, lines being folded, lines waiting, the open batch.
      const until = ledgerPos[k]!;
      const inMemory = [...(folding.get(k) ?? []), ...unfolded[k]!];
      const open = batch.ledger.filter((e) => e.msisdn === msisdn).map((e) => structuredClone(e));
      const out = await readCommitted(dir, k, until, msisdn);
      const needle = `"msisdn":${JSON.stringify(msisdn)}`;
      for (const line of inMemory) if (line.includes(needle)) out.push(JSON.parse(line) as LedgerEntry);
      for (const e of open) out.push(e);
      return out.filter((e) => e.msisdn === msisdn);
    },

    async close() {
      if (!release || closing) return;
      closing = true;
      if (idleTimer) clearInterval(idleTimer);
      try {
        await ready;
        while (!broken && (writing || !batchEmpty())) {
          if (writing) await writing.done.catch(() => {});
          else flush();
        }
        // Fold everything, so that the next start has no journal to replay.
        // A few at a time: each queued fold holds its shard's text until written.
        while (!broken && (dirtyShards.size > 0 || foldsQueued > 0)) {
          foldSome(lastSeq, Promise.resolve(), 16);
          await foldChain;
        }
      } finally {
        release?.();
        release = null;
      }
    },
  };
}

function writeMeta(dir: string, meta: MetaFile): void {
  const tmp = join(dir, '.meta.json.tmp');
  writeFileSync(tmp, JSON.stringify(meta));
  renameSync(tmp, metaPath(dir));
}

/** The directory's fixed parameters: read, or written on first use (later options cannot change them). */
function readOrWriteMeta(dir: string, fresh: MetaFile): MetaFile {
  if (existsSync(metaPath(dir))) {
    const meta = JSON.parse(readFileSync(metaPath(dir), 'utf8')) as MetaFile;
    if (meta.version !== FORMAT_VERSION) throw new Error(`${metaPath(dir)}: unknown format ${meta.version}`);
    return meta;
  }
  writeMeta(dir, fresh);
  return fresh;
}
