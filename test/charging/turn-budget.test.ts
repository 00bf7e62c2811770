import { performance } from 'node:perf_hooks';
import { expect } from 'chai';
import { turnBudget } from '../../charging/turn-budget.js';

function busy(ms: number): void {
  const until = performance.now() + ms;
  while (performance.now() < until) {
    // spin: stands for a mutation's synchronous work
  }
}

describe('turn budget: a burst of work is served over several turns', () => {
  it('admits about the budget of work per turn, lets a timer run between turns, and serves the whole burst in order', async () => {
    const admit = turnBudget(2);
    const served: number[] = [];
    let timerAt = -1;
    setTimeout(() => {
      timerAt = served.length;
    }, 0);
    const waits: Promise<void>[] = [];
    for (let i = 0; i < 40; i++) {
      const job = () => {
        busy(0.5);
        served.push(i);
      };
      const wait = admit();
      if (wait) waits.push(wait.then(job));
      else job();
    }
    const inFirstTurn = served.length;
    await Promise.all(waits);

    expect(served).to.deep.equal(Array.from({ length: 40 }, (_, i) => i));
    // The first turn took about 2 ms of it (4 or 5 jobs of 0.5 ms; fewer on a busy machine), not all 20 ms.
    expect(inFirstTurn).to.be.within(1, 8);
    // The timer due at once ran while the burst was being served, not after it.
    expect(timerAt).to.be.within(1, 39);
  });

  it('admits everything at once while a turn stays under the budget', async () => {
    const admit = turnBudget(50);
    for (let i = 0; i < 100; i++) expect(admit()).to.equal(null);
  });
});
