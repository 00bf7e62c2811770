import {
  close,
  closeSync,
  existsSync,
  fstatSync,
  mkdirSync,
  openSync,
  readdirSync,
  readFileSync,
  readSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { link, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { TextFile } from 'lowdb/node';
import type { LedgerEntry } from '../../../charging/model.js';
import type { AccountRecord, ChargingStore, Mutation, RecordIndexer } from '../../../charging/store.js';
import {
  EMPTY_POSITION,
  eachLine,
  FORMAT_VERSION,
  JOURNAL_DIR,
  type JournalHeader,
  journalPath,
  journalSeq,
  LEDGER_DIR,
  LEDGER_LINE,
  type LedgerPosition,
  type MetaFile,
  metaPath,
  RECORD_LINE,
  recordDigest,
  recordJson,
  recordLine,
  type ShardHeader,
  shardPath,
} from './charging-store-format.js';
import { type CommitSignal, commitSignal } from './commit-batch.js';
import { lockDir } from './dir-lock.js';
import { HolderMap } from './holder-map.js';
import { appendChunks, planAppend, readCommitted } from './ledger-segments.js';
import { settleYoungGeneration } from './settle-young-generation.js';
import { shardOf } from './shard-of.js';

export interface LowdbChargingStoreOptions {
  dir: string;
  /** Shard files records are hashed into. Fixed for the life of a directory (kept in meta.json). Default 1024. */
  shards?: number;
  /** Ledger lines per segment file. Fixed for the life of a directory (kept in meta.json). Default 4096. */
  segmentSize?: number;
  /**
   * Journal bytes not yet folded into shard files above which every journal write also folds a few shards.
   * Bounds the journal (and so the replay at start) under sustained load, and the memory held meanwhile by the
   * lines of records changed since their shard was folded. Default 8 MiB.
   */
  foldAfterBytes?: number;
  /** While nothing is being written, fold `foldPerIdle` dirty shards every this many ms (0: never). Default 100. */
  idleFoldMs?: number;
  foldPerIdle?: number;
  /**
   * Folds (of different shards) started at once: each waits for its batch to be durable, does its file work in
   * one synchronous step, then deletes the journal files it was the last to cover. Default 2.
   */
  foldParallel?: number;
  /**
   * Shard files kept open for reads of records at rest (least recently used closed first). A read through an
   * open file is one pread; otherwise also an open and a close. Default 1024 (Node raises the soft limit on
   * descriptors to the hard one at start); on EMFILE the store closes half of them and keeps fewer.
   */
  openShardFiles?: number;
  /** Parsed records kept in memory besides the ones changed since the last journal write. Default 64. */
  hotRecords?: number;
}

/** The reusable buffers of one running fold: the old shard file, and the new one being built. */
interface FoldSlot {
  src: Buffer;
  out: Buffer;
}

/** One commit batch: every mutation acknowledged by the same journal write. */
interface Batch extends CommitSignal {
  dirty: Set<string>;
  ledger: LedgerEntry[];
  /** Once sealed: its journal lines, and the shards they touch. */
  lines: string[];
  touched: Set<number>;
}

function newBatch(): Batch {
  return { dirty: new Set(), ledger: [], lines: [], touched: new Set(), ...commitSignal() };
}

/** Where the line starting at or containing `from` ends (its LF, or the end of the bytes). */
function lineEnd(buf: Buffer, from: number): number {
  const end = buf.indexOf(10, from);
  return end < 0 ? buf.length : end;
}

/**
 * A `pause()` to call often in a long synchronous job: it yields to the event loop (setImmediate) once the
 * current slice has run for `sliceMs`, so no turn of the loop is long.
 */
function slicer(sliceMs = 3): () => Promise<void> {
  let since = performance.now();
  return async () => {
    if (performance.now() - since < sliceMs) return;
    await new Promise((r) => setImmediate(r));
    since = performance.now();
  };
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';
const TAB_BYTE = 9;
/** First size of an arena chunk (it doubles as lines are appended), and the offset range of one chunk id. */
const ARENA_FIRST = 4096;
const ARENA_SPAN = 2 ** 24;
const R_BYTE = 82;

/**
 * The charging core's store on lowdb files: records at rest as bytes (their shard file, or an off-heap arena
 * for records changed since their shard was last folded), an index MSISDN -> where the line rests, a few
 * parsed records, a write-ahead journal with group commit, and a background fold of the journal into shard
 * files (layout and crash reasoning in README.md here).
 *
 * Why bytes at rest: 100,000 records as live objects are millions of small objects that every major GC has to
 * trace (long pauses, high RSS). Here the JS heap holds only the index; a mutation reads its record's line
 * (one pread from the page cache, or the arena) and parses it, and a changed record is stringified once per
 * journal write.
 *
 * - `update` reads and parses the record, then runs the mutation synchronously on it, and adds the record to
 *   the open batch (nothing is awaited between reading and changing: the read is synchronous).
 *   A batch is written as ONE journal file (lowdb `TextFile` = steno: temp file + rename) as soon as the
 *   previous journal write has completed; every mutation in it is acknowledged once that rename is done.
 *   Sealing a batch stringifies its changed records and appends their lines to the arena, so lines at rest are
 *   always the state through the last sealed batch. A write holds only the records changed since the last one
 *   and their new ledger entries, so its cost does not depend on the number of subscribers.
 * - Ledger entries leave the records as soon as they are committed: records stay small, and the ledger lives
 *   in append-only segment files per shard (`segmentSize` lines each), committed by the shard file.
 * - Folding a shard snapshots where its lines rest at a journal boundary; once that batch is durable, it
 *   reads the old file and builds the new bytes in a reused buffer (one short synchronous step; copied, never
 *   decoded), appends its pending ledger lines, writes and renames the new file (through the thread pool), and
 *   moves its records to offsets in it. A journal file is deleted once every shard it touched is folded past it.
 * - Load reads every shard file line by line (no record is parsed; each line's MSISDN, offset and digest),
 *   then replays the journal in order, applying a batch to a shard only when the shard is not already folded
 *   past it: replays are idempotent, and a crash between a fold and the deletion of journal files it covers
 *   loses nothing and doubles nothing. The core indexes each record from its digest.
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
  const foldAfterBytes = opts.foldAfterBytes ?? 8 * 1024 * 1024;
  const foldPerIdle = Math.max(1, opts.foldPerIdle ?? 8);
  const foldParallel = Math.max(1, opts.foldParallel ?? 2);
  let openShardFiles = Math.max(1, opts.openShardFiles ?? 1024);
  const hotCap = Math.max(16, opts.hotRecords ?? 64);

  /**
   * Every record at rest, as of the last sealed batch: the byte offset of its line in its shard file (read
   * with `readLineAt`: 100,000 records cost the process no memory, the OS page cache holds the files), an arena
   * reference (< 0) when it changed since the shard was last loaded or folded, or its line
   * (`<msisdn> TAB <digest> TAB <JSON>`) as a string (journal replay, re-digested records).
   */
  const lines = new Map<string, number | string>();
  /** Open shard files for reads, least recently used first (a few: a read is one pread). */
  const fds = new Map<number, number>();
  /** Shards whose open file must stay the one read (a fold is renaming a new file in): never closed by the LRU. */
  const pinned = new Set<number>();
  let scratch = Buffer.allocUnsafeSlow(16 * 1024);
  /**
   * Digests read at open, per shard in the order of `members` (records put by the shard file), handed to the
   * core at `load`, then dropped.
   */
  let openDigests: string[][] | null = Array.from({ length: shards }, () => []);
  /**
   * Lines of records changed since their shard was last folded, as bytes outside the JS heap: appended, when a
   * batch is sealed, to chunks of their shard (each doubles in size as it fills, up to `ARENA_SPAN`). A fold
   * takes its shard's chunks with its snapshot, and drops them once the records they hold rest in the new file
   * bytes: what is kept is what waits for a fold, nothing more. Kept off the heap because these lines live until
   * their shard's next fold: as strings they would be copied by every young-generation GC they survive, then be
   * garbage that only a full GC reclaims. Chunk ids are never reused, so a reference taken by a fold's snapshot
   * can never be mistaken for a newer line.
   */
  const arena = new Map<number, Buffer>();
  /** Per shard: its chunks since its last fold snapshot (the last one is appended to), and the end of the last. */
  const shardChunks: number[][] = Array.from({ length: shards }, () => []);
  const chunkEnd: number[] = new Array(shards).fill(0);
  let nextChunk = 0;
  /**
   * Parsed records, least recently used first: every record changed since the last seal (its line is behind),
   * plus recently used ones up to `hotCap`.
   */
  const hot = new HolderMap<string, AccountRecord>();
  let indexer: RecordIndexer | null = null;
  const members: string[][] = Array.from({ length: shards }, () => []);
  /** Per shard: the journal seq its file is folded through, and its committed ledger end. */
  const through: number[] = new Array(shards).fill(0);
  const ledgerPos: LedgerPosition[] = new Array(shards).fill(EMPTY_POSITION);
  /**
   * Per shard: ledger lines in sealed journal batches, not yet handed to a fold, as bytes outside the JS heap
   * (one line each, newline-terminated; `unfoldedUsed` bytes in use). Like the arena: as strings they would
   * live until the shard's fold and be copied by every young-generation collection they survived.
   */
  const unfolded: (Buffer | null)[] = new Array(shards).fill(null);
  const unfoldedUsed: number[] = new Array(shards).fill(0);
  /** Shards with sealed changes not folded yet; insertion order = oldest first. */
  const dirtyShards = new Set<number>();
  /** Shards whose fold is under way, with the ledger text it is appending (lines, newline-terminated). */
  const folding = new Map<number, string[]>();
  /** Journal files not yet deleted, with the shards not yet folded past them. */
  const journals = new Map<number, { shards: Set<number>; bytes: number }>();
  const shardJournals: number[][] = Array.from({ length: shards }, () => []);
  let journalBytes = 0;
  let lastSeq = 0;
  /**
   * Journal files no longer needed, renamed aside to be written again: the next journal write renames one to the
   * temp path steno writes (steno opens it with truncation and renames it in), instead of creating a new file
   * while another is deleted. Hundreds of files created and deleted a second cost ext4 far more than the
   * writes: without a journal (as on our machines) each new inode is searched for past recently deleted ones,
   * measured at a third of the process's CPU at 2,000 mutations a second. Shard files are reused the same way
   * (`replaceShardFile`).
   */
  const spareJournals: string[] = [];
  let nextSpare = 0;

  let batch = newBatch();
  /** Batches sealed (their lines at rest) and waiting for the journal writer, oldest first. */
  let sealed: Batch[] = [];
  /** The batches the journal write under way holds, or null. */
  let writing: Batch[] | null = null;
  let scheduled = false;
  /** Folds not started yet, oldest first; `foldsRunning` of them at once (each waits on its own file writes). */
  const foldWaiting: ((slot: FoldSlot) => Promise<void>)[] = [];
  /** Buffers of folds not running, reused by the next (a running fold holds one). */
  const foldSlots: FoldSlot[] = [];
  let foldsRunning = 0;
  let foldsQueued = 0;
  const foldsSettled: (() => void)[] = [];
  let broken: unknown = null;
  let closing = false;
  let loaded = false;
  /**
   * While `load` hands digests to the core: no fold may move records meanwhile (a digest read at open belongs
   * to the record's place in the file as read then).
   */
  let indexing: Promise<void> | null = null;

  const ready = open().then(() => {
    loaded = true;
  });
  ready.catch(() => {});

  const idleMs = opts.idleFoldMs ?? 100;
  const idleTimer = idleMs > 0 ? setInterval(idleFold, idleMs) : null;
  idleTimer?.unref();

  // ---- load ----

  function put(msisdn: string, line: number | string, k: number): void {
    if (!lines.has(msisdn)) members[k]!.push(msisdn);
    setLine(msisdn, line);
  }

  async function open(): Promise<void> {
    // The descriptor table grown now rather than under load (see `reserveDescriptors`).
    reserveDescriptors(dir, Math.min(openShardFiles, shards) + SPARE_DESCRIPTORS);
    for (const d of [dir, join(dir, JOURNAL_DIR)]) {
      // Torn temp files of writes a crash interrupted: their rename never happened, so nothing refers to them.
      for (const f of readdirSync(d)) if (f.startsWith('.') && f.endsWith('.tmp')) rmSync(join(d, f), { force: true });
    }
    // Synchronous reads, in slices of a few ms between which the event loop runs: a thousand small files read
    // through the thread pool (open, stat, read, close each a round trip) take several times longer on a busy
    // machine, and nothing can use the store before it is loaded anyway.
    const pause = slicer();
    for (let k = 0; k < shards; k++) {
      await pause();
      let buf: Buffer;
      try {
        buf = readWhole(shardPath(dir, k));
      } catch (e) {
        if (isMissing(e)) continue;
        throw e;
      }
      let header = true;
      eachLine(buf, (start, end) => {
        if (header) {
          header = false;
          const h = JSON.parse(buf.toString('utf8', start, end)) as ShardHeader;
          if (h.version !== FORMAT_VERSION) throw new Error(`${shardPath(dir, k)}: unknown format ${h.version}`);
          through[k] = h.through;
          ledgerPos[k] = h.ledger;
          lastSeq = Math.max(lastSeq, h.through);
          return;
        }
        const tab = buf.indexOf(TAB_BYTE, start);
        const msisdn = buf.toString('latin1', start, tab);
        put(msisdn, start, k);
        openDigests![k]!.push(buf.toString('utf8', tab + 1, buf.indexOf(TAB_BYTE, tab + 1)));
      });
    }
    const seqs = readdirSync(join(dir, JOURNAL_DIR))
      .map(journalSeq)
      .filter((s): s is number => s !== null)
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const buf = await readFile(journalPath(dir, seq));
      const touched = new Set<number>();
      let header = true;
      eachLine(buf, (start, end) => {
        if (header) {
          header = false;
          const h = JSON.parse(buf.toString('utf8', start, end)) as JournalHeader;
          if (h.version !== FORMAT_VERSION) throw new Error(`${journalPath(dir, seq)}: unknown format ${h.version}`);
          return;
        }
        const from = start + 2; // after `R TAB` or `L TAB`
        const tab = buf.indexOf(TAB_BYTE, from);
        const msisdn = buf.toString('latin1', from, tab);
        const k = shardOf(msisdn, shards);
        if (seq <= through[k]!) return; // already folded into the shard file
        if (buf[start] === R_BYTE) put(msisdn, buf.toString('utf8', from, end), k);
        else unfoldedAppend(k, buf.toString('utf8', tab + 1, end));
        touched.add(k);
      });
      lastSeq = Math.max(lastSeq, seq);
      if (touched.size === 0) {
        // Folded everywhere, but the crash came before its deletion.
        await unlink(journalPath(dir, seq)).catch(() => {});
        continue;
      }
      journals.set(seq, { shards: touched, bytes: buf.length });
      journalBytes += buf.length;
      for (const k of touched) {
        shardJournals[k]!.push(seq);
        dirtyShards.add(k);
      }
    }
  }

  /**
   * The whole file at `path`, read into the scratch buffer (valid until the next read): a thousand shard files
   * read at open allocate nothing.
   */
  function readWhole(path: string): Buffer {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      if (scratch.length < size) scratch = Buffer.allocUnsafeSlow(Math.max(size, scratch.length * 2));
      let got = 0;
      while (got < size) {
        const n = readSync(fd, scratch, got, size - got, got);
        if (n === 0) break;
        got += n;
      }
      return scratch.subarray(0, got);
    } finally {
      closeSync(fd);
    }
  }

  // ---- records: bytes at rest (shard file or arena), a few parsed ----

  /**
   * Where a record's line rests: a value >= 0 is an offset in its shard's bytes; a value < 0 is
   * `-(chunk * ARENA_SPAN + offset) - 1` in the arena.
   */
  function locate(msisdn: string, v: number): [Buffer, number] {
    if (v >= 0) return [readLineAt(shardOf(msisdn, shards), v), 0];
    const a = -v - 1;
    return [arena.get(Math.floor(a / ARENA_SPAN))!, a % ARENA_SPAN];
  }

  /**
   * The line at byte `at` of shard `k`'s file, without its LF: a view of a scratch buffer, valid until the next
   * read. Synchronous (one pread, from the page cache in practice) so that `update` stays synchronous.
   */
  function readLineAt(k: number, at: number): Buffer {
    for (;;) {
      const n = readSync(fdFor(k), scratch, 0, scratch.length, at);
      const end = scratch.subarray(0, n).indexOf(10);
      if (end >= 0) return scratch.subarray(0, end);
      if (n < scratch.length) return scratch.subarray(0, n);
      scratch = Buffer.allocUnsafeSlow(scratch.length * 2);
    }
  }

  function fdFor(k: number): number {
    let fd = fds.get(k);
    if (fd !== undefined) {
      fds.delete(k);
      fds.set(k, fd);
      return fd;
    }
    try {
      fd = openSync(shardPath(dir, k), 'r');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EMFILE' || fds.size === 0) throw e;
      // The process is out of descriptors: give back half of ours, and keep fewer from now on.
      openShardFiles = Math.max(1, Math.floor(fds.size / 2));
      for (const old of [...fds.keys()].filter((s) => !pinned.has(s)).slice(0, fds.size - openShardFiles + 1)) {
        closeFd(old);
      }
      fd = openSync(shardPath(dir, k), 'r');
    }
    fds.set(k, fd);
    if (fds.size > openShardFiles) {
      for (const old of fds.keys()) {
        if (pinned.has(old)) continue;
        closeFd(old);
        break;
      }
    }
    return fd;
  }

  function closeFd(k: number): void {
    const fd = fds.get(k);
    if (fd === undefined) return;
    fds.delete(k);
    // Through the thread pool: the last close of a file a fold replaced frees it, which can take tens of ms.
    close(fd, () => {});
  }

  /** Appends a line of shard `k` to the arena: its reference (or the line itself if too long for a chunk). */
  function arenaPut(k: number, line: string): number | string {
    const n = Buffer.byteLength(line) + 1;
    if (n > ARENA_SPAN) return line;
    const chunks = shardChunks[k]!;
    let id = chunks.length > 0 ? chunks[chunks.length - 1]! : -1;
    let buf = id >= 0 ? arena.get(id)! : null;
    let at = chunkEnd[k]!;
    if (!buf || at + n > ARENA_SPAN) {
      id = nextChunk++;
      buf = Buffer.allocUnsafeSlow(Math.max(ARENA_FIRST, n));
      arena.set(id, buf);
      chunks.push(id);
      at = 0;
    } else if (at + n > buf.length) {
      // Grown in place of the old one, same id and offsets (a snapshot's views keep the old bytes).
      const bigger = Buffer.allocUnsafeSlow(Math.min(ARENA_SPAN, Math.max(buf.length * 2, at + n)));
      buf.copy(bigger, 0, 0, at);
      arena.set(id, bigger);
      buf = bigger;
    }
    buf.write(line, at, 'utf8');
    buf[at + n - 1] = 10;
    chunkEnd[k] = at + n;
    return -(id * ARENA_SPAN + at) - 1;
  }

  function setLine(msisdn: string, v: number | string): void {
    lines.set(msisdn, v);
  }

  /** The record JSON of a record at rest (decoded alone from its bytes), or undefined. */
  function jsonOf(msisdn: string): string | undefined {
    const v = lines.get(msisdn);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return recordJson(v);
    const [buf, at] = locate(msisdn, v);
    const json = buf.indexOf(TAB_BYTE, buf.indexOf(TAB_BYTE, at) + 1) + 1;
    return buf.toString('utf8', json, lineEnd(buf, json));
  }

  /** The digest of a record at rest, or undefined. */
  function digestAtRest(msisdn: string): string | undefined {
    const v = lines.get(msisdn);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return recordDigest(v);
    const [buf, at] = locate(msisdn, v);
    const from = buf.indexOf(TAB_BYTE, at) + 1;
    return buf.toString('utf8', from, buf.indexOf(TAB_BYTE, from));
  }

  function parse(msisdn: string): AccountRecord | undefined {
    const json = jsonOf(msisdn);
    return json === undefined ? undefined : (JSON.parse(json) as AccountRecord);
  }

  /** The parsed record (from `hot`, or parsed from its line and kept hot), or undefined. */
  function live(msisdn: string): AccountRecord | undefined {
    const rec = hot.touch(msisdn);
    if (rec) return rec;
    const parsed = parse(msisdn);
    if (parsed) hot.set(msisdn, parsed);
    return parsed;
  }

  /** Drops least recently used parsed records down to `hotCap`, never one whose line is behind. */
  function trimHot(): void {
    if (hot.size <= hotCap) return;
    let excess = hot.size - hotCap;
    for (const m of hot.keys()) {
      if (excess <= 0) break;
      if (batch.dirty.has(m)) continue;
      hot.delete(m);
      excess--;
    }
  }

  function digestOf(rec: AccountRecord): string {
    if (!indexer) return '';
    try {
      return indexer.digest(rec);
    } catch {
      return ''; // recomputed at the next load; the record itself must be persisted anyway
    }
  }

  // ---- group commit ----

  function batchEmpty(): boolean {
    return batch.dirty.size === 0 && batch.ledger.length === 0;
  }

  /** Nothing changed that is not durable yet: no open batch, none sealed and waiting, no write under way. */
  function allWritten(): boolean {
    return batchEmpty() && sealed.length === 0 && writing === null;
  }

  function schedule(): void {
    if (scheduled) return;
    scheduled = true;
    // setImmediate: every mutation of this turn of the event loop joins the same batch.
    setImmediate(flush);
  }

  function fail(err: unknown): void {
    broken ??= err;
    for (const b of writing ?? []) b.reject(err);
    for (const b of sealed) b.reject(err);
    batch.reject(err);
  }

  /**
   * Seals the open batch at the end of its turn, and writes what is sealed if no journal write is under way.
   * Sealed at once, not when the writer is free: its parsed records become strings (then arena bytes) before
   * the next young-generation collection, instead of object graphs that every collection during a journal
   * write would copy (most of what survived a scavenge, measured).
   */
  function flush(): void {
    scheduled = false;
    if (broken) return;
    if (!batchEmpty()) {
      const b = batch;
      batch = newBatch();
      if (!seal(b)) return;
      sealed.push(b);
    }
    if (writing === null && sealed.length > 0) writeSealed();
  }

  /**
   * Stringifies a batch's changed records into its journal lines and appends them to the arena, and moves its
   * ledger entries to the lines waiting for their fold: lines at rest are now the state through this batch.
   */
  function seal(b: Batch): boolean {
    for (const m of b.dirty) {
      const rec = hot.get(m);
      if (!rec) {
        // A bug, never an expected failure: refuse to write rather than lose the change.
        const err = new Error('charging store bug: a changed record was dropped before its batch was sealed');
        b.reject(err);
        fail(err);
        return false;
      }
      const line = recordLine(m, digestOf(rec), JSON.stringify(rec));
      const k = shardOf(m, shards);
      setLine(m, arenaPut(k, line));
      b.lines.push(RECORD_LINE + line);
      b.touched.add(k);
    }
    for (const e of b.ledger) {
      const json = JSON.stringify(e);
      b.lines.push(`${LEDGER_LINE}${e.msisdn}\t${json}`);
      const k = shardOf(e.msisdn, shards);
      unfoldedAppend(k, json);
      b.touched.add(k);
    }
    b.ledger = [];
    trimHot();
    return true;
  }

  /** Writes every sealed batch as ONE journal file, and starts a few folds at this boundary. */
  function writeSealed(): void {
    const parts = sealed;
    sealed = [];
    const seq = ++lastSeq;
    const touched = new Set<number>();
    const out: string[] = [JSON.stringify({ version: FORMAT_VERSION, seq } satisfies JournalHeader)];
    for (const b of parts) {
      for (const line of b.lines) out.push(line);
      for (const k of b.touched) touched.add(k);
      b.lines = [];
    }
    out.push('');
    const text = out.join('\n');
    journals.set(seq, { shards: touched, bytes: text.length });
    journalBytes += text.length;
    for (const k of touched) {
      shardJournals[k]!.push(seq);
      dirtyShards.add(k);
    }
    writing = parts;
    const path = journalPath(dir, seq);
    const spare = spareJournals.pop();
    // A retired journal file first takes the place of the temp file steno is about to write (`tempPathOf`: the
    // same name steno uses; see spareJournals).
    const written = (spare === undefined ? Promise.resolve() : rename(spare, tempPathOf(path)).catch(() => {})).then(
      () => new TextFile(path).write(text),
    );
    // Right now the lines at rest are exactly the state through `seq`: the moment to snapshot shards for a fold.
    if (journalBytes > foldAfterBytes) {
      foldSome(seq, written, Math.min(8, 1 + Math.floor(journalBytes / foldAfterBytes)));
    }
    written.then(
      () => {
        writing = null;
        for (const b of parts) b.resolve();
        if (sealed.length > 0) writeSealed();
      },
      (err: unknown) => {
        writing = null;
        for (const b of parts) b.reject(err);
        fail(err);
      },
    );
  }

  // ---- files written again rather than created: see `spareJournals` ----

  /**
   * A journal file every shard is folded past: kept as a spare for a later journal write (renamed to a dot-name
   * that a load deletes), or deleted when enough spares wait already.
   */
  async function retireJournal(seq: number): Promise<void> {
    const path = journalPath(dir, seq);
    if (spareJournals.length < SPARE_JOURNALS) {
      const spare = join(dir, JOURNAL_DIR, `.spare-${nextSpare++}.tmp`);
      try {
        await rename(path, spare);
        spareJournals.push(spare);
        return;
      } catch {
        // Fall through: delete it.
      }
    }
    await unlink(path).catch(() => {});
  }

  /**
   * Puts the new bytes of shard `k` in place: written to its temp file (the file the shard's previous fold
   * replaced, when there is one: opened with truncation, so no new file is created), then renamed over the
   * shard file, after a second name was given to the file it replaces so that it is not deleted but becomes the
   * temp file of the shard's next fold. A crash at any step leaves the shard file whole, old or new, and only
   * dot-named leftovers that a load deletes.
   */
  async function replaceShardFile(k: number, bytes: Buffer): Promise<void> {
    const path = shardPath(dir, k);
    const tmp = tempPathOf(path);
    const old = `${tmp}.old.tmp`;
    await writeFile(tmp, bytes);
    const kept = await link(path, old).then(
      () => true,
      () => false, // no shard file yet (or a leftover name): the replaced file is simply deleted
    );
    await rename(tmp, path);
    if (kept) await rename(old, tmp).catch(() => unlink(old).catch(() => {}));
  }

  // ---- ledger lines waiting for their fold ----

  function unfoldedAppend(k: number, json: string): void {
    const n = Buffer.byteLength(json) + 1;
    const used = unfoldedUsed[k]!;
    let buf = unfolded[k];
    if (!buf || used + n > buf.length) {
      const bigger = Buffer.allocUnsafeSlow(Math.max(4096, (buf?.length ?? 0) * 2, used + n));
      buf?.copy(bigger, 0, 0, used);
      buf = bigger;
      unfolded[k] = bigger;
    }
    buf.write(json, used);
    buf[used + n - 1] = 0x0a;
    unfoldedUsed[k] = used + n;
  }

  /** The waiting lines of shard `k` as text (newline-terminated lines; '' when none). */
  function unfoldedText(k: number): string {
    const buf = unfolded[k];
    return buf ? buf.toString('utf8', 0, unfoldedUsed[k]) : '';
  }

  /** Hands the waiting lines of shard `k` to a fold. */
  function unfoldedTake(k: number): string[] {
    const text = unfoldedText(k);
    unfolded[k] = null;
    unfoldedUsed[k] = 0;
    return text === '' ? [] : text.slice(0, -1).split('\n');
  }

  // ---- folding ----

  function foldSome(seq: number, written: Promise<void>, n: number): void {
    if (indexing) return;
    if (foldsQueued > 16) return; // the disk is behind: let the journal grow rather than queue more
    for (const k of dirtyShards) {
      if (n <= 0) break;
      if (folding.has(k)) continue;
      foldShard(k, seq, written);
      n--;
    }
  }

  /**
   * Snapshots shard `k` as of journal `seq` now (the lines are the state through the last sealed batch, which
   * callers pass as `seq`); writes it once journal `seq` is durable.
   */
  function foldShard(k: number, seq: number, durable: Promise<void>): void {
    dirtyShards.delete(k);
    const plan = planAppend(ledgerPos[k]!, unfoldedTake(k), segmentSize);
    // The snapshot is cheap (references only: the shard's bytes are never changed in place, lines are strings);
    // the new bytes are built later, one fold per turn of the event loop.
    const snapshot: string[] = [];
    const values: (number | string)[] = [];
    const pieces: (Buffer | string | number)[] = [];
    for (const m of members[k]!) {
      const v = lines.get(m);
      if (v === undefined) continue;
      snapshot.push(m);
      values.push(v);
      if (typeof v === 'string' || v >= 0) pieces.push(v);
      else {
        // A view, not a copy: it keeps the bytes alive even if their chunk is dropped before the build.
        const [buf, at] = locate(m, v);
        pieces.push(buf.subarray(at, lineEnd(buf, at) + 1));
      }
    }
    // Lines sealed from now on go to new chunks; these are dropped once their records rest in the new bytes.
    const retired = shardChunks[k]!;
    shardChunks[k] = [];
    chunkEnd[k] = 0;
    folding.set(
      k,
      plan.chunks.map((c) => c.text),
    );
    foldsQueued++;
    foldWaiting.push(async (slot: FoldSlot) => {
      if (broken) return;
      await durable;
      if (broken) return;
      // Read and built in one synchronous step (reads of the page cache: a dozen round trips through a busy
      // thread pool made folds fall far behind). Offsets point into this shard's file as it is now: only this
      // fold replaces it. Its descriptor stays pinned until the offsets are switched: reads in between use the
      // old file, whatever the path holds.
      const onDisk = values.some((v) => typeof v === 'number' && v >= 0);
      if (onDisk) pinned.add(k);
      let bytes: Buffer;
      let offsets: number[];
      try {
        const src = onDisk ? readShardInto(slot, k) : null;
        ({ bytes, offsets } = buildShard(slot, seq, plan.to, pieces, src));
        // Writes go through the thread pool: a synchronous write can be throttled by the kernel for tens of ms.
        // Ledger first: its new bytes count only once the shard file that commits them is renamed in.
        await appendChunks(dir, k, plan.chunks);
        await replaceShardFile(k, bytes);
      } finally {
        pinned.delete(k);
      }
      closeFd(k); // the descriptor of the old file
      // A value still equal to the snapshot's is the same line: offsets are set only by folds (one at a time
      // per shard), arena references are never reused, strings compare by content. Those records now rest in
      // the new file; the others changed since, and keep their newer line.
      for (let i = 0; i < snapshot.length; i++) {
        const m = snapshot[i]!;
        if (lines.get(m) === values[i]) setLine(m, offsets[i]!);
      }
      for (const id of retired) arena.delete(id);
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
      await Promise.all(drop.map(retireJournal));
    });
    pumpFolds();
  }

  /**
   * Starts waiting folds, up to `foldParallel` at once (folds of different shards touch different files);
   * each fold's file work is one short synchronous step, so at most one runs per turn of the event loop.
   */
  function pumpFolds(): void {
    while (foldsRunning < foldParallel && foldWaiting.length > 0) {
      const job = foldWaiting.shift()!;
      const slot = foldSlots.pop() ?? { src: Buffer.alloc(0), out: Buffer.alloc(0) };
      foldsRunning++;
      job(slot)
        .catch((err: unknown) => fail(err))
        .finally(() => {
          foldSlots.push(slot);
          foldsRunning--;
          foldsQueued--;
          pumpFolds();
          if (foldsQueued === 0) for (const done of foldsSettled.splice(0)) done();
        });
    }
  }

  /** Resolves once no fold is waiting or running. */
  function allFolded(): Promise<void> {
    if (foldsQueued === 0) return Promise.resolve();
    return new Promise((resolve) => foldsSettled.push(resolve));
  }

  /**
   * A shard file's bytes from a fold's snapshot, built in the slot's buffer (reused: folds allocate nothing):
   * unchanged lines copied from the shard's file, changed ones from the arena, never decoded. Also where each
   * record's line starts.
   */
  function buildShard(
    slot: FoldSlot,
    seq: number,
    ledger: LedgerPosition,
    pieces: (Buffer | string | number)[],
    src: Buffer | null,
  ): { bytes: Buffer; offsets: number[] } {
    const header = `${JSON.stringify({ version: FORMAT_VERSION, through: seq, ledger } satisfies ShardHeader)}\n`;
    let size = Buffer.byteLength(header);
    for (const p of pieces) {
      size +=
        typeof p === 'string' ? Buffer.byteLength(p) + 1 : typeof p === 'number' ? lineEnd(src!, p) + 1 - p : p.length;
    }
    if (slot.out.length < size) slot.out = Buffer.allocUnsafeSlow(Math.max(size, slot.out.length * 2));
    const out = slot.out;
    let pos = out.write(header, 0, 'utf8');
    const offsets: number[] = [];
    for (const p of pieces) {
      offsets.push(pos);
      if (typeof p === 'string') {
        pos += out.write(p, pos, 'utf8');
        out[pos++] = 10;
      } else if (typeof p === 'number') {
        pos += src!.copy(out, pos, p, lineEnd(src!, p) + 1);
      } else {
        pos += p.copy(out, pos);
      }
    }
    return { bytes: out.subarray(0, pos), offsets };
  }

  /** Reads shard `k`'s whole file into the slot's `src` buffer (grown if needed); a view of the bytes read. */
  function readShardInto(slot: FoldSlot, k: number): Buffer {
    const fd = fdFor(k);
    const size = fstatSync(fd).size;
    if (slot.src.length < size) slot.src = Buffer.allocUnsafeSlow(Math.max(size, slot.src.length * 2));
    let got = 0;
    while (got < size) {
      const n = readSync(fd, slot.src, got, size - got, got);
      if (n === 0) break;
      got += n;
    }
    return slot.src.subarray(0, got);
  }

  /** While nothing is being written, memory equals the durable state: fold a few shards. */
  function idleFold(): void {
    if (!loaded || !allWritten() || broken || foldsQueued > 0 || dirtyShards.size === 0) return;
    foldSome(lastSeq, Promise.resolve(), foldPerIdle);
  }

  /** Resolves once any write holding a change of `msisdn` has completed. */
  function pendingFor(msisdn: string): Promise<void> {
    if (batch.dirty.has(msisdn)) {
      schedule();
      return batch.done;
    }
    // The latest batch holding it: writes complete in order.
    for (let i = sealed.length - 1; i >= 0; i--) if (sealed[i]!.dirty.has(msisdn)) return sealed[i]!.done;
    if (writing) for (const b of writing) if (b.dirty.has(msisdn)) return b.done;
    return Promise.resolve();
  }

  function update<T>(msisdn: string, fn: (record: AccountRecord | undefined) => Mutation<T>): Promise<T> {
    if (!loaded) return ready.then(() => update(msisdn, fn));
    if (broken) return Promise.reject(broken);
    if (closing || !release) return Promise.reject(new Error('the charging store is closed'));
    const existing = live(msisdn);
    let m: Mutation<T>;
    try {
      m = fn(existing);
    } catch (e) {
      // A mutation that threw may have changed the parsed copy half-way: forget it unless other changes wait in it.
      if (!batch.dirty.has(msisdn)) hot.delete(msisdn);
      return Promise.reject(e);
    }
    let rec = existing;
    if (!rec && m.create) {
      rec = m.create;
      hot.set(msisdn, rec);
      if (!lines.has(msisdn)) members[shardOf(msisdn, shards)]!.push(msisdn);
    }
    if (!rec || (!m.changed && !m.create)) {
      if (hot.size > 2 * hotCap) trimHot();
      return pendingFor(msisdn).then(() => m.value);
    }
    if (rec.ledger.length > 0) {
      // Ledger entries leave the record: they go to the journal, then to the shard's ledger segments.
      for (const e of rec.ledger) batch.ledger.push(e);
      rec.ledger = [];
    }
    // Marked changed before any trimming: a changed record must stay parsed until its batch is sealed.
    batch.dirty.add(msisdn);
    if (hot.size > 2 * hotCap) trimHot();
    schedule();
    return batch.done.then(() => m.value);
  }

  /** Hands every record's digest to the core (see `load`). */
  async function indexAll(ix: RecordIndexer): Promise<void> {
    const pause = slicer();
    const digests = openDigests!;
    for (let k = 0; k < shards; k++) {
      const list = members[k]!;
      for (let i = 0; i < list.length; i++) {
        // Yield now and then: a start with many subscribers must not block the event loop for long.
        if ((i & 127) === 0) await pause();
        const m = list[i]!;
        const v = lines.get(m)!;
        // A record still at its place in the shard file has the digest read with it; others carry theirs.
        const stored = (typeof v === 'number' && v >= 0 ? digests[k]![i] : undefined) ?? digestAtRest(m)!;
        if (!ix.visit(m, stored)) {
          // No digest, or one of another version: digest the record now, and keep the new one (idle folds write it).
          const json = jsonOf(m)!;
          const digest = ix.digest(hot.get(m) ?? (JSON.parse(json) as AccountRecord));
          setLine(m, recordLine(m, digest, json));
          dirtyShards.add(k);
          if (!ix.visit(m, digest)) throw new Error('the charging index refused its own digest');
        }
      }
    }
  }

  return {
    async load(ix) {
      await ready;
      indexer = ix;
      let done!: () => void;
      indexing = new Promise((resolve) => {
        done = resolve;
      });
      try {
        await indexAll(ix);
        // What the index built last is promoted now, not by the collections under the first traffic.
        await settleYoungGeneration(slicer());
      } finally {
        openDigests = null;
        indexing = null;
        done();
      }
    },

    async get(msisdn) {
      if (!loaded) await ready;
      const rec = hot.get(msisdn);
      if (rec) return rec;
      return parse(msisdn);
    },

    update,

    async ledgerHistory(msisdn) {
      if (!loaded) await ready;
      const k = shardOf(msisdn, shards);
      // Taken in one synchronous step: committed end, lines being folded, lines waiting, the open batch.
      const until = ledgerPos[k]!;
      const inMemory = [...(folding.get(k) ?? []), unfoldedText(k)].flatMap((text) => text.split('\n'));
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
        await indexing;
        while (!broken && !allWritten()) {
          if (writing) await writing[writing.length - 1]!.done.catch(() => {});
          else flush();
        }
        // Fold everything, so that the next start has no journal to replay.
        // A few at a time: each queued fold holds its shard's text until written.
        while (!broken && (dirtyShards.size > 0 || foldsQueued > 0)) {
          foldSome(lastSeq, Promise.resolve(), 16);
          await allFolded();
        }
      } finally {
        for (const k of [...fds.keys()]) closeFd(k);
        release?.();
        release = null;
      }
    },
  };
}

/** Descriptors reserved beyond the open shard files: journal and fold writes, ledger appends, sockets. */
const SPARE_DESCRIPTORS = 128;

/**
 * Grows the process's descriptor table to hold `n` more descriptors, by opening `path` that many times and
 * closing them all (a table never shrinks). Linux grows the table by doubling, and in a process with more than
 * one thread each growth waits for an RCU grace period (`synchronize_rcu` in `expand_files`): measured at 14 to
 * 19 ms with the event loop blocked in `open`, several times over as the store opened its shard files during its
 * first second of traffic. Done at load, those waits cost the start instead of stalling requests. Stops quietly
 * at the process's limit (EMFILE): the store then keeps fewer files open (`fdFor`).
 */
function reserveDescriptors(path: string, n: number): void {
  const held: number[] = [];
  try {
    for (let i = 0; i < n; i++) held.push(openSync(path, 'r'));
  } catch {
    // Out of descriptors (or the path unreadable): as many as could be had.
  } finally {
    for (const fd of held) closeSync(fd);
  }
}

/**
 * The temp file beside `path` that a shard file is written to, then renamed over `path`. It is the name lowdb's
 * TextFile (steno) gives its own temp file too, so a spare journal file renamed there is the file steno writes.
 * '.' first and '.tmp' last: a load deletes leftovers.
 */
function tempPathOf(path: string): string {
  return join(dirname(path), `.${basename(path)}.tmp`);
}

/** Spare journal files kept for reuse at most (each holds a past batch's bytes until written again). */
const SPARE_JOURNALS = 256;

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
