/** A holder of one value: reused, so the Map below never points at a value itself. */
interface Holder<V> {
  value: V | undefined;
}

/**
 * Parsed records by MSISDN, least recently used first (a Map's insertion order), held through reused holders.
 *
 * Why holders: a Map whose entries come and go rehashes into a new table now and then, and once its table is
 * in V8's old generation the new one is allocated there too, while the old table, now garbage, still points at
 * every value it held. Until the next full collection each young-generation collection counts those pointers as
 * live, so nearly every parsed record was copied by two of them and moved to the old generation, to die there:
 * most of what the collector copied under load (measured), and longer pauses. A holder lives as long as the
 * store, and a record is referenced only by its holder, which lets go of it as soon as it leaves.
 */
export class HotRecords<V> {
  readonly #byKey = new Map<string, Holder<V>>();
  readonly #free: Holder<V>[] = [];

  get size(): number {
    return this.#byKey.size;
  }

  get(key: string): V | undefined {
    return this.#byKey.get(key)?.value;
  }

  /** The value of `key`, now the most recently used; undefined if absent. */
  touch(key: string): V | undefined {
    const h = this.#byKey.get(key);
    if (!h) return undefined;
    this.#byKey.delete(key);
    this.#byKey.set(key, h);
    return h.value;
  }

  /** Sets the value of `key` (the most recently used if it was absent; in place otherwise). */
  set(key: string, value: V): void {
    const h = this.#byKey.get(key);
    if (h) {
      h.value = value;
      return;
    }
    const fresh = this.#free.pop() ?? { value: undefined };
    fresh.value = value;
    this.#byKey.set(key, fresh);
  }

  delete(key: string): boolean {
    const h = this.#byKey.get(key);
    if (!h) return false;
    this.#byKey.delete(key);
    h.value = undefined;
    this.#free.push(h);
    return true;
  }

  /** Keys, least recently used first (deleting while iterating is allowed). */
  keys(): IterableIterator<string> {
    return this.#byKey.keys();
  }
}
