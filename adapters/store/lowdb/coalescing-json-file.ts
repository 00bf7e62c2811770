import type { Adapter } from 'lowdb';
import { TextFile } from 'lowdb/node';

/**
 * A lowdb `Adapter` that writes a JSON file atomically (lowdb's `TextFile`, i.e. steno: temp file + rename)
 * and groups every `write()` issued while a write is queued or in flight into the next single write.
 *
 * Why not lowdb's `JSONFile`: it stringifies the whole document on every `update()`, so N mutations cost N
 * serialisations. Here serialisation happens once per physical write, when the write starts, from the
 * latest in-memory state; every caller's promise resolves only once a write that contains its change has
 * completed (the durability point our callers acknowledge on).
 */
export class CoalescingJsonFile<T> implements Adapter<T> {
  readonly #file: TextFile;
  #latest: T | undefined;
  #inFlight = false;
  /** Waiters whose change is not yet in a started write. */
  #queued: { resolve: () => void; reject: (e: unknown) => void }[] = [];
  #scheduled = false;
  /** Waiters of the write in flight. */
  #current: { resolve: () => void; reject: (e: unknown) => void }[] = [];

  constructor(readonly path: string) {
    this.#file = new TextFile(path);
  }

  async read(): Promise<T | null> {
    const text = await this.#file.read();
    return text === null ? null : (JSON.parse(text) as T);
  }

  write(data: T): Promise<void> {
    this.#latest = data;
    const done = new Promise<void>((resolve, reject) => this.#queued.push({ resolve, reject }));
    // setImmediate: let every mutation of this turn of the event loop join the same write.
    if (!this.#inFlight && !this.#scheduled) {
      this.#scheduled = true;
      setImmediate(() => this.#flush());
    }
    return done;
  }

  #flush(): void {
    this.#scheduled = false;
    if (this.#inFlight || this.#queued.length === 0) return;
    const waiters = this.#queued;
    this.#queued = [];
    this.#current = waiters;
    this.#inFlight = true;
    const text = JSON.stringify(this.#latest);
    this.#file.write(text).then(
      () => {
        for (const w of waiters) w.resolve();
        this.#afterWrite();
      },
      (err: unknown) => {
        for (const w of waiters) w.reject(err);
        this.#afterWrite();
      },
    );
  }

  #afterWrite(): void {
    this.#inFlight = false;
    if (this.#queued.length > 0) this.#flush();
  }

  /** True when nothing is queued, scheduled or in flight. */
  idle(): boolean {
    return !this.#inFlight && !this.#scheduled && this.#queued.length === 0;
  }

  /**
   * Resolves once every change handed to `write` so far is on disk (immediately when idle). For callers whose
   * answer depends on data still being written.
   */
  settled(): Promise<void> {
    if (this.#queued.length > 0) {
      return new Promise<void>((resolve, reject) => this.#queued.push({ resolve, reject }));
    }
    if (this.#inFlight) return new Promise<void>((resolve, reject) => this.#current.push({ resolve, reject }));
    return Promise.resolve();
  }

  /** Resolves once nothing is queued or in flight. */
  async drain(): Promise<void> {
    while (this.#inFlight || this.#queued.length > 0 || this.#scheduled) {
      await new Promise((r) => setTimeout(r, 1));
    }
  }
}
