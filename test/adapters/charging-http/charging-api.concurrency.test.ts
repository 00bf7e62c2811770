/**
 * "Done when" of issue 2: concurrent swaps (quote + confirm), debits (usage) and top-ups on one account, all
 * at once through the HTTP API of a real server over the lowdb store in a temp dir, end with exactly the balances
 * the acknowledged operations imply; no bucket goes negative; the ledger sums to the balances; after a restart
 * on the same directory every acknowledged operation is still there. Then the same with every request sent
 * twice (concurrently) with its Idempotency-Key: both copies get the same answer and nothing is applied twice.
 */
import { expect } from 'chai';
import { createLowdbChargingStore } from '../../../adapters/store/lowdb/charging-store.js';
import { createChargingCore } from '../../../charging/core.js';
import { demoCatalog } from '../../../charging/demo-catalog.js';
import type { LedgerEntry, Subscriber } from '../../../charging/model.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { type ChargingApiServer, startChargingApiServer } from './charging-api-server.js';

const ADA = '+15550107001';
const S = `/api/v1/subscribers/${encodeURIComponent(ADA)}`;
/** Operations per kind: this many swaps, this many debits, this many top-ups, all in flight at once. */
const PER_KIND = 1000;
/** Extra Facebook sessions granted first: less than the swaps and debits want, so some are refused. */
const FACEBOOK_GRANT = 1500;

type Reply = Awaited<ReturnType<ChargingApiServer['call']>>;

interface Tally {
  facebook: number;
  youtube: number;
  credit: number;
  swaps: number;
  topups: number;
  usage: number;
  refused: number;
}

const sessionsOf = (sub: Subscriber, app: string) =>
  sub.buckets.filter((b) => b.unit === 'session' && b.app === app).reduce((s, b) => s + b.remainingValue, 0);

/** Sends `send()` once, or twice at the same time (same key) and checks both copies got the same answer. */
async function sendMaybeTwice(twice: boolean, send: () => Promise<Reply>): Promise<Reply> {
  if (!twice) return send();
  const [a, b] = await Promise.all([send(), send()]);
  expect(b).to.deep.equal(a);
  return a;
}

function expectAckOrRefusal(r: Reply): boolean {
  if (r.status < 300) return true;
  // The only acceptable refusal under contention: not enough left. Anything else is a bug.
  expect([r.status, r.body.code], JSON.stringify(r.body)).to.deep.equal([409, 'BILLING.INSUFFICIENT_BALANCE']);
  return false;
}

async function burst(api: ChargingApiServer, twice: boolean, tag: string): Promise<Tally> {
  const t: Tally = { facebook: 0, youtube: 0, credit: 0, swaps: 0, topups: 0, usage: 0, refused: 0 };
  const ops: Promise<void>[] = [];
  for (let i = 0; i < PER_KIND; i++) {
    const key = (kind: string) => ({ 'Idempotency-Key': `${tag}-${kind}-${i}` });
    ops.push(
      (async () => {
        const quote = await sendMaybeTwice(twice, () =>
          api.call('POST', `${S}/swaps`, { from: 'facebook', to: 'youtube', quantity: 2 }, key('quote')),
        );
        if (!expectAckOrRefusal(quote)) return void t.refused++;
        const done = await sendMaybeTwice(twice, () =>
          api.call('POST', `/api/v1/swaps/${quote.body.id}/confirm`, undefined, key('confirm')),
        );
        if (!expectAckOrRefusal(done)) return void t.refused++;
        t.swaps++;
        t.facebook -= done.body.debit as number;
        t.youtube += done.body.credit as number;
      })(),
    );
    const app = i % 2 === 0 ? 'facebook' : 'youtube';
    ops.push(
      (async () => {
        const r = await sendMaybeTwice(twice, () => api.call('POST', `${S}/usage`, { app, quantity: 1 }, key('usage')));
        if (!expectAckOrRefusal(r)) return void t.refused++;
        t.usage++;
        if (app === 'facebook') t.facebook -= r.body.charged as number;
        else t.youtube -= r.body.charged as number;
      })(),
    );
    const amount = 100 + (i % 7);
    ops.push(
      (async () => {
        const r = await sendMaybeTwice(twice, () => api.call('POST', `${S}/topups`, { amount }, key('topup')));
        expect(r.status).to.equal(201);
        t.topups++;
        t.credit += amount;
      })(),
    );
  }
  await Promise.all(ops);
  return t;
}

async function checkBalances(
  sub: Subscriber,
  ledger: LedgerEntry[],
  start: Subscriber,
  t: Tally,
  ledgerBefore: number,
): Promise<void> {
  expect(sessionsOf(sub, 'facebook')).to.equal(sessionsOf(start, 'facebook') + t.facebook);
  expect(sessionsOf(sub, 'youtube')).to.equal(sessionsOf(start, 'youtube') + t.youtube);
  expect(sub.account.balance.amount).to.equal(start.account.balance.amount + t.credit);
  for (const b of sub.buckets) expect(b.remainingValue, b.name).to.be.at.least(0);
  // The ledger sums to every balance (opening entries included)...
  const sum = (target: string) => ledger.filter((e) => e.target === target).reduce((s, e) => s + e.delta, 0);
  expect(sum('account')).to.equal(sub.account.balance.amount);
  for (const b of sub.buckets) expect(sum(b.id), b.name).to.equal(b.remainingValue);
  // ...and holds exactly one entry per acknowledged top-up and swap credit: nothing applied twice.
  const fresh = ledger.slice(ledgerBefore);
  expect(fresh.filter((e) => e.reason === 'topup')).to.have.length(t.topups);
  expect(fresh.filter((e) => e.reason === 'swap.credit')).to.have.length(t.swaps);
  const used = fresh.filter((e) => e.reason === 'usage').reduce((s, e) => s - e.delta, 0);
  expect(used).to.equal(t.usage);
}

describe('charging HTTP API under concurrency (lowdb store)', function () {
  this.timeout(120_000);

  for (const twice of [false, true]) {
    it(
      twice
        ? `every request of ${PER_KIND} swaps, debits and top-ups sent twice with its key: nothing applied twice`
        : `${PER_KIND} concurrent swaps, debits and top-ups end with the balances the acknowledged ones imply`,
      async () => {
        const dir = tempDir('charging-http-concurrency-');
        const clock = new FixedClock();
        let api: ChargingApiServer | undefined;
        try {
          api = await startChargingApiServer({ store: createLowdbChargingStore({ dir: dir.path, shards: 8 }), clock });
          expect(
            (await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' })).status,
          ).to.equal(201);
          await api.call('POST', `${S}/grants`, { app: 'facebook', quantity: FACEBOOK_GRANT, reason: 'load test' });
          const start = (await api.call('GET', S)).body as unknown as Subscriber;
          const core = api.core;
          const before = await core.fullLedger(ADA);
          if (!before.ok) expect.fail(before.error.code);

          const t = await burst(api, twice, twice ? 'dup' : 'once');
          // Contention really happened: some operations were refused, many were applied.
          expect(t.refused).to.be.greaterThan(0);
          expect(t.swaps).to.be.greaterThan(PER_KIND / 4);
          expect(t.topups).to.equal(PER_KIND);

          const sub = (await api.call('GET', S)).body as unknown as Subscriber;
          const ledger = await core.fullLedger(ADA);
          if (!ledger.ok) expect.fail(ledger.error.code);
          await checkBalances(sub, ledger.value, start, t, before.value.length);

          // A restart on the same directory: every acknowledged operation is there.
          await api.close();
          api = undefined;
          const reopened = createChargingCore({
            store: createLowdbChargingStore({ dir: dir.path, shards: 8 }),
            clock,
            catalog: demoCatalog,
          });
          try {
            const again = await reopened.getSubscriber(ADA);
            if (!again.ok) expect.fail(again.error.code);
            expect(again.value).to.deep.equal(sub);
            const reLedger = await reopened.fullLedger(ADA);
            expect(reLedger.ok && reLedger.value).to.deep.equal(ledger.value);
          } finally {
            await reopened.close();
          }
        } finally {
          await api?.close();
          dir.remove();
        }
      },
    );
  }
});
