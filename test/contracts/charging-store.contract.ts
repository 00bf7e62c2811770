import { expect } from 'chai';
import { createChargingCore } from '../../charging/core.js';
import { seedDemo } from '../../charging/demo.js';
import type { Result } from '../../charging/errors.js';
import type { LedgerEntry } from '../../charging/model.js';
import type { AccountRecord, ChargingStore } from '../../charging/store.js';
import { ledgerMismatches } from '../charging/ledger-check.js';

export interface ChargingStoreFixture {
  store: ChargingStore;
  /** Close and open the same data again (a restart); omitted by stores that do not survive one. */
  reopen?: () => Promise<ChargingStore>;
  cleanup: () => Promise<void>;
}

function record(msisdn: string): AccountRecord {
  return {
    subscriber: {
      msisdn,
      name: 'T',
      plan: 'prepaid',
      language: 'en',
      createdAt: '2025-01-01T00:00:00.000Z',
      account: { balance: { amount: 0, currency: 'USD' } },
      buckets: [],
      bills: [],
      payments: [],
    },
    quotes: [],
    swaps: [],
    reservations: [],
    idempotency: [],
    ledger: [],
    notified: {},
  };
}

function entry(msisdn: string, i: number, after: number): LedgerEntry {
  return {
    id: `e${i}`,
    msisdn,
    at: '2025-01-01T00:00:00.000Z',
    reason: 'topup',
    target: 'account',
    unit: 'money',
    delta: 1,
    after,
  };
}

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

/** The contract of `ChargingStore` (charging/store.ts), run on every implementation. */
export function chargingStoreContract(
  name: string,
  make: () => Promise<ChargingStoreFixture>,
  opts: { durable: boolean } = { durable: false },
): void {
  describe(`ChargingStore contract: ${name}`, () => {
    let fx: ChargingStoreFixture;
    beforeEach(async () => {
      fx = await make();
      await fx.store.load({ digest: () => '', visit: () => true });
    });
    afterEach(async () => {
      await fx.store.close();
      await fx.cleanup();
    });

    it('creates a record only when asked, and runs the mutation synchronously', async () => {
      expect(await fx.store.get('+15550000001')).to.equal(undefined);
      let ran = false;
      const missing = fx.store.update('+15550000001', (r) => {
        ran = true;
        return { value: r === undefined, changed: false };
      });
      expect(await missing).to.equal(true);
      expect(ran).to.equal(true);
      expect(await fx.store.get('+15550000001')).to.equal(undefined);
      await fx.store.update('+15550000001', () => ({ value: null, changed: true, create: record('+15550000001') }));
      expect((await fx.store.get('+15550000001'))?.subscriber.msisdn).to.equal('+15550000001');
    });

    it('serialises concurrent mutations of one record: no update is lost', async () => {
      const m = '+15550000002';
      await fx.store.update(m, () => ({ value: null, changed: true, create: record(m) }));
      await Promise.all(
        Array.from({ length: 300 }, (_, i) =>
          fx.store.update(m, (r) => {
            const rec = r!;
            rec.subscriber.account.balance.amount += 1;
            rec.ledger.push(entry(m, i, rec.subscriber.account.balance.amount));
            return { value: null, changed: true };
          }),
        ),
      );
      expect((await fx.store.get(m))?.subscriber.account.balance.amount).to.equal(300);
      const history = await fx.store.ledgerHistory(m);
      expect(history.map((e) => e.after)).to.deep.equal(Array.from({ length: 300 }, (_, i) => i + 1));
    });

    it('keeps records apart and gives each its own ledger history', async () => {
      const ms = Array.from({ length: 40 }, (_, i) => `+1555000${String(1000 + i)}`);
      await Promise.all(ms.map((m) => fx.store.update(m, () => ({ value: null, changed: true, create: record(m) }))));
      for (let round = 0; round < 5; round++) {
        await Promise.all(
          ms.map((m, i) =>
            fx.store.update(m, (r) => {
              r!.ledger.push(entry(m, round, round));
              return { value: i, changed: true };
            }),
          ),
        );
      }
      for (const m of ms) expect((await fx.store.ledgerHistory(m)).every((e) => e.msisdn === m)).to.equal(true);
      expect(await fx.store.ledgerHistory(ms[7]!)).to.have.length(5);
    });

    it('a mutation that throws rejects and changes nothing', async () => {
      let error: unknown;
      try {
        await fx.store.update('+15550000003', () => {
          throw new Error('bug');
        });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
      expect(await fx.store.get('+15550000003')).to.equal(undefined);
    });

    it('under the core: concurrent swaps, debits and top-ups end with exactly the implied balances', async () => {
      const core = createChargingCore({ store: fx.store });
      await seedDemo(core);
      const ana = '+15550100001';
      const ops: Promise<Result<unknown>>[] = [];
      let expectCredit = 500;
      let fbDebited = 0;
      let ytCredited = 0;
      let ytUsed = 0;
      const results: { kind: string; r: Promise<Result<unknown>> }[] = [];
      for (let i = 0; i < 200; i++) {
        const key = `conc-${i}`;
        if (i % 4 === 0) {
          results.push({
            kind: 'swap',
            r: core
              .quoteSwap(ana, { from: 'facebook', to: 'youtube', quantity: 4 }, { idempotencyKey: key })
              .then((q) => (q.ok ? core.confirmSwap(q.value.id, { idempotencyKey: `${key}-c` }) : q)),
          });
        } else if (i % 4 === 1) {
          results.push({
            kind: 'yt',
            r: core.chargeUsage(ana, { app: 'youtube', quantity: 1 }, { idempotencyKey: key }),
          });
        } else if (i % 4 === 2) {
          results.push({ kind: 'topup', r: core.topUp(ana, { amount: 10 }, { idempotencyKey: key }) });
        } else {
          results.push({
            kind: 'fb',
            r: core.chargeUsage(ana, { app: 'facebook', quantity: 3 }, { idempotencyKey: key }),
          });
        }
      }
      // Every request sent twice with its key: nothing applied twice.
      for (let i = 0; i < 200; i += 2) {
        if (i % 4 === 2) ops.push(core.topUp(ana, { amount: 10 }, { idempotencyKey: `conc-${i}` }));
      }
      const settled = await Promise.all(results.map(async (x) => ({ kind: x.kind, r: await x.r })));
      await Promise.all(ops);
      for (const { kind, r } of settled) {
        if (!r.ok) {
          expect(r.error.code).to.equal('BILLING.INSUFFICIENT_BALANCE');
          continue;
        }
        if (kind === 'swap') {
          fbDebited += 4;
          ytCredited += 2;
        } else if (kind === 'yt') ytUsed += 1;
        else if (kind === 'topup') expectCredit += 10;
        else fbDebited += 3;
      }
      const sub = value(await core.getSubscriber(ana));
      const sum = (app: string) => sub.buckets.filter((b) => b.app === app).reduce((s, b) => s + b.remainingValue, 0);
      expect(sub.account.balance.amount).to.equal(expectCredit);
      expect(sum('facebook')).to.equal(100 - fbDebited);
      expect(sum('youtube')).to.equal(10 + ytCredited - ytUsed);
      expect(ledgerMismatches(sub, value(await core.fullLedger(ana)))).to.deep.equal([]);
    });

    const durableIt = opts.durable ? it : () => undefined;
    durableIt('after a restart, every acknowledged mutation and its idempotency record is there', async () => {
      if (!fx.reopen) throw new Error('a durable fixture must provide reopen()');
      const core = createChargingCore({ store: fx.store });
      await seedDemo(core);
      const acks = await Promise.all(
        Array.from({ length: 50 }, (_, i) => core.topUp('+15550100001', { amount: 1 }, { idempotencyKey: `r-${i}` })),
      );
      expect(acks.every((a) => a.ok)).to.equal(true);
      const q = value(await core.quoteSwap('+15550100001', { from: 'facebook', to: 'youtube', quantity: 2 }));
      const p = value(await core.createPayment('+15550100001', { purpose: { type: 'topup' }, amount: 100 }));
      fx.store = await fx.reopen();
      const again = createChargingCore({ store: fx.store });
      const sub = value(await again.getSubscriber('+15550100001'));
      expect(sub.account.balance.amount).to.equal(550);
      // Ids are found without the MSISDN after the restart (indexes rebuilt at load).
      expect(value(await again.getPayment(p.id)).status).to.equal('created');
      value(await again.confirmSwap(q.id));
      const replay = value(await again.topUp('+15550100001', { amount: 1 }, { idempotencyKey: 'r-0' }));
      expect(replay.balance.amount).to.equal(
        acks[0]!.ok ? (acks[0] as { value: { balance: { amount: number } } }).value.balance.amount : -1,
      );
      expect(value(await again.getSubscriber('+15550100001')).account.balance.amount).to.equal(550);
      const s2 = value(await again.getSubscriber('+15550100001'));
      expect(ledgerMismatches(s2, value(await again.fullLedger('+15550100001')))).to.deep.equal([]);
    });
  });
}
