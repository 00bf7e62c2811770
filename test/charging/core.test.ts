import { expect } from 'chai';
import { type ChargingCore, createChargingCore } from '../../charging/core.js';
import { DEMO_SUBSCRIBERS, seedDemo } from '../../charging/demo.js';
import { type ErrorCode, ErrorCodes, type Result } from '../../charging/errors.js';
import { createMemoryChargingStore } from '../../charging/memory-store.js';
import type { ChargingEvent, Subscriber } from '../../charging/model.js';
import { FixedClock } from '../helpers/fixed-clock.js';
import { ledgerMismatches } from './ledger-check.js';

const ANA = '+15550100001';
const BEN = '+15550100002';
const CHLOE = '+15550100003';
const DIEGO = '+15550100004';
const EVE = '+15550100005';

/** Codes only the HTTP layer produces (covered by the HTTP API's tests). */
const HTTP_ONLY: ErrorCode[] = [
  ErrorCodes.MALFORMED_JSON,
  ErrorCodes.BODY_TOO_LARGE,
  ErrorCodes.NOT_FOUND,
  ErrorCodes.UNAUTHORIZED,
];
const seen = new Set<string>();

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

function code<T>(r: Result<T>, expected: ErrorCode): Record<string, unknown> {
  expect(r.ok, `expected ${expected}`).to.equal(false);
  if (r.ok) return {};
  expect(r.error.code).to.equal(expected);
  seen.add(r.error.code);
  return r.error.details ?? {};
}

async function sub(core: ChargingCore, msisdn: string): Promise<Subscriber> {
  return value(await core.getSubscriber(msisdn));
}

async function sessions(core: ChargingCore, msisdn: string, app: string): Promise<number> {
  return (await sub(core, msisdn)).buckets.filter((b) => b.app === app).reduce((s, b) => s + b.remainingValue, 0);
}

async function ledgerOk(core: ChargingCore, msisdn: string): Promise<void> {
  expect(ledgerMismatches(await sub(core, msisdn), value(await core.fullLedger(msisdn)))).to.deep.equal([]);
}

describe('charging core use cases', () => {
  let clock: FixedClock;
  let core: ChargingCore;
  let events: ChargingEvent[];

  beforeEach(async () => {
    clock = new FixedClock('2025-03-10T09:00:00.000Z');
    core = createChargingCore({ store: createMemoryChargingStore(), clock });
    events = [];
    core.onEvent((e) => events.push(e));
    await seedDemo(core);
  });
  afterEach(async () => {
    await core.close();
  });

  describe('subscribers and seeding', () => {
    it('seeds the demo subscribers once, with ledgers that sum to their balances', async () => {
      await seedDemo(core);
      expect(await core.subscriberCount()).to.equal(DEMO_SUBSCRIBERS.length);
      for (const d of DEMO_SUBSCRIBERS) {
        const s = await sub(core, d.msisdn);
        expect(s.name).to.equal(d.name);
        await ledgerOk(core, d.msisdn);
      }
      expect((await sub(core, DIEGO)).language).to.equal('es');
      expect(await sessions(core, ANA, 'facebook')).to.equal(100);
      expect(await sessions(core, ANA, 'youtube')).to.equal(10);
      expect(await sessions(core, CHLOE, 'youtube')).to.equal(2);
    });

    it('creates a subscriber with the plan defaults, refuses duplicates and bad fields', async () => {
      const s = value(
        await core.createSubscriber({ msisdn: '+15550100009', name: 'Ada', plan: 'prepaid' }, { idempotencyKey: 'c1' }),
      );
      expect(s.account.balance.amount).to.equal(500);
      expect(s.buckets.length).to.be.greaterThan(0);
      // Same key, same request: the first answer again.
      expect(
        value(
          await core.createSubscriber(
            { msisdn: '+15550100009', name: 'Ada', plan: 'prepaid' },
            { idempotencyKey: 'c1' },
          ),
        ),
      ).to.deep.equal(s);
      code(
        await core.createSubscriber({ msisdn: '+15550100009', name: 'Ada', plan: 'prepaid' }),
        ErrorCodes.SUBSCRIBER_EXISTS,
      );
      for (const msisdn of ['15550100009', '+1555', '+1234567890123456', '+0555010000', 'abc']) {
        const d = code(await core.createSubscriber({ msisdn, name: 'X', plan: 'prepaid' }), ErrorCodes.INVALID_REQUEST);
        expect(d.field).to.equal('msisdn');
      }
      const badPlan = { msisdn: '+15550100010', name: 'X', plan: 'gold' } as unknown as Parameters<
        ChargingCore['createSubscriber']
      >[0];
      expect(code(await core.createSubscriber(badPlan), ErrorCodes.INVALID_REQUEST).field).to.equal('plan');
      expect(
        code(
          await core.createSubscriber({ msisdn: '+15550100010', name: ' ', plan: 'prepaid' }),
          ErrorCodes.INVALID_REQUEST,
        ).field,
      ).to.equal('name');
      const post = value(await core.createSubscriber({ msisdn: '+15550100011', name: 'Pat', plan: 'postpaid' }));
      expect(post.account.creditLimit?.amount).to.equal(10000);
      await ledgerOk(core, '+15550100011');
    });

    it('answers SUBSCRIBER.NOT_FOUND for unknown numbers, reads and writes alike', async () => {
      code(await core.getSubscriber('+15559999999'), ErrorCodes.SUBSCRIBER_NOT_FOUND);
      code(await core.topUp('+15559999999', { amount: 100 }), ErrorCodes.SUBSCRIBER_NOT_FOUND);
      code(await core.getBills('+15559999999'), ErrorCodes.SUBSCRIBER_NOT_FOUND);
      code(await core.getLedger('+15559999999'), ErrorCodes.SUBSCRIBER_NOT_FOUND);
    });
  });

  describe('idempotency', () => {
    it('returns the first result for a repeat and changes nothing', async () => {
      const first = value(await core.topUp(ANA, { amount: 250 }, { idempotencyKey: 't1' }));
      const again = value(await core.topUp(ANA, { amount: 250 }, { idempotencyKey: 't1' }));
      expect(again).to.deep.equal(first);
      expect((await sub(core, ANA)).account.balance.amount).to.equal(750);
      await ledgerOk(core, ANA);
    });

    it('refuses the same key with another request, also for another subscriber', async () => {
      value(await core.topUp(ANA, { amount: 250 }, { idempotencyKey: 't2' }));
      code(await core.topUp(ANA, { amount: 300 }, { idempotencyKey: 't2' }), ErrorCodes.IDEMPOTENCY_KEY_REUSED);
      code(await core.topUp(CHLOE, { amount: 250 }, { idempotencyKey: 't2' }), ErrorCodes.IDEMPOTENCY_KEY_REUSED);
      code(
        await core.chargeUsage(ANA, { app: 'facebook', quantity: 1 }, { idempotencyKey: 't2' }),
        ErrorCodes.IDEMPOTENCY_KEY_REUSED,
      );
      expect((await sub(core, ANA)).account.balance.amount).to.equal(750);
      expect((await sub(core, CHLOE)).account.balance.amount).to.equal(150);
    });

    it('records the key and the actor in the ledger', async () => {
      value(
        await core.grant(
          ANA,
          { app: 'youtube', quantity: 5, reason: 'network outage' },
          { idempotencyKey: 'g1', actor: 'agent:U1' },
        ),
      );
      const [latest] = value(await core.getLedger(ANA, { limit: 1 }));
      expect(latest).to.include({ reason: 'grant', idempotencyKey: 'g1', actor: 'agent:U1', delta: 5 });
      expect(await sessions(core, ANA, 'youtube')).to.equal(15);
      const credit = value(await core.grant(ANA, { amount: 100, reason: 'sorry' }, { actor: 'agent:U1' }));
      expect(credit.account.balance.amount).to.equal(600);
      code(await core.grant(ANA, { reason: 'nothing' }), ErrorCodes.INVALID_REQUEST);
      code(
        await core.grant(ANA, { amount: 5, quantity: 5, app: 'youtube', reason: 'both' }),
        ErrorCodes.INVALID_REQUEST,
      );
      code(await core.grant(ANA, { amount: 5, reason: '' }), ErrorCodes.INVALID_REQUEST);
      await ledgerOk(core, ANA);
    });

    it('rejects a malformed key', async () => {
      code(await core.topUp(ANA, { amount: 1 }, { idempotencyKey: '' }), ErrorCodes.INVALID_REQUEST);
    });
  });

  describe('real-time usage', () => {
    it('charges sessions and units, and refuses what is not there', async () => {
      const r = value(await core.chargeUsage(ANA, { app: 'facebook', quantity: 3 }));
      expect(r).to.deep.include({ zeroRated: false, charged: 3 });
      expect(r.bucket?.remainingValue).to.equal(97);
      value(await core.chargeUsage(ANA, { unit: 'MB', quantity: 36 }));
      expect((await sub(core, ANA)).buckets.find((b) => b.unit === 'MB')?.remainingValue).to.equal(1500);
      const d = code(await core.chargeUsage(ANA, { app: 'youtube', quantity: 11 }), ErrorCodes.INSUFFICIENT_BALANCE);
      expect(d.available).to.equal(10);
      code(await core.chargeUsage(ANA, { app: 'tiktok', quantity: 1 }), ErrorCodes.INSUFFICIENT_BALANCE);
      await ledgerOk(core, ANA);
    });

    it('rejects bad quantities, unknown apps and units, naming the field', async () => {
      for (const quantity of [-1, 0, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
        expect(
          code(await core.chargeUsage(ANA, { app: 'facebook', quantity }), ErrorCodes.INVALID_REQUEST).field,
        ).to.equal('quantity');
      }
      code(await core.chargeUsage(ANA, { app: 'myspace', quantity: 1 }), ErrorCodes.UNKNOWN_APP);
      const badUnit = { unit: 'parsec', quantity: 1 } as unknown as Parameters<ChargingCore['chargeUsage']>[1];
      code(await core.chargeUsage(ANA, badUnit), ErrorCodes.UNKNOWN_UNIT);
      code(await core.chargeUsage(ANA, { quantity: 1 }), ErrorCodes.INVALID_REQUEST);
      code(await core.chargeUsage('not-a-number', { app: 'facebook', quantity: 1 }), ErrorCodes.INVALID_REQUEST);
      expect(await sessions(core, ANA, 'facebook')).to.equal(100);
    });

    it('zero-rated apps cost nothing and say so', async () => {
      const r = value(await core.chargeUsage(ANA, { app: 'whatsapp', quantity: 40 }, { idempotencyKey: 'z1' }));
      expect(r).to.deep.equal({ bucket: null, zeroRated: true, charged: 0 });
      expect(events.map((e) => e.type)).to.include('usage.zeroRated');
      await ledgerOk(core, ANA);
    });

    it('reserves, commits what was used and gives back the rest; releases', async () => {
      const res = value(await core.reserve(ANA, { app: 'youtube', quantity: 4 }));
      expect(res.id).to.match(/^res_/);
      expect(await sessions(core, ANA, 'youtube')).to.equal(6);
      code(await core.commitReservation(ANA, res.id, 5), ErrorCodes.INVALID_REQUEST);
      const c = value(await core.commitReservation(ANA, res.id, 1));
      expect(c.charged).to.equal(1);
      expect(await sessions(core, ANA, 'youtube')).to.equal(9);
      code(await core.commitReservation(ANA, res.id, 1), ErrorCodes.RESERVATION_NOT_FOUND);
      const r2 = value(await core.reserve(ANA, { unit: 'SMS', quantity: 10 }));
      value(await core.releaseReservation(ANA, r2.id));
      code(await core.releaseReservation(ANA, r2.id), ErrorCodes.RESERVATION_NOT_FOUND);
      code(await core.reserve(ANA, { app: 'youtube', quantity: 100 }), ErrorCodes.INSUFFICIENT_BALANCE);
      await ledgerOk(core, ANA);
    });

    it('releases a reservation nobody closed once it times out', async () => {
      value(await core.reserve(ANA, { app: 'youtube', quantity: 4 }));
      clock.advanceMinutes(6);
      await core.tick();
      expect(await sessions(core, ANA, 'youtube')).to.equal(10);
      await ledgerOk(core, ANA);
    });

    it('raises low-balance and depleted events with stable ids', async () => {
      value(await core.chargeUsage(CHLOE, { app: 'youtube', quantity: 2 }));
      const depleted = events.find((e) => e.type === 'bucket.depleted');
      expect(depleted?.msisdn).to.equal(CHLOE);
      value(await core.chargeUsage(ANA, { app: 'youtube', quantity: 9 }));
      expect(events.some((e) => e.type === 'balance.low' && e.msisdn === ANA)).to.equal(true);
      expect(new Set(events.map((e) => e.id)).size).to.equal(events.length);
    });
  });

  describe('swaps', () => {
    it('quotes at the catalog rate, executes once, and confirming again returns the same result', async () => {
      const q = value(await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: 11 }));
      expect(q).to.deep.include({ from: 'facebook', to: 'youtube', debit: 10, credit: 5, rate: '2:1' });
      expect(q.id).to.match(/^quo_[A-Za-z0-9_-]{24}$/);
      expect(Date.parse(q.expiresAt) - clock.now().getTime()).to.equal(120_000);
      const results = await Promise.all([core.confirmSwap(q.id), core.confirmSwap(q.id), core.confirmSwap(q.id)]);
      const swaps = results.map(value);
      expect(new Set(swaps.map((s) => s.id)).size).to.equal(1);
      expect(await sessions(core, ANA, 'facebook')).to.equal(90);
      expect(await sessions(core, ANA, 'youtube')).to.equal(15);
      await ledgerOk(core, ANA);
    });

    it('refuses bad swaps with their codes', async () => {
      code(await core.quoteSwap(ANA, { from: 'facebook', to: 'facebook', quantity: 2 }), ErrorCodes.SAME_APP);
      code(await core.quoteSwap(ANA, { from: 'facebook', to: 'orkut', quantity: 2 }), ErrorCodes.UNKNOWN_APP);
      code(await core.quoteSwap(ANA, { from: 'whatsapp', to: 'youtube', quantity: 2 }), ErrorCodes.NO_EXCHANGE_RATE);
      expect(
        code(await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: 1 }), ErrorCodes.QUANTITY_TOO_SMALL)
          .minQuantity,
      ).to.equal(2);
      code(await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: -4 }), ErrorCodes.INVALID_REQUEST);
      code(await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: 2.5 }), ErrorCodes.INVALID_REQUEST);
      const d = code(
        await core.quoteSwap(CHLOE, { from: 'facebook', to: 'youtube', quantity: 40 }),
        ErrorCodes.INSUFFICIENT_BALANCE,
      );
      expect(d.maxQuantity).to.equal(4); // 5 Facebook sessions left, 2:1 -> 4 give 2
      code(await core.confirmSwap('quo_doesnotexist'), ErrorCodes.QUOTE_NOT_FOUND);
      code(await core.undoSwap('swp_doesnotexist'), ErrorCodes.SWAP_NOT_FOUND);
    });

    it('an expired quote cannot be confirmed', async () => {
      const q = value(await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: 10 }));
      clock.advance(120_001);
      code(await core.confirmSwap(q.id), ErrorCodes.QUOTE_EXPIRED);
      expect(await sessions(core, ANA, 'facebook')).to.equal(100);
    });

    it('a quote whose sessions were spent meanwhile fails with the most that can still be swapped', async () => {
      const q = value(await core.quoteSwap(CHLOE, { from: 'facebook', to: 'youtube', quantity: 4 }));
      value(await core.chargeUsage(CHLOE, { app: 'facebook', quantity: 2 }));
      expect(code(await core.confirmSwap(q.id), ErrorCodes.INSUFFICIENT_BALANCE).maxQuantity).to.equal(2);
    });

    it('undoes within 10 minutes if the credited sessions are unused, once', async () => {
      const q = value(await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: 10 }));
      const s = value(await core.confirmSwap(q.id));
      clock.advanceMinutes(9);
      const u = value(await core.undoSwap(s.id));
      expect(u.undone).to.equal(true);
      expect(await sessions(core, ANA, 'facebook')).to.equal(100);
      expect(await sessions(core, ANA, 'youtube')).to.equal(10);
      code(await core.undoSwap(s.id), ErrorCodes.SWAP_ALREADY_UNDONE);
      await ledgerOk(core, ANA);
    });

    it('does not undo after 10 minutes, nor once credited sessions were used', async () => {
      const s1 = value(
        await core.confirmSwap(value(await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: 10 })).id),
      );
      clock.advanceMinutes(11);
      code(await core.undoSwap(s1.id), ErrorCodes.UNDO_WINDOW_CLOSED);
      // Chloe's 2 YouTube sessions end after the swap bucket's source? Use Diego: no YouTube before the swap.
      const s2 = value(
        await core.confirmSwap(value(await core.quoteSwap(DIEGO, { from: 'tiktok', to: 'youtube', quantity: 4 })).id),
      );
      value(await core.chargeUsage(DIEGO, { app: 'youtube', quantity: 1 }));
      code(await core.undoSwap(s2.id), ErrorCodes.SWAP_CREDIT_USED);
      await ledgerOk(core, DIEGO);
    });
  });

  describe('money', () => {
    it('tops up prepaid only, with integer amounts', async () => {
      expect(value(await core.topUp(ANA, { amount: 1000 })).balance).to.deep.equal({ amount: 1500, currency: 'USD' });
      code(await core.topUp(BEN, { amount: 1000 }), ErrorCodes.NOT_PREPAID);
      for (const amount of [0, -5, 10.5, Number.NaN]) {
        expect(code(await core.topUp(ANA, { amount }), ErrorCodes.INVALID_REQUEST).field).to.equal('amount');
      }
      await ledgerOk(core, ANA);
    });

    it('sells add-ons from prepaid credit, and refuses what credit does not cover', async () => {
      const r = value(await core.buyAddOn(ANA, { productId: 'addon-data-1gb' }));
      expect(r.balance?.amount).to.equal(0);
      expect(r.bucket.remainingValue).to.equal(1024);
      code(await core.buyAddOn(ANA, { productId: 'addon-data-1gb' }), ErrorCodes.INSUFFICIENT_BALANCE);
      code(await core.buyAddOn(ANA, { productId: 'addon-gold' }), ErrorCodes.UNKNOWN_PRODUCT);
      expect(events.some((e) => e.type === 'balance.low' && e.data.what === 'credit')).to.equal(true);
      await ledgerOk(core, ANA);
    });

    it('puts postpaid add-ons on the open bill, within the credit limit', async () => {
      const before = value(await core.getBills(BEN)).find((b) => b.state !== 'settled')!;
      const r = value(await core.buyAddOn(BEN, { productId: 'addon-streaming' }));
      expect(r.billId).to.equal(before.id);
      const after = value(await core.getBills(BEN)).find((b) => b.id === before.id)!;
      expect(after.remainingAmount.amount).to.equal(before.remainingAmount.amount + 800);
      expect(after.lines.at(-1)?.kind).to.equal('addon');
      // 150.00 limit: 55.55 + 8.00 owed; eleven more Streaming Passes would pass it.
      let refused = false;
      for (let i = 0; i < 12 && !refused; i++) {
        const x = await core.buyAddOn(BEN, { productId: 'addon-streaming' });
        refused = !x.ok;
        if (!x.ok) code(x, ErrorCodes.INSUFFICIENT_BALANCE);
      }
      expect(refused).to.equal(true);
      await ledgerOk(core, BEN);
    });
  });

  describe('bills and payments', () => {
    it('a partial payment leaves the rest due; settling twice applies once', async () => {
      const open = value(await core.getBills(BEN)).find((b) => b.state !== 'settled')!;
      expect(open.remainingAmount.amount).to.equal(5555);
      const p = value(await core.createPayment(BEN, { purpose: { type: 'bill', billId: open.id }, amount: 2000 }));
      expect(p.id).to.match(/^pay_[A-Za-z0-9_-]{24}$/);
      expect(p.status).to.equal('created');
      expect(value(await core.markPaymentPending(p.id)).status).to.equal('pending');
      const [s1, s2] = await Promise.all([
        core.settlePayment(p.id, { providerRef: 'r1' }),
        core.settlePayment(p.id, { providerRef: 'r1' }),
      ]);
      expect(value(s1).status).to.equal('settled');
      expect(value(s2).settledAt).to.equal(value(s1).settledAt);
      const bill = value(await core.getBills(BEN)).find((b) => b.id === open.id)!;
      expect(bill.remainingAmount.amount).to.equal(3555);
      expect(bill.state).to.equal('partiallyPaid');
      expect(events.filter((e) => e.type === 'payment.settled')).to.have.length(1);
      code(await core.failPayment(p.id, { reason: 'late' }), ErrorCodes.PAYMENT_INVALID_STATE);
      const rest = value(await core.createPayment(BEN, { purpose: { type: 'bill', billId: open.id } }));
      expect(rest.amount.amount).to.equal(3555);
      value(await core.settlePayment(rest.id, { providerRef: 'r2' }));
      expect(value(await core.getBills(BEN)).find((b) => b.id === open.id)?.state).to.equal('settled');
      code(await core.createPayment(BEN, { purpose: { type: 'bill', billId: open.id } }), ErrorCodes.BILL_ALREADY_PAID);
      await ledgerOk(core, BEN);
    });

    it('top-up payments credit the balance once settled; failures are final', async () => {
      const p = value(
        await core.createPayment(ANA, { purpose: { type: 'topup' }, amount: 700, metadata: { conv: 'c1' } }),
      );
      expect(value(await core.getPayment(p.id)).metadata).to.deep.equal({ conv: 'c1' });
      value(await core.settlePayment(p.id, { providerRef: 'ok' }));
      expect((await sub(core, ANA)).account.balance.amount).to.equal(1200);
      const f = value(await core.createPayment(ANA, { purpose: { type: 'topup' }, amount: 300 }));
      expect(value(await core.failPayment(f.id, { reason: 'card declined' })).status).to.equal('failed');
      code(await core.settlePayment(f.id, { providerRef: 'x' }), ErrorCodes.PAYMENT_INVALID_STATE);
      code(await core.markPaymentPending(f.id), ErrorCodes.PAYMENT_INVALID_STATE);
      expect(events.filter((e) => e.type === 'payment.failed')).to.have.length(1);
      expect((await sub(core, ANA)).account.balance.amount).to.equal(1200);
      await ledgerOk(core, ANA);
    });

    it('refuses bad payments', async () => {
      code(await core.createPayment(BEN, { purpose: { type: 'bill', billId: 'nope' } }), ErrorCodes.BILL_NOT_FOUND);
      code(
        await core.createPayment(BEN, { purpose: { type: 'bill', billId: 'demo-ben-bill-open' }, amount: 999_999 }),
        ErrorCodes.PAYMENT_AMOUNT_INVALID,
      );
      code(await core.createPayment(BEN, { purpose: { type: 'topup' }, amount: 100 }), ErrorCodes.NOT_PREPAID);
      code(await core.createPayment(ANA, { purpose: { type: 'topup' } }), ErrorCodes.INVALID_REQUEST);
      code(await core.getPayment('pay_nope'), ErrorCodes.PAYMENT_NOT_FOUND);
      code(await core.settlePayment('pay_nope', { providerRef: 'x' }), ErrorCodes.PAYMENT_NOT_FOUND);
    });

    it('payment links expire after 30 minutes', async () => {
      const p = value(await core.createPayment(ANA, { purpose: { type: 'topup' }, amount: 700 }));
      clock.advanceMinutes(31);
      expect(value(await core.getPayment(p.id)).status).to.equal('expired');
      code(await core.settlePayment(p.id, { providerRef: 'late' }), ErrorCodes.PAYMENT_EXPIRED);
      await core.tick();
      code(await core.settlePayment(p.id, { providerRef: 'late' }), ErrorCodes.PAYMENT_EXPIRED);
      expect((await sub(core, ANA)).account.balance.amount).to.equal(500);
    });
  });

  describe('credit limits', () => {
    it('auto-approves up to +50% for a customer in good standing', async () => {
      const r = value(await core.requestCreditLimit(BEN, { amount: 20000 }));
      expect(r.status).to.equal('approved');
      expect((await sub(core, BEN)).account.creditLimit?.amount).to.equal(20000);
      code(
        await core.decideCreditLimit(r.id, { approve: true, decidedBy: 'agent:U1' }),
        ErrorCodes.CREDIT_LIMIT_ALREADY_DECIDED,
      );
      await ledgerOk(core, BEN);
    });

    it('leaves bigger increases pending for an agent, who decides', async () => {
      const r = value(await core.requestCreditLimit(BEN, { amount: 50000 }));
      expect(r.status).to.equal('pending');
      const d = value(await core.decideCreditLimit(r.id, { approve: true, decidedBy: 'agent:U7' }));
      expect(d).to.include({ status: 'approved', decidedBy: 'agent:U7' });
      expect((await sub(core, BEN)).account.creditLimit?.amount).to.equal(50000);
      const [entry] = value(await core.getLedger(BEN, { limit: 1 }));
      expect(entry).to.include({ target: 'creditLimit', actor: 'agent:U7' });
      const r2 = value(await core.requestCreditLimit(BEN, { amount: 90000 }));
      expect(value(await core.decideCreditLimit(r2.id, { approve: false, decidedBy: 'agent:U7' })).status).to.equal(
        'declined',
      );
      expect((await sub(core, BEN)).account.creditLimit?.amount).to.equal(50000);
      await ledgerOk(core, BEN);
    });

    it('refuses prepaid, lower amounts and unknown requests', async () => {
      code(await core.requestCreditLimit(ANA, { amount: 20000 }), ErrorCodes.NOT_POSTPAID);
      code(await core.requestCreditLimit(BEN, { amount: 100 }), ErrorCodes.INVALID_REQUEST);
      code(
        await core.decideCreditLimit('clr_nope', { approve: true, decidedBy: 'x' }),
        ErrorCodes.CREDIT_LIMIT_REQUEST_NOT_FOUND,
      );
    });
  });

  describe('time-driven work', () => {
    it('raises due-soon, expiring and expiry events once, and expires buckets', async () => {
      await core.tick();
      await core.tick();
      const types = events.map((e) => `${e.type}:${e.msisdn}`);
      expect(types.filter((t) => t === `bill.dueSoon:${BEN}`)).to.have.length(1);
      expect(types).to.include(`bucket.expiring:${CHLOE}`);
      clock.advanceDays(4);
      await core.tick();
      expect(events.map((e) => `${e.type}:${e.msisdn}`)).to.include.members([
        `bill.overdue:${BEN}`,
        `bucket.expired:${CHLOE}`,
      ]);
      expect((await sub(core, CHLOE)).buckets.some((b) => b.unit === 'MB')).to.equal(false);
      await ledgerOk(core, CHLOE);
      expect(new Set(events.map((e) => e.id)).size).to.equal(events.length);
      expect(events.filter((e) => e.type === 'bill.overdue' && e.msisdn === EVE)).to.have.length(0);
    });

    it('refuses everything once closed', async () => {
      await core.close();
      code(await core.topUp(ANA, { amount: 1 }), ErrorCodes.UNAVAILABLE);
    });
  });

  after(() => {
    const expected = Object.values(ErrorCodes).filter((c) => !HTTP_ONLY.includes(c));
    expect(
      expected.filter((c) => !seen.has(c)),
      'error codes without a use-case test',
    ).to.deep.equal([]);
  });
});
