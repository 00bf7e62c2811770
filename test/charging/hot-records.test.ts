import { expect } from 'chai';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import type { AccountRecord } from '../../charging/store.js';
import { tempDir } from '../helpers/temp-dir.js';

const N = 200;
const msisdn = (i: number) => `+1555020${String(i).padStart(4, '0')}`;

function record(i: number, credit: number): AccountRecord {
  return {
    subscriber: {
      msisdn: msisdn(i),
      name: `S${i}`,
      plan: 'prepaid',
      language: 'en',
      createdAt: '2025-01-01T00:00:00.000Z',
      account: { balance: { amount: credit, currency: 'USD' } },
      buckets: [],
      bills: [],
      payments: [],
      creditLimitRequests: [],
    },
    quotes: [],
    swaps: [],
    reservations: [],
    idempotency: [],
    ledger: [],
    notified: {},
  };
}

const noIndex = { digest: () => '', visit: () => true };

/**
 * The lowdb store keeps only a few records parsed; a batch may change many more. Every changed record must stay
 * parsed until its batch is written, whatever the cache size, and come back whole after a restart.
 */
describe('lowdb charging store: many changed records with a small parsed cache', () => {
  let tmp: { path: string; remove: () => void };
  beforeEach(() => {
    tmp = tempDir('charging-hot-');
  });
  afterEach(() => tmp.remove());

  it('writes every change of a batch larger than the cache, and reads it all back', async () => {
    const opts = { dir: tmp.path, shards: 4, hotRecords: 16, idleFoldMs: 0 };
    const store = createLowdbChargingStore(opts);
    await store.load(noIndex);
    await Promise.all(
      Array.from({ length: N }, (_, i) =>
        store.update(msisdn(i), () => ({ value: i, changed: true, create: record(i, 0) })),
      ),
    );
    // One turn: N changes of N different records in one batch, with 16 parsed records allowed.
    const changed = Array.from({ length: N }, (_, i) =>
      store.update(msisdn(i), (r) => {
        r!.subscriber.account.balance.amount = 1000 + i;
        return { value: i, changed: true };
      }),
    );
    expect(await Promise.all(changed)).to.have.length(N);
    for (let i = 0; i < N; i += 37)
      expect((await store.get(msisdn(i)))?.subscriber.account.balance.amount).to.equal(1000 + i);
    await store.close();

    const reopened = createLowdbChargingStore(opts);
    await reopened.load(noIndex);
    for (let i = 0; i < N; i++) {
      expect((await reopened.get(msisdn(i)))?.subscriber.account.balance.amount, msisdn(i)).to.equal(1000 + i);
    }
    await reopened.close();
  });

  it('reads back records at rest of any length, from a few hundred bytes to tens of KB', async () => {
    const opts = { dir: tmp.path, shards: 2, idleFoldMs: 0 };
    // Lines of about 0.5, 2, 2.1, 5 and 70 KB, each read back from its shard file with the others around it.
    const sizes = [0, 1500, 1700, 4500, 70_000];
    const store = createLowdbChargingStore(opts);
    await store.load(noIndex);
    await Promise.all(
      sizes.map((pad, i) =>
        store.update(msisdn(i), () => {
          const r = record(i, i);
          r.subscriber.name = `S${i} ${'x'.repeat(pad)}`;
          return { value: i, changed: true, create: r };
        }),
      ),
    );
    await store.close(); // folded: the records now rest in their shard files

    const reopened = createLowdbChargingStore(opts);
    await reopened.load(noIndex);
    for (const [i, pad] of sizes.entries()) {
      const r = await reopened.get(msisdn(i));
      expect(r?.subscriber.name, msisdn(i)).to.equal(`S${i} ${'x'.repeat(pad)}`);
      expect(r?.subscriber.account.balance.amount).to.equal(i);
    }
    await reopened.close();
  });
});
