import type { AccountRecord } from '../../../charging/store.js';

/**
 * Shares equal strings between records read from JSON. `JSON.parse` gives every record its own copy of bucket
 * names, units, apps, currencies and dates, although most subscribers share them (a plan's bundles are created
 * on the same days); with 100,000 records in memory that is tens of megabytes. Used while loading only, then
 * dropped: the shared strings stay shared.
 */
export class StringPool {
  readonly #pool = new Map<string, string>();

  #s<T extends string | undefined>(s: T): T {
    if (s === undefined) return s;
    const hit = this.#pool.get(s);
    if (hit !== undefined) return hit as T;
    this.#pool.set(s, s);
    return s;
  }

  /** Replaces the repetitive strings of `rec` with pooled ones, in place. */
  intern(rec: AccountRecord): void {
    const sub = rec.subscriber;
    sub.plan = this.#s(sub.plan);
    sub.language = this.#s(sub.language);
    sub.createdAt = this.#s(sub.createdAt);
    if (sub.timeZone !== undefined) sub.timeZone = this.#s(sub.timeZone);
    sub.account.balance.currency = this.#s(sub.account.balance.currency);
    if (sub.account.creditLimit) sub.account.creditLimit.currency = this.#s(sub.account.creditLimit.currency);
    for (const b of sub.buckets) {
      b.name = this.#s(b.name);
      b.unit = this.#s(b.unit);
      if (b.app !== undefined) b.app = this.#s(b.app);
      if (b.productId !== undefined) b.productId = this.#s(b.productId);
      b.validFor.startDateTime = this.#s(b.validFor.startDateTime);
      b.validFor.endDateTime = this.#s(b.validFor.endDateTime);
    }
  }

  clear(): void {
    this.#pool.clear();
  }
}
