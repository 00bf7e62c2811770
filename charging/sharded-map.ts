/**
 * A Map from strings split over many small Maps by a hash of the key.
 *
 * Why: a V8 Map grows by rehashing its whole table in one synchronous step, which costs about 0.12 µs an entry
 * on our machines: 16 ms at 64,000 entries, 56 ms at 256,000. The core's indexes hold an entry per subscriber
 * or per idempotency key of the last day, so one insertion now and then would hold the event loop for tens of
 * ms. Split over `shards` Maps, a rehash moves 1/`shards` of the entries.
 *
 * Iteration visits shard after shard (each in insertion order), so the order is not the order of insertion.
 */
export class ShardedMap<V> {
  readonly #maps: Map<string, V>[];
  readonly #mask: number;

  /** `shards` is rounded up to a power of two. */
  constructor(shards = 256) {
    let n = 1;
    while (n < shards) n *= 2;
    this.#mask = n - 1;
    this.#maps = Array.from({ length: n }, () => new Map<string, V>());
  }

  #of(key: string): Map<string, V> {
    // FNV-1a over the UTF-16 code units: cheap, and spreads MSISDNs and ids that differ only in their last digits.
    let h = 0x811c9dc5;
    for (let i = 0; i < key.length; i++) h = Math.imul(h ^ key.charCodeAt(i), 0x01000193);
    return this.#maps[(h ^ (h >>> 16)) & this.#mask]!;
  }

  get(key: string): V | undefined {
    return this.#of(key).get(key);
  }

  set(key: string, value: V): this {
    this.#of(key).set(key, value);
    return this;
  }

  delete(key: string): boolean {
    return this.#of(key).delete(key);
  }

  *[Symbol.iterator](): IterableIterator<[string, V]> {
    for (const m of this.#maps) yield* m;
  }
}
