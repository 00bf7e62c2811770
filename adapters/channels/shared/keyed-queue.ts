/**
 * Runs tasks one at a time per key (a subscriber), concurrently across keys: a user's turns keep their order
 * and never interleave, while 200 users are served in parallel. `idle()` resolves when nothing is running.
 */
export class KeyedQueue {
  private readonly tails = new Map<string, Promise<void>>();
  private running = 0;
  private waiters: (() => void)[] = [];

  run<T>(key: string, task: () => Promise<T>): Promise<T> {
    this.running++;
    const prev = this.tails.get(key) ?? Promise.resolve();
    const result = prev.then(task);
    const tail = result.then(
      () => undefined,
      () => undefined,
    );
    this.tails.set(key, tail);
    void tail.then(() => {
      if (this.tails.get(key) === tail) this.tails.delete(key);
      this.running--;
      if (this.running === 0) for (const w of this.waiters.splice(0)) w();
    });
    return result;
  }

  /** Resolves once every queued task has finished. */
  idle(): Promise<void> {
    if (this.running === 0) return Promise.resolve();
    return new Promise((r) => this.waiters.push(r));
  }
}
