import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { readFile, unlink } from 'node:fs/promises';
import { join } from 'node:path';
import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import { TextFile } from 'lowdb/node';
import { type CommitSignal, commitSignal } from './commit-batch.js';
import { lockDir } from './dir-lock.js';
import { shardFileName, shardOf } from './shard-of.js';
import {
  isTornTempFile,
  type StorageJournalFile,
  type StorageShardFile,
  storageJournalPath,
  storageJournalSeq,
} from './storage-journal.js';

export interface LowdbStorageOptions {
  /** Directory of the shard files (created if missing); one process at a time (a `LOCK` file holds its pid). */
  dir: string;
  /**
   * Number of shard files keys are hashed into, for a new directory (default 256: a fold rewrites one shard, so
   * more shards keep each fold small as the number of customers grows). Fixed for the life of a directory: the
   * count is recorded in `SHARDS` and a directory made earlier keeps its own.
   */
  shards?: number;
  /** Journal bytes not yet folded above which every journal write also folds a few shards. Default 8 MiB. */
  foldAfterBytes?: number;
  /** While nothing is being written, fold `foldPerIdle` dirty shards every this many ms (0: never). Default 100. */
  idleFoldMs?: number;
  foldPerIdle?: number;
}

/** One write batch: every write and delete acknowledged by the same journal file. */
interface Batch extends CommitSignal {
  dirty: Set<string>;
  deleted: Set<string>;
}

function newBatch(): Batch {
  return { dirty: new Set(), deleted: new Set(), ...commitSignal() };
}

/** A stored item: its JSON text (the only copy) and its eTag, kept apart for the eTag checks. */
interface Entry {
  eTag: string | undefined;
  text: string;
}

const isMissing = (e: unknown) => (e as NodeJS.ErrnoException).code === 'ENOENT';

/**
 * botbuilder `Storage` on lowdb JSON files, for every piece of bot-side state (dialog state, conversation
 * references, dedup ids, Direct Line conversations). Same design as the charging store (README.md here):
 *
 * - Every item is held in memory as its JSON text. A `write`/`delete` checks and applies synchronously, then
 *   joins the open batch; a batch is written as ONE journal file (`journal-<seq>.json`, lowdb
 *   `TextFile` = steno: temp file + rename) holding only the items it changed and the keys it deleted, as soon
 *   as the previous journal write has completed. The call resolves once that rename is done.
 * - A background fold rewrites one shard file (`storage-NNNN.json`, `{ through, items }`) at a batch boundary,
 *   a few per journal write once the unfolded journal exceeds `foldAfterBytes`, and a few every `idleFoldMs`
 *   while idle; a journal file is deleted once every shard it touched is folded past it. `close()` folds all.
 * - Load reads every shard file, then replays the journal in order, applying a batch to a shard only when the
 *   shard is not folded past it (idempotent; torn temp files are ignored and deleted).
 * - eTags behave as in botbuilder's `MemoryStorage`: a write whose `eTag` differs from the stored one is
 *   rejected, `'*'` or no eTag always wins. Unlike `MemoryStorage`, a rejected multi-key write changes nothing.
 * - Items are copied with JSON semantics on the way in (one stringify, reused by the journal and folds) and
 *   out (one parse), as network storages do: what a read returns is the same before and after a restart.
 */
export class LowdbStorage implements Storage {
  readonly #dir: string;
  readonly #shards: number;
  readonly #foldAfterBytes: number;
  readonly #foldPerIdle: number;
  readonly #entries = new Map<string, Entry>();
  readonly #members: Set<string>[];
  /** Per shard: the journal seq its file is folded through. */
  readonly #through: number[];
  /** Shards with sealed changes not folded yet; insertion order = oldest first. */
  readonly #dirtyShards = new Set<number>();
  readonly #folding = new Set<number>();
  /** Journal files not yet deleted, with the shards not yet folded past them. */
  readonly #journals = new Map<number, { shards: Set<number>; bytes: number }>();
  readonly #shardJournals: number[][];
  #journalBytes = 0;
  #lastSeq = 0;
  #batch = newBatch();
  #writing: Batch | null = null;
  #scheduled = false;
  #foldChain: Promise<void> = Promise.resolve();
  #foldsQueued = 0;
  #broken: unknown = null;
  #closing = false;
  #loaded = false;
  readonly #ready: Promise<void>;
  readonly #idleTimer: NodeJS.Timeout | null;
  #release: (() => void) | null;

  constructor(opts: LowdbStorageOptions) {
    this.#dir = opts.dir;
    this.#release = lockDir(this.#dir);
    this.#shards = shardCountOf(this.#dir, opts.shards ?? DEFAULT_SHARDS);
    this.#foldAfterBytes = opts.foldAfterBytes ?? 8 * 1024 * 1024;
    this.#foldPerIdle = Math.max(1, opts.foldPerIdle ?? 8);
    this.#members = Array.from({ length: this.#shards }, () => new Set<string>());
    this.#through = new Array<number>(this.#shards).fill(0);
    this.#shardJournals = Array.from({ length: this.#shards }, () => []);
    this.#ready = this.#load().then(() => {
      this.#loaded = true;
    });
    this.#ready.catch(() => {});
    const idleMs = opts.idleFoldMs ?? 100;
    this.#idleTimer = idleMs > 0 ? setInterval(() => this.#idleFold(), idleMs) : null;
    this.#idleTimer?.unref();
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    if (!this.#loaded) await this.#ready;
    this.#assertOpen();
    const out: StoreItems = {};
    for (const key of keys) {
      const entry = this.#entries.get(key);
      if (entry !== undefined) out[key] = JSON.parse(entry.text);
    }
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    if (!this.#loaded) await this.#ready;
    this.#assertOpen();
    const keys = Object.keys(changes);
    // Check every eTag and serialise every item before changing anything, synchronously, so no other write
    // can interleave and a failure leaves the store as it was.
    for (const key of keys) {
      const incoming = changes[key] as StoreItem;
      const current = this.#entries.get(key);
      if (current && incoming.eTag && incoming.eTag !== '*' && incoming.eTag !== current.eTag) {
        throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
      }
    }
    const prepared = keys.map((key) => {
      const eTag = newETag();
      // The spread keeps the position of an existing eTag key, as assigning it on a clone did.
      return { key, entry: { eTag, text: JSON.stringify({ ...(changes[key] as StoreItem), eTag }) } };
    });
    if (prepared.length === 0) return;
    const batch = this.#batch;
    for (const { key, entry } of prepared) {
      this.#entries.set(key, entry);
      this.#members[shardOf(key, this.#shards)]!.add(key);
      batch.deleted.delete(key);
      batch.dirty.add(key);
    }
    this.#schedule();
    await batch.done;
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    if (!this.#loaded) await this.#ready;
    this.#assertOpen();
    const batch = this.#batch;
    let changed = false;
    for (const key of keys) {
      if (!this.#entries.delete(key)) continue;
      this.#members[shardOf(key, this.#shards)]!.delete(key);
      batch.dirty.delete(key);
      batch.deleted.add(key);
      changed = true;
    }
    if (!changed) return;
    this.#schedule();
    await batch.done;
  }

  /** Waits for pending writes, folds the journal into the shard files, and releases the directory lock. */
  async close(): Promise<void> {
    if (!this.#release || this.#closing) return;
    this.#closing = true;
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    try {
      await this.#ready;
      while (!this.#broken && (this.#writing || !this.#batchEmpty())) {
        if (this.#writing) await this.#writing.done.catch(() => {});
        else this.#flush();
      }
      // Fold everything, so that the next start has no journal to replay; a few at a time.
      while (!this.#broken && (this.#dirtyShards.size > 0 || this.#foldsQueued > 0)) {
        this.#foldSome(this.#lastSeq, Promise.resolve(), 16);
        await this.#foldChain;
      }
    } finally {
      this.#release?.();
      this.#release = null;
    }
  }

  #assertOpen(): void {
    if (!this.#release || this.#closing) throw new Error('LowdbStorage is closed');
    if (this.#broken) throw this.#broken;
  }

  // ---- load ----

  async #load(): Promise<void> {
    for (const f of readdirSync(this.#dir)) if (isTornTempFile(f)) rmSync(join(this.#dir, f), { force: true });
    const shards = this.#shards;
    const put = (key: string, item: unknown, k: number) => {
      this.#entries.set(key, { eTag: (item as StoreItem).eTag, text: JSON.stringify(item) });
      this.#members[k]!.add(key);
    };
    // Read a few files ahead while parsing, so disk waits and parsing overlap.
    const AHEAD = 8;
    const readShard = (k: number) =>
      readFile(join(this.#dir, shardFileName('storage', k)), 'utf8').catch((e: unknown) => {
        if (isMissing(e)) return null;
        throw e;
      });
    const reads: Promise<string | null>[] = [];
    for (let k = 0; k < Math.min(AHEAD, shards); k++) reads.push(readShard(k));
    for (let k = 0; k < shards; k++) {
      const text = await reads[k]!;
      if (k + AHEAD < shards) reads.push(readShard(k + AHEAD));
      reads[k] = Promise.resolve(null); // let the text go
      if (text === null) continue;
      const file = JSON.parse(text) as StorageShardFile;
      this.#through[k] = file.through ?? 0;
      this.#lastSeq = Math.max(this.#lastSeq, this.#through[k]!);
      for (const [key, item] of Object.entries(file.items)) put(key, item, k);
    }
    const seqs = readdirSync(this.#dir)
      .map(storageJournalSeq)
      .filter((s): s is number => s !== null)
      .sort((a, b) => a - b);
    for (const seq of seqs) {
      const path = storageJournalPath(this.#dir, seq);
      const text = await readFile(path, 'utf8');
      const file = JSON.parse(text) as StorageJournalFile;
      const touched = new Set<number>();
      for (const [key, item] of Object.entries(file.items)) {
        const k = shardOf(key, shards);
        if (seq <= this.#through[k]!) continue; // already folded into the shard file
        put(key, item, k);
        touched.add(k);
      }
      for (const key of file.deleted) {
        const k = shardOf(key, shards);
        if (seq <= this.#through[k]!) continue;
        this.#entries.delete(key);
        this.#members[k]!.delete(key);
        touched.add(k);
      }
      this.#lastSeq = Math.max(this.#lastSeq, seq);
      if (touched.size === 0) {
        // Folded everywhere, but the crash came before its deletion.
        await unlink(path).catch(() => {});
        continue;
      }
      this.#track(seq, touched, text.length);
    }
  }

  #track(seq: number, touched: Set<number>, bytes: number): void {
    this.#journals.set(seq, { shards: touched, bytes });
    this.#journalBytes += bytes;
    for (const k of touched) {
      this.#shardJournals[k]!.push(seq);
      this.#dirtyShards.add(k);
    }
  }

  // ---- group commit ----

  #batchEmpty(): boolean {
    return this.#batch.dirty.size === 0 && this.#batch.deleted.size === 0;
  }

  #schedule(): void {
    if (this.#scheduled || this.#writing) return;
    this.#scheduled = true;
    // setImmediate: every write of this turn of the event loop joins the same journal file.
    setImmediate(() => this.#flush());
  }

  #fail(err: unknown): void {
    this.#broken ??= err;
    this.#writing?.reject(err);
    this.#batch.reject(err);
  }

  /** Seals the open batch into one journal file, and starts a few folds at this boundary. */
  #flush(): void {
    this.#scheduled = false;
    if (this.#writing || this.#broken || this.#batchEmpty()) return;
    const b = this.#batch;
    this.#batch = newBatch();
    const seq = ++this.#lastSeq;
    const touched = new Set<number>();
    const parts: string[] = [];
    for (const key of b.dirty) {
      const entry = this.#entries.get(key);
      if (!entry) continue; // cannot happen: a delete takes the key out of `dirty`
      parts.push(`${JSON.stringify(key)}:${entry.text}`);
      touched.add(shardOf(key, this.#shards));
    }
    for (const key of b.deleted) touched.add(shardOf(key, this.#shards));
    const text = `{"seq":${seq},"items":{${parts.join(',')}},"deleted":${JSON.stringify([...b.deleted])}}`;
    this.#track(seq, touched, text.length);
    this.#writing = b;
    const written = new TextFile(storageJournalPath(this.#dir, seq)).write(text);
    // Right now memory holds exactly the state through `seq`: the moment to snapshot shards for a fold.
    if (this.#journalBytes > this.#foldAfterBytes) {
      this.#foldSome(seq, written, Math.min(8, 1 + Math.floor(this.#journalBytes / this.#foldAfterBytes)));
    }
    written.then(
      () => {
        this.#writing = null;
        b.resolve();
        if (!this.#batchEmpty()) this.#flush();
      },
      (err: unknown) => {
        this.#writing = null;
        b.reject(err);
        this.#fail(err);
      },
    );
  }

  // ---- folding ----

  #foldSome(seq: number, written: Promise<void>, n: number): void {
    if (this.#foldsQueued > 16) return; // the disk is behind: let the journal grow rather than queue more
    for (const k of this.#dirtyShards) {
      if (n <= 0) break;
      if (this.#folding.has(k)) continue;
      this.#foldShard(k, seq, written);
      n--;
    }
  }

  /** Snapshots shard `k` as of journal `seq` now; writes it once journal `seq` is durable. */
  #foldShard(k: number, seq: number, written: Promise<void>): void {
    this.#dirtyShards.delete(k);
    const parts: string[] = [];
    for (const key of this.#members[k]!) parts.push(`${JSON.stringify(key)}:${this.#entries.get(key)!.text}`);
    const text = `{"through":${seq},"items":{${parts.join(',')}}}`;
    this.#folding.add(k);
    this.#foldsQueued++;
    this.#foldChain = this.#foldChain
      .then(async () => {
        await written;
        if (this.#broken) return;
        await new TextFile(join(this.#dir, shardFileName('storage', k))).write(text);
        this.#through[k] = seq;
        this.#folding.delete(k);
        const keep: number[] = [];
        const drop: number[] = [];
        for (const s of this.#shardJournals[k]!) {
          const info = s <= seq ? this.#journals.get(s) : undefined;
          if (!info) {
            keep.push(s);
            continue;
          }
          info.shards.delete(k);
          if (info.shards.size === 0) {
            this.#journals.delete(s);
            this.#journalBytes -= info.bytes;
            drop.push(s);
          }
        }
        this.#shardJournals[k] = keep;
        await Promise.all(drop.map((s) => unlink(storageJournalPath(this.#dir, s)).catch(() => {})));
      })
      .catch((err: unknown) => this.#fail(err))
      .finally(() => {
        this.#foldsQueued--;
      });
  }

  /** While nothing is being written, memory equals the durable state: fold a few shards. */
  #idleFold(): void {
    if (!this.#loaded || this.#writing || this.#broken || !this.#batchEmpty()) return;
    if (this.#foldsQueued > 0 || this.#dirtyShards.size === 0) return;
    this.#foldSome(this.#lastSeq, Promise.resolve(), this.#foldPerIdle);
  }
}

const DEFAULT_SHARDS = 256;
/** Directories made before the count was recorded used 16 shards. */
const LEGACY_SHARDS = 16;

/** The directory's recorded shard count; records `wanted` for a new directory. */
function shardCountOf(dir: string, wanted: number): number {
  if (!Number.isInteger(wanted) || wanted < 1) throw new Error('LowdbStorage: shards must be >= 1');
  const file = join(dir, 'SHARDS');
  if (existsSync(file)) {
    const recorded = Number(readFileSync(file, 'utf8').trim());
    if (Number.isInteger(recorded) && recorded >= 1) return recorded;
  }
  const existing = readdirSync(dir).some((name) => name.startsWith('storage') && name.endsWith('.json'));
  const count = existing ? LEGACY_SHARDS : wanted;
  writeFileSync(file, `${count}\n`);
  return count;
}

/**
 * eTags: a random prefix per process and a counter, unique across restarts as random ones are, without drawing
 * random bytes on every write.
 */
const ETAG_PREFIX = randomBytes(6).toString('base64url');
let etagCounter = 0;

function newETag(): string {
  etagCounter++;
  return `${ETAG_PREFIX}${etagCounter.toString(36)}`;
}
