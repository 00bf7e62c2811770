/**
 * Turns of one conversation run one after another. Two quick messages ("yes", "yes") otherwise race on the
 * same dialog state; in order, the second one finds the confirmation already done.
 */
export class TurnQueue {
  private readonly tails = new Map<string, Promise<void>>();

  async run(key: string, turn: () => Promise<void>): Promise<void> {
    const previous = this.tails.get(key) ?? Promise.resolve();
    const current = previous.then(turn, turn);
    const tail = current.catch(() => undefined);
    this.tails.set(key, tail);
    try {
      await current;
    } finally {
      if (this.tails.get(key) === tail) this.tails.delete(key);
    }
  }
}
