import { expect } from 'chai';
import { type ChargingCore, createChargingCore } from '../../charging/core.js';
import { seedDemo } from '../../charging/demo.js';
import type { Result } from '../../charging/errors.js';
import { createMemoryChargingStore } from '../../charging/memory-store.js';
import type { ChargingStore } from '../../charging/store.js';
import { FixedClock } from '../helpers/fixed-clock.js';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}`);
  return r.value;
}

const ANA = '+15550100001';

/**
 * Idempotency records are kept as a list in each subscriber's record. Records written when they were an object
 * keyed by the idempotency key (data directories of earlier versions) still answer repeats, take new keys, and
 * expire.
 */
describe('charging core: idempotency records written as an object by earlier versions', () => {
  let clock: FixedClock;
  let store: ChargingStore;
  let core: ChargingCore;

  beforeEach(async () => {
    clock = new FixedClock('2025-03-10T09:00:00.000Z');
    store = createMemoryChargingStore();
    core = createChargingCore({ store, clock });
    await seedDemo(core);
  });
  afterEach(async () => {
    await core.close();
  });

  /** Rewrites Ana's idempotency records as the object an earlier version stored. */
  async function asOldObject(): Promise<void> {
    const rec = (await store.get(ANA))!;
    const old: Record<string, unknown> = {};
    for (const { key, ...rest } of rec.idempotency) old[key] = rest;
    (rec as { idempotency: unknown }).idempotency = old;
  }

  it('answers a repeat from the old form, applies a new key once, and drops both after a day', async () => {
    const balance = async () => value(await core.getSubscriber(ANA)).account.balance.amount;
    const start = await balance();
    const first = value(await core.topUp(ANA, { amount: 150 }, { idempotencyKey: 'old-1' }));
    await asOldObject();

    // The repeat is answered with the first answer and changes nothing.
    expect(value(await core.topUp(ANA, { amount: 150 }, { idempotencyKey: 'old-1' }))).to.deep.equal(first);
    // The same key for another request is still refused.
    const reused = await core.topUp(ANA, { amount: 999 }, { idempotencyKey: 'old-1' });
    expect(reused.ok).to.equal(false);
    expect(await balance()).to.equal(start + 150);

    // A new key is applied once, and the record now holds both as a list.
    value(await core.topUp(ANA, { amount: 50 }, { idempotencyKey: 'new-1' }));
    value(await core.topUp(ANA, { amount: 50 }, { idempotencyKey: 'new-1' }));
    expect(await balance()).to.equal(start + 200);
    const rec = (await store.get(ANA))!;
    expect(rec.idempotency.map((r) => r.key).slice(-2)).to.deep.equal(['old-1', 'new-1']);

    // After a day both are dropped: the keys are free again.
    clock.advanceDays(1);
    clock.advanceMinutes(1);
    await core.tick();
    expect((await store.get(ANA))!.idempotency).to.deep.equal([]);
    value(await core.topUp(ANA, { amount: 150 }, { idempotencyKey: 'old-1' }));
    expect(await balance()).to.equal(start + 350);
  });
});
