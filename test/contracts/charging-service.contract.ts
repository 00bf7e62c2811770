import { expect } from 'chai';
import type { Result } from '../../charging/errors.js';
import type { Bucket, ChargingEvent, Plan, Subscriber } from '../../charging/model.js';
import type { ChargingService } from '../../charging/ports.js';
import type { FixedClock } from '../helpers/fixed-clock.js';

export interface ChargingServiceFixture {
  service: ChargingService;
  /** The clock the core behind `service` runs on (quote expiry, undo window, payment links). */
  clock: FixedClock;
  close(): Promise<void>;
}

export function expectOk<T>(r: Result<T>): T {
  if (!r.ok) expect.fail(`expected ok, got ${r.error.code}: ${r.error.message}`);
  return r.value;
}

export function expectCode<T>(r: Result<T>, code: string, field?: string): void {
  if (r.ok) expect.fail(`expected ${code}, got ok`);
  expect(r.error.code).to.equal(code);
  if (field !== undefined) expect(r.error.details?.field).to.equal(field);
}

const remaining = (sub: Subscriber, pick: (b: Bucket) => boolean): number =>
  sub.buckets.filter(pick).reduce((sum, b) => sum + b.remainingValue, 0);
const sessions = (sub: Subscriber, app: string) => remaining(sub, (b) => b.unit === 'session' && b.app === app);
const units = (sub: Subscriber, unit: string) => remaining(sub, (b) => b.unit === unit && !b.app);

/** Waits (bounded by mocha's timeout) until `done()` holds; for events, which arrive asynchronously over HTTP. */
async function until(done: () => boolean): Promise<void> {
  while (!done()) await new Promise((r) => setTimeout(r, 5));
}

let counter = Math.floor(Math.random() * 9_000_000);
/** A fresh E.164 number per test, so tests never share a subscriber. */
function nextMsisdn(): string {
  counter = (counter + 1) % 10_000_000;
  return `+1555${String(counter).padStart(7, '0')}`;
}

/**
 * The contract of `ChargingService` (charging/ports.ts), run on every implementation: the embedded core and
 * `HttpChargingClient` talking to the HTTP API over a real server. Same assertions for both, on the demo catalog.
 */
export function chargingServiceContract(name: string, make: () => Promise<ChargingServiceFixture>): void {
  describe(`ChargingService contract: ${name}`, () => {
    let fx: ChargingServiceFixture;
    let svc: ChargingService;
    beforeEach(async () => {
      fx = await make();
      svc = fx.service;
    });
    afterEach(async () => {
      await fx.close();
    });

    async function newSubscriber(plan: Plan = 'prepaid'): Promise<Subscriber> {
      return expectOk(await svc.createSubscriber({ msisdn: nextMsisdn(), name: 'Ada', plan, language: 'en' }));
    }
    async function reload(sub: Subscriber): Promise<Subscriber> {
      return expectOk(await svc.getSubscriber(sub.msisdn));
    }

    describe('catalog', () => {
      it('lists apps, plans, add-ons and exchange rates; listAddOns matches the catalog', async () => {
        const catalog = expectOk(await svc.getCatalog());
        expect(catalog.apps.map((a) => a.id)).to.include.members(['facebook', 'youtube', 'whatsapp']);
        expect(catalog.plans.map((p) => p.plan)).to.include.members(['prepaid', 'postpaid']);
        expect(catalog.exchangeRates).to.not.be.empty;
        expect(expectOk(await svc.listAddOns())).to.deep.equal(catalog.addOns);
      });
    });

    describe('subscribers', () => {
      it("creates a subscriber with the plan's default bundles and credit, readable back", async () => {
        const catalog = expectOk(await svc.getCatalog());
        const plan = catalog.plans.find((p) => p.plan === 'prepaid')!;
        const created = await newSubscriber('prepaid');
        expect(created.plan).to.equal('prepaid');
        expect(created.account.balance).to.deep.equal(plan.initialCredit);
        expect(created.buckets).to.have.length(plan.bundles.length);
        for (const spec of plan.bundles) {
          const b = created.buckets.find((x) => x.unit === spec.unit && x.app === spec.app)!;
          expect(b.remainingValue).to.equal(spec.quantity);
          expect(b.initialValue).to.equal(spec.quantity);
          expect(b.validFor.startDateTime).to.equal(fx.clock.now().toISOString());
        }
        expect(await reload(created)).to.deep.equal(created);
      });

      it('refuses a duplicate MSISDN and changes nothing', async () => {
        const first = await newSubscriber();
        expectCode(
          await svc.createSubscriber({ msisdn: first.msisdn, name: 'Other', plan: 'postpaid' }),
          'SUBSCRIBER.ALREADY_EXISTS',
        );
        expect(await reload(first)).to.deep.equal(first);
      });

      it('refuses invalid fields naming the field', async () => {
        expectCode(
          await svc.createSubscriber({ msisdn: '5550100', name: 'A', plan: 'prepaid' }),
          'REQUEST.INVALID',
          'msisdn',
        );
        expectCode(
          await svc.createSubscriber({ msisdn: nextMsisdn(), name: '', plan: 'prepaid' }),
          'REQUEST.INVALID',
          'name',
        );
        const gold = 'gold' as unknown as Plan;
        expectCode(
          await svc.createSubscriber({ msisdn: nextMsisdn(), name: 'A', plan: gold }),
          'REQUEST.INVALID',
          'plan',
        );
      });

      it('answers SUBSCRIBER.NOT_FOUND for an unknown MSISDN, on reads and on mutations', async () => {
        const unknown = nextMsisdn();
        expectCode(await svc.getSubscriber(unknown), 'SUBSCRIBER.NOT_FOUND');
        expectCode(await svc.getBills(unknown), 'SUBSCRIBER.NOT_FOUND');
        expectCode(await svc.getLedger(unknown), 'SUBSCRIBER.NOT_FOUND');
        expectCode(await svc.topUp(unknown, { amount: 100 }), 'SUBSCRIBER.NOT_FOUND');
        expectCode(await svc.chargeUsage(unknown, { app: 'facebook', quantity: 1 }), 'SUBSCRIBER.NOT_FOUND');
      });
    });

    describe('usage', () => {
      it('charges app sessions and units from their buckets', async () => {
        const sub = await newSubscriber();
        const fb = expectOk(await svc.chargeUsage(sub.msisdn, { app: 'facebook', quantity: 1 }));
        expect(fb).to.include({ charged: 1, zeroRated: false });
        expect(fb.bucket).to.include({
          unit: 'session',
          app: 'facebook',
          remainingValue: sessions(sub, 'facebook') - 1,
        });
        const mb = expectOk(await svc.chargeUsage(sub.msisdn, { unit: 'MB', quantity: 50 }));
        expect(mb.bucket).to.include({ unit: 'MB', remainingValue: units(sub, 'MB') - 50 });
        const after = await reload(sub);
        expect(sessions(after, 'facebook')).to.equal(sessions(sub, 'facebook') - 1);
        expect(units(after, 'MB')).to.equal(units(sub, 'MB') - 50);
      });

      it('charges nothing for a zero-rated app and says so', async () => {
        const sub = await newSubscriber();
        const r = expectOk(await svc.chargeUsage(sub.msisdn, { app: 'whatsapp', quantity: 3 }));
        expect(r).to.deep.equal({ bucket: null, zeroRated: true, charged: 0 });
        expect(await reload(sub)).to.deep.equal(sub);
      });

      it('refuses usage beyond what is left, unknown apps and units, and bad quantities, changing nothing', async () => {
        const sub = await newSubscriber();
        expectCode(
          await svc.chargeUsage(sub.msisdn, { app: 'facebook', quantity: sessions(sub, 'facebook') + 1 }),
          'BILLING.INSUFFICIENT_BALANCE',
        );
        expectCode(await svc.chargeUsage(sub.msisdn, { app: 'myspace', quantity: 1 }), 'CATALOG.UNKNOWN_APP');
        const gb = 'GB' as unknown as 'MB';
        expectCode(await svc.chargeUsage(sub.msisdn, { unit: gb, quantity: 1 }), 'CATALOG.UNKNOWN_UNIT');
        for (const quantity of [0, -1, 1.5]) {
          expectCode(await svc.chargeUsage(sub.msisdn, { app: 'facebook', quantity }), 'REQUEST.INVALID', 'quantity');
        }
        expect(await reload(sub)).to.deep.equal(sub);
      });

      it('reserves, then commits what was used and gives back the rest', async () => {
        const sub = await newSubscriber();
        const mb = units(sub, 'MB');
        const res = expectOk(await svc.reserve(sub.msisdn, { unit: 'MB', quantity: 100 }));
        expect(res.quantity).to.equal(100);
        expect(units(await reload(sub), 'MB')).to.equal(mb - 100);
        const committed = expectOk(await svc.commitReservation(sub.msisdn, res.id, 40));
        expect(committed).to.include({ charged: 40, zeroRated: false });
        expect(committed.bucket?.remainingValue).to.equal(mb - 40);
        expectCode(await svc.commitReservation(sub.msisdn, res.id, 40), 'USAGE.RESERVATION_NOT_FOUND');

        const held = expectOk(await svc.reserve(sub.msisdn, { unit: 'MB', quantity: 10 }));
        expectCode(await svc.commitReservation(sub.msisdn, held.id, 11), 'REQUEST.INVALID', 'used');
        const released = expectOk(await svc.releaseReservation(sub.msisdn, held.id));
        expect(released.remainingValue).to.equal(mb - 40);
        expectCode(await svc.releaseReservation(sub.msisdn, held.id), 'USAGE.RESERVATION_NOT_FOUND');
        expect(units(await reload(sub), 'MB')).to.equal(mb - 40);
      });
    });

    describe('top-ups and idempotency', () => {
      it('adds credit once per idempotency key; the same key with another request is refused', async () => {
        const sub = await newSubscriber();
        const start = sub.account.balance.amount;
        const first = expectOk(await svc.topUp(sub.msisdn, { amount: 1000 }, { idempotencyKey: 'topup-1' }));
        expect(first.balance.amount).to.equal(start + 1000);
        const again = expectOk(await svc.topUp(sub.msisdn, { amount: 1000 }, { idempotencyKey: 'topup-1' }));
        expect(again).to.deep.equal(first);
        expectCode(
          await svc.topUp(sub.msisdn, { amount: 2000 }, { idempotencyKey: 'topup-1' }),
          'IDEMPOTENCY.KEY_REUSED',
        );
        expectCode(
          await svc.grant(sub.msisdn, { amount: 1, reason: 'x' }, { idempotencyKey: 'topup-1' }),
          'IDEMPOTENCY.KEY_REUSED',
        );
        expect((await reload(sub)).account.balance.amount).to.equal(start + 1000);
        const [last] = expectOk(await svc.getLedger(sub.msisdn, { limit: 1 }));
        expect(last).to.include({ reason: 'topup', delta: 1000, after: start + 1000, idempotencyKey: 'topup-1' });
      });

      it('refuses negative, zero and fractional amounts, and postpaid top-ups, changing nothing', async () => {
        const sub = await newSubscriber();
        for (const amount of [-5, 0, 10.5]) {
          expectCode(await svc.topUp(sub.msisdn, { amount }), 'REQUEST.INVALID', 'amount');
        }
        expect(await reload(sub)).to.deep.equal(sub);
        const post = await newSubscriber('postpaid');
        expectCode(await svc.topUp(post.msisdn, { amount: 100 }), 'TOPUP.NOT_PREPAID');
      });
    });

    describe('swaps', () => {
      it('quotes at the catalog rate and executes the quote exactly once', async () => {
        const sub = await newSubscriber();
        const fb = sessions(sub, 'facebook');
        const quote = expectOk(await svc.quoteSwap(sub.msisdn, { from: 'facebook', to: 'youtube', quantity: 10 }));
        expect(quote).to.include({ from: 'facebook', to: 'youtube', debit: 10, credit: 5, rate: '2:1' });
        expect(quote.expiresAt).to.equal(new Date(fx.clock.now().getTime() + 120_000).toISOString());
        expect(sessions(await reload(sub), 'facebook')).to.equal(fb); // a quote moves nothing
        const done = expectOk(await svc.confirmSwap(quote.id));
        expect(done).to.include({ quoteId: quote.id, from: 'facebook', to: 'youtube', debit: 10, credit: 5 });
        expect(expectOk(await svc.confirmSwap(quote.id))).to.deep.equal(done);
        const after = await reload(sub);
        expect(sessions(after, 'facebook')).to.equal(fb - 10);
        expect(sessions(after, 'youtube')).to.equal(5);
      });

      it('refuses an expired quote with SWAP.QUOTE_EXPIRED and changes nothing', async () => {
        const sub = await newSubscriber();
        const quote = expectOk(await svc.quoteSwap(sub.msisdn, { from: 'facebook', to: 'youtube', quantity: 10 }));
        fx.clock.advanceMinutes(3);
        expectCode(await svc.confirmSwap(quote.id), 'SWAP.QUOTE_EXPIRED');
        expect(sessions(await reload(sub), 'facebook')).to.equal(sessions(sub, 'facebook'));
        expect(sessions(await reload(sub), 'youtube')).to.equal(0);
      });

      it('refuses swaps that cannot be made, each with its own code', async () => {
        const sub = await newSubscriber();
        const q = (from: string, to: string, quantity: number) => svc.quoteSwap(sub.msisdn, { from, to, quantity });
        expectCode(await q('facebook', 'facebook', 10), 'SWAP.SAME_APP');
        expectCode(await q('facebook', 'myspace', 10), 'CATALOG.UNKNOWN_APP');
        expectCode(await q('facebook', 'whatsapp', 10), 'SWAP.NO_EXCHANGE_RATE');
        expectCode(await q('facebook', 'youtube', 1), 'SWAP.QUANTITY_TOO_SMALL');
        expectCode(await q('facebook', 'youtube', sessions(sub, 'facebook') + 2), 'BILLING.INSUFFICIENT_BALANCE');
        expectCode(await q('facebook', 'youtube', -4), 'REQUEST.INVALID', 'quantity');
        expectCode(await svc.confirmSwap('quo_nope'), 'SWAP.QUOTE_NOT_FOUND');
        expect(await reload(sub)).to.deep.equal(sub);
      });

      it('undoes a swap within 10 minutes if the credited sessions are unused, once', async () => {
        const sub = await newSubscriber();
        const swap = async () => {
          const quote = expectOk(await svc.quoteSwap(sub.msisdn, { from: 'facebook', to: 'youtube', quantity: 10 }));
          return expectOk(await svc.confirmSwap(quote.id));
        };
        const first = await swap();
        const undone = expectOk(await svc.undoSwap(first.id));
        expect(undone.undone).to.equal(true);
        expect(sessions(await reload(sub), 'facebook')).to.equal(sessions(sub, 'facebook'));
        expect(sessions(await reload(sub), 'youtube')).to.equal(0);
        expectCode(await svc.undoSwap(first.id), 'SWAP.ALREADY_UNDONE');

        const used = await swap();
        expectOk(await svc.chargeUsage(sub.msisdn, { app: 'youtube', quantity: 1 }));
        expectCode(await svc.undoSwap(used.id), 'SWAP.CREDIT_USED');

        const late = await swap();
        fx.clock.advanceMinutes(11);
        expectCode(await svc.undoSwap(late.id), 'SWAP.UNDO_WINDOW_CLOSED');
        expectCode(await svc.undoSwap('swp_nope'), 'SWAP.NOT_FOUND');
      });
      it('merges the buckets of swaps that can no longer be undone, and forgets swaps a day on', async () => {
        const sub = await newSubscriber();
        const swap = async () => {
          const quote = expectOk(await svc.quoteSwap(sub.msisdn, { from: 'facebook', to: 'youtube', quantity: 4 }));
          return expectOk(await svc.confirmSwap(quote.id));
        };
        const youtube = (s: Subscriber) => s.buckets.filter((b) => b.app === 'youtube');
        await swap();
        await swap();
        await swap();
        expect(youtube(await reload(sub))).to.have.length(3); // each undoable on its own
        fx.clock.advanceMinutes(11);
        const recent = await swap();
        const after = await reload(sub);
        // The three settled credits are one bucket now; the recent one stays apart for its undo.
        expect(
          youtube(after)
            .map((b) => b.remainingValue)
            .sort(),
        ).to.deep.equal([2, 6]);
        expect(sessions(after, 'youtube')).to.equal(8);
        const ledger = expectOk(await svc.getLedger(sub.msisdn, { limit: 1000 }));
        const sum = (target: string) => ledger.filter((e) => e.target === target).reduce((t, e) => t + e.delta, 0);
        for (const b of after.buckets) expect(sum(b.id)).to.equal(b.remainingValue);
        expect(ledger.filter((e) => e.reason === 'bucket.merge')).to.have.length(4);
        expect(expectOk(await svc.undoSwap(recent.id)).undone).to.equal(true);
        expect(sessions(await reload(sub), 'youtube')).to.equal(6);

        fx.clock.advanceDays(1);
        fx.clock.advanceMinutes(3);
        await svc.tick();
        expectCode(await svc.undoSwap(recent.id), 'SWAP.NOT_FOUND');
        expect(sessions(await reload(sub), 'youtube')).to.equal(6);
      });
    });

    describe('add-ons and grants', () => {
      it('sells an add-on from prepaid credit, and refuses when the credit is short', async () => {
        const sub = await newSubscriber();
        const addOn = expectOk(await svc.listAddOns()).find((a) => a.price.amount <= sub.account.balance.amount)!;
        const bought = expectOk(await svc.buyAddOn(sub.msisdn, { productId: addOn.id }));
        expect(bought.balance?.amount).to.equal(sub.account.balance.amount - addOn.price.amount);
        expect(bought.bucket).to.include({ unit: addOn.bundle.unit, remainingValue: addOn.bundle.quantity });
        expectCode(await svc.buyAddOn(sub.msisdn, { productId: 'addon-nope' }), 'CATALOG.UNKNOWN_PRODUCT');
        const drained = await reload(sub);
        const tooDear = expectOk(await svc.listAddOns()).find((a) => a.price.amount > drained.account.balance.amount)!;
        expectCode(await svc.buyAddOn(sub.msisdn, { productId: tooDear.id }), 'BILLING.INSUFFICIENT_BALANCE');
        expect(await reload(sub)).to.deep.equal(drained);
      });

      it('puts a postpaid add-on on the open bill', async () => {
        const sub = await newSubscriber('postpaid');
        const addOn = expectOk(await svc.listAddOns())[0]!;
        const bought = expectOk(await svc.buyAddOn(sub.msisdn, { productId: addOn.id }));
        const bills = expectOk(await svc.getBills(sub.msisdn));
        const bill = bills.find((b) => b.id === bought.billId)!;
        expect(bill.remainingAmount.amount).to.equal(addOn.price.amount);
        expect(bill.lines.map((l) => l.kind)).to.include('addon');
      });

      it('grants credit or sessions, and refuses a grant of both or neither', async () => {
        const sub = await newSubscriber();
        const credited = expectOk(await svc.grant(sub.msisdn, { amount: 250, reason: 'outage' }));
        expect(credited.account.balance.amount).to.equal(sub.account.balance.amount + 250);
        const sessionsGiven = expectOk(await svc.grant(sub.msisdn, { app: 'youtube', quantity: 5, reason: 'sorry' }));
        expect(sessions(sessionsGiven, 'youtube')).to.equal(5);
        expectCode(await svc.grant(sub.msisdn, { reason: 'nothing' }), 'REQUEST.INVALID');
        expectCode(
          await svc.grant(sub.msisdn, { amount: 1, app: 'youtube', quantity: 1, reason: 'both' }),
          'REQUEST.INVALID',
        );
      });
    });

    describe('payments', () => {
      it('settles a top-up payment exactly once; a settled payment cannot fail', async () => {
        const sub = await newSubscriber();
        const start = sub.account.balance.amount;
        const p = expectOk(
          await svc.createPayment(sub.msisdn, { purpose: { type: 'topup' }, amount: 700, metadata: { conv: 'c1' } }),
        );
        expect(p).to.include({ status: 'created', msisdn: sub.msisdn });
        expect(p.amount.amount).to.equal(700);
        expect(expectOk(await svc.getPayment(p.id))).to.deep.equal(p);
        const settled = expectOk(await svc.settlePayment(p.id, { providerRef: 'sandbox-1' }));
        expect(settled.status).to.equal('settled');
        expect(expectOk(await svc.settlePayment(p.id, { providerRef: 'sandbox-1' }))).to.deep.equal(settled);
        expect((await reload(sub)).account.balance.amount).to.equal(start + 700);
        expectCode(await svc.failPayment(p.id, { reason: 'declined' }), 'PAYMENT.INVALID_STATE');
        expectCode(await svc.getPayment('pay_nope'), 'PAYMENT.NOT_FOUND');
        expectCode(await svc.settlePayment('pay_nope', { providerRef: 'x' }), 'PAYMENT.NOT_FOUND');
      });

      it('fails a payment (then it cannot settle) and refuses an expired one', async () => {
        const sub = await newSubscriber();
        const p = expectOk(await svc.createPayment(sub.msisdn, { purpose: { type: 'topup' }, amount: 300 }));
        const failed = expectOk(await svc.failPayment(p.id, { reason: 'card declined' }));
        expect(failed).to.include({ status: 'failed', failureReason: 'card declined' });
        expectCode(await svc.settlePayment(p.id, { providerRef: 'x' }), 'PAYMENT.INVALID_STATE');
        const late = expectOk(await svc.createPayment(sub.msisdn, { purpose: { type: 'topup' }, amount: 300 }));
        fx.clock.advanceMinutes(31);
        expectCode(await svc.settlePayment(late.id, { providerRef: 'x' }), 'PAYMENT.EXPIRED');
        expect((await reload(sub)).account.balance.amount).to.equal(sub.account.balance.amount);
      });

      it('pays a bill: the bill is settled once, and cannot be paid again', async () => {
        const sub = await newSubscriber('postpaid');
        const addOn = expectOk(await svc.listAddOns())[0]!;
        const { billId } = expectOk(await svc.buyAddOn(sub.msisdn, { productId: addOn.id }));
        const purpose = { type: 'bill' as const, billId: billId! };
        expectCode(
          await svc.createPayment(sub.msisdn, { purpose, amount: addOn.price.amount + 1 }),
          'PAYMENT.AMOUNT_INVALID',
        );
        expectCode(
          await svc.createPayment(sub.msisdn, { purpose: { type: 'bill', billId: 'bill-nope' } }),
          'BILL.NOT_FOUND',
        );
        const p = expectOk(await svc.createPayment(sub.msisdn, { purpose }));
        expect(p.amount.amount).to.equal(addOn.price.amount);
        expectOk(await svc.settlePayment(p.id, { providerRef: 'sandbox-2' }));
        const bill = expectOk(await svc.getBills(sub.msisdn)).find((b) => b.id === billId)!;
        expect(bill).to.include({ state: 'settled' });
        expect(bill.remainingAmount.amount).to.equal(0);
        expectCode(await svc.createPayment(sub.msisdn, { purpose }), 'BILL.ALREADY_PAID');
      });
    });

    describe('credit limits', () => {
      it("leaves a new customer's increase pending for an agent, who decides once", async () => {
        const sub = await newSubscriber('postpaid');
        const limit = sub.account.creditLimit!.amount;
        const req = expectOk(await svc.requestCreditLimit(sub.msisdn, { amount: limit + 1000 }));
        expect(req.status).to.equal('pending');
        expect(req.previous.amount).to.equal(limit);
        const decided = expectOk(await svc.decideCreditLimit(req.id, { approve: true, decidedBy: 'agent:U1' }));
        expect(decided).to.include({ status: 'approved', decidedBy: 'agent:U1' });
        expect((await reload(sub)).account.creditLimit!.amount).to.equal(limit + 1000);
        expectCode(
          await svc.decideCreditLimit(req.id, { approve: false, decidedBy: 'agent:U1' }),
          'CREDIT_LIMIT.ALREADY_DECIDED',
        );
        expectCode(
          await svc.decideCreditLimit('clr_nope', { approve: true, decidedBy: 'agent:U1' }),
          'CREDIT_LIMIT.REQUEST_NOT_FOUND',
        );
      });

      it('auto-approves a modest increase for a customer of 30 days; prepaid has no credit limit', async () => {
        const sub = await newSubscriber('postpaid');
        fx.clock.advanceDays(31);
        const limit = sub.account.creditLimit!.amount;
        const req = expectOk(await svc.requestCreditLimit(sub.msisdn, { amount: Math.floor(limit * 1.4) }));
        expect(req.status).to.equal('approved');
        const pre = await newSubscriber('prepaid');
        expectCode(await svc.requestCreditLimit(pre.msisdn, { amount: 5000 }), 'CREDIT_LIMIT.NOT_POSTPAID');
      });
    });

    describe('ledger, time and events', () => {
      it('records every change of every balance, newest first', async () => {
        const sub = await newSubscriber();
        expectOk(await svc.topUp(sub.msisdn, { amount: 100 }, { actor: 'subscriber' }));
        expectOk(await svc.chargeUsage(sub.msisdn, { app: 'facebook', quantity: 2 }));
        const ledger = expectOk(await svc.getLedger(sub.msisdn, { limit: 2 }));
        expect(ledger.map((e) => [e.reason, e.delta])).to.deep.equal([
          ['usage', -2],
          ['topup', 100],
        ]);
        expect(ledger[1]!.actor).to.equal('subscriber');
        const all = expectOk(await svc.getLedger(sub.msisdn, { limit: 1000 }));
        const now = await reload(sub);
        // Opening entries included, the ledger sums to every balance.
        const sum = (target: string) => all.filter((e) => e.target === target).reduce((s, e) => s + e.delta, 0);
        expect(sum('account')).to.equal(now.account.balance.amount);
        for (const b of now.buckets) expect(sum(b.id)).to.equal(b.remainingValue);
      });

      it('tick() expires buckets at the end of their validity', async () => {
        const sub = await newSubscriber();
        fx.clock.advanceDays(31);
        await svc.tick();
        const ledger = expectOk(await svc.getLedger(sub.msisdn, { limit: 1000 }));
        const expired = ledger.filter((e) => e.reason === 'expiry');
        expect(expired).to.have.length(sub.buckets.length);
        expect((await reload(sub)).buckets).to.deep.equal([]);
      });

      it('delivers events to listeners until they unsubscribe', async () => {
        const sub = await newSubscriber();
        const a: ChargingEvent[] = [];
        const b: ChargingEvent[] = [];
        const offA = svc.onEvent((e) => a.push(e));
        const offB = svc.onEvent((e) => b.push(e));
        try {
          const p1 = expectOk(await svc.createPayment(sub.msisdn, { purpose: { type: 'topup' }, amount: 100 }));
          expectOk(await svc.settlePayment(p1.id, { providerRef: 'r1' }));
          await until(() => a.some((e) => e.type === 'payment.settled'));
          const settled = a.find((e) => e.type === 'payment.settled')!;
          expect(settled).to.include({ msisdn: sub.msisdn, id: `payment.settled:${p1.id}` });
          expect(settled.data).to.include({ paymentId: p1.id, amount: 100 });
          offA();
          const p2 = expectOk(await svc.createPayment(sub.msisdn, { purpose: { type: 'topup' }, amount: 200 }));
          expectOk(await svc.failPayment(p2.id, { reason: 'declined' }));
          await until(() => b.some((e) => e.type === 'payment.failed'));
          expect(a.map((e) => e.type)).to.not.include('payment.failed');
        } finally {
          offA();
          offB();
        }
      });
    });
  });
}
