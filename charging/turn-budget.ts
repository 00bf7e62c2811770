import { performance } from 'node:perf_hooks';

/**
 * Admission of work per turn of the event loop. A burst of callers (a journal write acknowledging many mutations
 * whose callers at once send their next one, or many requests read in one poll) would otherwise run all its
 * synchronous work in one turn, and timers and I/O wait for all of it. `admit()` resolves at once while the
 * current turn has admitted less than `budgetMs` of work, and otherwise in a later turn (setImmediate: after the
 * poll phase's I/O and the timers). Under normal load no work waits; under a burst each turn stays short and
 * the burst is served over several turns, in the order it came.
 */
export function turnBudget(budgetMs: number): () => Promise<void> | null {
  let turnStart = -1;
  const endTurn = () => {
    turnStart = -1;
  };
  const later = (): Promise<void> =>
    new Promise<void>((resolve) => setImmediate(resolve)).then(() => admit() ?? undefined);
  function admit(): Promise<void> | null {
    const now = performance.now();
    if (turnStart < 0) {
      turnStart = now;
      // The next check phase starts a new turn's budget (it runs after this turn's I/O, timers and microtasks).
      setImmediate(endTurn);
      return null;
    }
    return now - turnStart < budgetMs ? null : later();
  }
  return admit;
}
