/** A holder of one value: reused, so the Map below never points at a value itself. */
interface Holder<V> {
  value: V | undefined;
}

/**
 * A Map whose values are held through reused holders; its keys keep the Map's insertion order, so it also serves
 * as a least-recently-used list (`touch`). For a Map whose entries come and go all the time and whose values are
 * large young objects: the lowdb store's parsed records.
 *
 * Why holders: a Map whose entries come and go rehashes into a new table now and then, and once its table is
 * in V8's old generation the new one is allocated there too, while the old table, now garbage, still points at
 * every value it held. Until the next full collection each young-generation collection counts those pointers as
 * live. Parsed records in a plain Map were thus nearly all copied by two young collections and moved to the old
 * generation to die there (measured: most of what the collector copied under load, and longer pauses). A holder
 * lives as long as the Map (deleted holders are reused), and a value is referenced only by its holder, which lets
 * go of it on delete.
 */
export class HolderMap<K, V> {
  readonly #byKey = new Map<K, Holder<V>>();
  readonly #free: Holder<V>[] = [];

  get size(): number {
    return this.#byKey.size;
  }

  get(key: K): V | undefined {
    return this.#byKey.get(key)?.value;
  }

  /** The value of `key`, now the most recently used (last in order); undefined if absent. */
  touch(key: K): V | undefined {
    const h = this.#byKey.get(key);
    if (!h) return undefined;
    this.#byKey.delete(key);
    this.#byKey.set(key, h);
    return h.value;
  }

  /** Sets the value of `key`: last in order if it was absent, in place otherwise. */
  set(key: K, value: V): void {
    const h = this.#byKey.get(key);
    if (h) {
      h.value = value;
      return;
    }
    const fresh = this.#free.pop() ?? { value: undefined };
    fresh.value = value;
    this.#byKey.set(key, fresh);
  }

  delete(key: K): boolean {
    const h = this.#byKey.get(key);
    if (!h) return false;
    this.#byKey.delete(key);
    h.value = undefined;
    this.#free.push(h);
    return true;
  }

  /** Keys in order, least recently used first (deleting while iterating is allowed). */
  keys(): IterableIterator<K> {
    return this.#byKey.keys();
  }
}
