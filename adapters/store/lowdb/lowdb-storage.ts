import { randomBytes } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Storage, StoreItem, StoreItems } from 'botbuilder';
import { Low } from 'lowdb';
import { CoalescingJsonFile } from './coalescing-json-file.js';
import { lockDir } from './dir-lock.js';
import { shardFileName, shardOf } from './shard-of.js';

interface ShardData {
  items: Record<string, StoreItem>;
}

export interface LowdbStorageOptions {
  /** Directory of the shard files (created if missing); one process at a time (a `LOCK` file holds its pid). */
  dir: string;
  /**
   * Number of shard files keys are hashed into, for a new directory (default 256: a write rewrites one shard, so
   * more shards keep each write small as the number of customers grows). Fixed for the life of a directory: the
   * count is recorded in `SHARDS` and a directory made earlier keeps its own.
   */
  shards?: number;
}

/**
 * botbuilder `Storage` on lowdb JSON files, for every piece of bot-side state (dialog state, conversation
 * references, dedup ids, Direct Line conversations).
 *
 * - Keys are hashed into `shards` files so a write's cost does not grow with the number of keys.
 * - Each `write`/`delete` changes the in-memory shard synchronously inside one lowdb `update()`, then resolves
 *   once the atomic file write (temp file + rename) holding it has completed; concurrent calls share writes.
 * - eTags behave as in botbuilder's `MemoryStorage`: a write whose `eTag` differs from the stored one is
 *   rejected, `'*'` or no eTag always wins. Unlike `MemoryStorage`, a rejected multi-key write changes nothing.
 * - Items are cloned through JSON on the way in and out, as network storages do.
 */
export class LowdbStorage implements Storage {
  readonly #dir: string;
  readonly #shards: number;
  readonly #dbs = new Map<number, Promise<Low<ShardData>>>();
  #release: (() => void) | null;

  constructor(opts: LowdbStorageOptions) {
    this.#dir = opts.dir;
    this.#release = lockDir(this.#dir);
    this.#shards = shardCountOf(this.#dir, opts.shards ?? DEFAULT_SHARDS);
  }

  async read(keys: string[]): Promise<StoreItems> {
    if (!keys) throw new ReferenceError('Keys are required when reading.');
    const out: StoreItems = {};
    for (const key of keys) {
      const db = await this.#db(key);
      const item = db.data.items[key];
      if (item !== undefined) out[key] = JSON.parse(JSON.stringify(item));
    }
    return out;
  }

  async write(changes: StoreItems): Promise<void> {
    if (!changes) throw new ReferenceError('Changes are required when writing.');
    const byShard = await this.#group(Object.keys(changes));
    // Check every eTag before changing anything, synchronously, so no other write can interleave.
    for (const [db, keys] of byShard) {
      for (const key of keys) {
        const incoming = changes[key] as StoreItem;
        const current = db.data.items[key];
        if (current && incoming.eTag && incoming.eTag !== '*' && incoming.eTag !== current.eTag) {
          throw new Error(`Storage: error writing "${key}" due to eTag conflict.`);
        }
      }
    }
    const writes: Promise<void>[] = [];
    for (const [db, keys] of byShard) {
      writes.push(
        db.update((data) => {
          for (const key of keys) {
            const clone = JSON.parse(JSON.stringify(changes[key])) as StoreItem;
            clone.eTag = newETag();
            data.items[key] = clone;
          }
        }),
      );
    }
    await Promise.all(writes);
  }

  async delete(keys: string[]): Promise<void> {
    if (!keys) throw new ReferenceError('Keys are required when deleting.');
    const byShard = await this.#group(keys);
    const writes: Promise<void>[] = [];
    for (const [db, shardKeys] of byShard) {
      if (!shardKeys.some((k) => k in db.data.items)) continue;
      writes.push(
        db.update((data) => {
          for (const key of shardKeys) delete data.items[key];
        }),
      );
    }
    await Promise.all(writes);
  }

  /** Waits for pending writes and releases the directory lock. */
  async close(): Promise<void> {
    for (const p of this.#dbs.values()) {
      const db = await p;
      await (db.adapter as CoalescingJsonFile<ShardData>).drain();
    }
    this.#release?.();
    this.#release = null;
  }

  async #group(keys: string[]): Promise<Map<Low<ShardData>, string[]>> {
    const out = new Map<Low<ShardData>, string[]>();
    for (const key of keys) {
      const db = await this.#db(key);
      const list = out.get(db);
      if (list) list.push(key);
      else out.set(db, [key]);
    }
    return out;
  }

  /** Shards load lazily, once: a process that touches few keys reads few files. */
  #db(key: string): Promise<Low<ShardData>> {
    if (!this.#release) throw new Error('LowdbStorage is closed');
    const shard = shardOf(key, this.#shards);
    let p = this.#dbs.get(shard);
    if (!p) {
      const db = new Low<ShardData>(
        new CoalescingJsonFile<ShardData>(join(this.#dir, shardFileName('storage', shard))),
        { items: {} },
      );
      p = db.read().then(() => db);
      this.#dbs.set(shard, p);
    }
    return p;
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

function newETag(): string {
  return randomBytes(9).toString('base64url');
}
