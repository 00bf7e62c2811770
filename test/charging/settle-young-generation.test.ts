import { expect } from 'chai';
import { constants, PerformanceObserver, performance } from 'node:perf_hooks';
import { settleYoungGeneration } from '../../adapters/store/lowdb/settle-young-generation.js';

/**
 * What a load leaves in V8's young generation is promoted before traffic: the store makes short-lived garbage
 * after its load until the young generation has been emptied twice (observed here through Node's GC entries).
 */
describe('lowdb charging store: young generation settled after the load', () => {
  it('returns once two collections of the young generation have run, yielding to the event loop meanwhile', async () => {
    // A full collection empties the young generation too (its survivors go to the old generation).
    const kinds = [constants.NODE_PERFORMANCE_GC_MINOR, constants.NODE_PERFORMANCE_GC_MAJOR];
    const collections: number[] = [];
    const observer = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        const kind = (e as PerformanceEntry & { detail?: { kind?: number } }).detail?.kind;
        if (kind !== undefined && kinds.includes(kind)) collections.push(e.startTime);
      }
    });
    observer.observe({ entryTypes: ['gc'] });
    let yields = 0;
    const started = performance.now();
    await settleYoungGeneration(async () => {
      yields++;
      await new Promise((r) => setImmediate(r));
    });
    const ended = performance.now();
    await new Promise((r) => setTimeout(r, 50)); // GC entries are delivered asynchronously
    observer.disconnect();
    const during = collections.filter((t) => t >= started && t <= ended);
    expect(during.length, 'collections while settling').to.be.at.least(2);
    expect(yields, 'slices').to.be.above(1);
  });
});
