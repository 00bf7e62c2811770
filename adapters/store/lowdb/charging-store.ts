import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, rename, unlink, writeFile } from 'node:fs/promises';
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
import { appendChunks, planAppend, readCommitted } from './ledger-segments.js';
import { shardOf } from './shard-of.js';

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
  /** Parsed records kept in memory besides the ones changed since the last journal write. Default 64. */
  hotRecords?: number;
}

/** One commit batch: every mutation acknowledged by the same journal write. */
interface Batch extends CommitSignal {
  dirty: Set<string>;
  ledger: LedgerEntry[];
}

function newBatch(): Batch {
  return { dirty: new Set(), ledger: [], ...commitSignal() };
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
const R_BYTE = 82;

/**
 * The charging core's store on lowdb files: every record in memory as its JSON text (one string per
 * subscriber, beside the core's digest of it), a few recently used ones also parsed, a write-ahead journal with
 * group commit, and a background fold of the journal into shard files (layout and crash reasoning in README.md
 * here).
 *
 * Why text at rest: 100,000 records as live objects are millions of small objects that every major GC has to
 * trace (long pauses, high RSS); strings are not traced. A mutation parses its record once (or finds it parsed),
 * and a changed record is stringified once per journal write.
 *
 * - `update` runs the mutation synchronously on the parsed record and adds the record to the open batch.
 *   A batch is written as ONE journal file (lowdb `TextFile` = steno: temp file + rename) as soon as the
 *   previous journal write has completed; every mutation in it is acknowledged once that rename is done.
 *   Sealing a batch stringifies its changed records into their at-rest text, so that text is always the state
 *   through the last sealed batch. A write holds only the records changed since the last one and their new
 *   ledger entries, so its cost does not depend on the number of subscribers.
 * - Ledger entries leave the records as soon as they are committed: records stay small, and the ledger lives
 *   in append-only segment files per shard (`segmentSize` lines each), committed by the shard file.
 * - Folding a shard joins its records' texts as of a journal boundary, appends its pending ledger lines, and
 *   rewrites the shard file once that batch is durable. A journal file is deleted once every shard it touched
 *   is folded past it. Folds go one at a time, a few per journal write, so no event-loop turn does much of it.
 * - Load reads every shard file line by line (no record is parsed), then replays the journal in order,
 *   applying a batch to a shard only when the shard is not already folded past it: replays are idempotent,
 *   and a crash between a fold and the deletion of journal files it covers loses nothing and doubles nothing.
 *   The core indexes each record from its digest.
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
  const hotCap = Math.max(16, opts.hotRecords ?? 64);

  /**
   * Every record at rest, as of the last sealed batch: the byte offset of its line in its shard's buffer
   * (`shardText`), or, when it changed since the shard was last loaded or folded, its line
   * (`<msisdn> TAB <digest> TAB <JSON>`) as a string.
   */
  const lines = new Map<string, number | string>();
  /**
   * Per shard: the bytes of its record lines as last loaded or folded. Outside the JS heap, so 100,000 records
   * at rest cost the garbage collector nothing to trace or copy.
   */
  const shardText: (Buffer | null)[] = new Array(shards).fill(null);
  /**
   * Parsed records, least recently used first: every record changed since the last seal (its line is behind),
   * plus recently used ones up to `hotCap`.
   */
  const hot = new Map<string, AccountRecord>();
  let indexer: RecordIndexer | null = null;
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

  function put(msisdn: string, line: number | string, k: number): void {
    if (!lines.has(msisdn)) members[k]!.push(msisdn);
    lines.set(msisdn, line);
  }

  async function open(): Promise<void> {
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
        buf = readFileSync(shardPath(dir, k));
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
        // The MSISDN decoded apart: a Map key sliced from the line would keep an old line alive after updates.
        put(buf.toString('latin1', start, buf.indexOf(TAB_BYTE, start)), start, k);
      });
      shardText[k] = buf;
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
        else unfolded[k]!.push(buf.toString('utf8', tab + 1, end));
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

  // ---- records: text at rest, a few parsed ----

  /** The record JSON of a record at rest (decoded alone from the shard's bytes), or undefined. */
  function jsonOf(msisdn: string): string | undefined {
    const v = lines.get(msisdn);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return recordJson(v);
    const buf = shardText[shardOf(msisdn, shards)]!;
    const json = buf.indexOf(TAB_BYTE, buf.indexOf(TAB_BYTE, v) + 1) + 1;
    return buf.toString('utf8', json, lineEnd(buf, json));
  }

  /** The digest of a record at rest, or undefined. */
  function digestAtRest(msisdn: string): string | undefined {
    const v = lines.get(msisdn);
    if (v === undefined) return undefined;
    if (typeof v === 'string') return recordDigest(v);
    const buf = shardText[shardOf(msisdn, shards)]!;
    const from = buf.indexOf(TAB_BYTE, v) + 1;
    return buf.toString('utf8', from, buf.indexOf(TAB_BYTE, from));
  }

  function parse(msisdn: string): AccountRecord | undefined {
    const json = jsonOf(msisdn);
    return json === undefined ? undefined : (JSON.parse(json) as AccountRecord);
  }

  /** The parsed record (from `hot`, or parsed from its line and kept hot), or undefined. */
  function live(msisdn: string): AccountRecord | undefined {
    const rec = hot.get(msisdn);
    if (rec) {
      // Most recently used goes last.
      hot.delete(msisdn);
      hot.set(msisdn, rec);
      return rec;
    }
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
    const out: string[] = [JSON.stringify({ version: FORMAT_VERSION, seq } satisfies JournalHeader)];
    for (const m of b.dirty) {
      const rec = hot.get(m)!;
      const line = recordLine(m, digestOf(rec), JSON.stringify(rec));
      lines.set(m, line);
      out.push(RECORD_LINE + line);
      touched.add(shardOf(m, shards));
    }
    for (const e of b.ledger) {
      const json = JSON.stringify(e);
      out.push(`${LEDGER_LINE}${e.msisdn}\t${json}`);
      const k = shardOf(e.msisdn, shards);
      unfolded[k]!.push(json);
      touched.add(k);
    }
    out.push('');
    const text = out.join('\n');
    trimHot();
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

  /**
   * Snapshots shard `k` as of journal `seq` now (the lines are the state through the last sealed batch, which
   * callers pass as `seq`); writes it once journal `seq` is durable.
   */
  function foldShard(k: number, seq: number, durable: Promise<void>): void {
    dirtyShards.delete(k);
    const ledgerLines = unfolded[k]!;
    unfolded[k] = [];
    const plan = planAppend(ledgerPos[k]!, ledgerLines, segmentSize);
    // Built as bytes: unchanged lines are copied from the shard's current bytes, never decoded.
    const header = `${JSON.stringify({ version: FORMAT_VERSION, through: seq, ledger: plan.to } satisfies ShardHeader)}\n`;
    const pieces: Buffer[] = [Buffer.from(header)];
    const offsets: number[] = [];
    const included: string[] = [];
    const old = shardText[k];
    let pos = pieces[0]!.length;
    for (const m of members[k]!) {
      const v = lines.get(m);
      if (v === undefined) continue;
      const piece = typeof v === 'number' ? old!.subarray(v, lineEnd(old!, v) + 1) : Buffer.from(`${v}\n`);
      pieces.push(piece);
      included.push(m);
      offsets.push(pos);
      pos += piece.length;
    }
    const bytes = Buffer.concat(pieces, pos);
    // From now on the shard's records rest in the new bytes (the same state: through the last sealed batch).
    for (let i = 0; i < included.length; i++) lines.set(included[i]!, offsets[i]!);
    shardText[k] = bytes;
    folding.set(k, ledgerLines);
    foldsQueued++;
    foldChain = foldChain
      .then(async () => {
        await durable;
        if (broken) return;
        // Ledger first: its new bytes count only once the shard file that commits them is renamed in.
        await appendChunks(dir, k, plan.chunks);
        await writeAtomically(shardPath(dir, k), bytes);
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
    if (hot.size > 2 * hotCap) trimHot();
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
    async load(ix) {
      await ready;
      indexer = ix;
      const all = [...lines.keys()];
      const pause = slicer();
      for (let i = 0; i < all.length; i++) {
        // Yield now and then: a start with many subscribers must not block the event loop for long.
        if ((i & 255) === 0) await pause();
        const m = all[i]!;
        if (!ix.visit(m, digestAtRest(m)!)) {
          // No digest, or one of another version: digest the record now, and keep the new one (idle folds write it).
          const json = jsonOf(m)!;
          const digest = ix.digest(hot.get(m) ?? (JSON.parse(json) as AccountRecord));
          lines.set(m, recordLine(m, digest, json));
          dirtyShards.add(shardOf(m, shards));
          if (!ix.visit(m, digest)) throw new Error('the charging index refused its own digest');
        }
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

/**
 * Writes `bytes` to a temp file beside `path`, then renames it over `path` (as lowdb's TextFile does for text;
 * shard files are built as bytes). The temp name starts with '.' and ends with '.tmp': a load deletes leftovers.
 */
async function writeAtomically(path: string, bytes: Buffer): Promise<void> {
  const tmp = join(dirname(path), `.${basename(path)}.tmp`);
  await writeFile(tmp, bytes);
  await rename(tmp, path);
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
