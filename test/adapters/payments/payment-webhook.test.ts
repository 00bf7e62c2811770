/**
 * `POST /payments/webhooks/sandbox` against a real server and the embedded core: replayed, concurrent,
 * out-of-order, badly signed, stale, expired, unknown and mismatched callbacks. Nothing is applied twice,
 * nothing is applied when invalid, and each case has its own status and code.
 */
import { expect } from 'chai';
import type { SandboxChargeEvent } from '../../../adapters/payments/sandbox/sandbox-event.js';
import { signSandboxPayload } from '../../../adapters/payments/sandbox/sandbox-signature.js';
import type { Payment } from '../../../charging/model.js';
import { ANA, CALLBACK_SECRET, type PaymentsRig, startPaymentsRig } from './payments-rig.js';

let seq = 0;

function chargeEvent(
  payment: Payment,
  type: SandboxChargeEvent['type'],
  over: Partial<SandboxChargeEvent['data']> = {},
) {
  seq++;
  const event: SandboxChargeEvent = {
    id: `evt_test_${seq}`,
    type,
    created: 0,
    data: {
      paymentId: payment.id,
      chargeId: `ch_test_${seq}`,
      amount: payment.amount.amount,
      currency: payment.amount.currency,
      card: { brand: 'Visa', last4: '4242' },
      ...(type === 'charge.failed' ? { failureCode: 'card_declined' } : {}),
      ...over,
    },
  };
  return Buffer.from(JSON.stringify(event));
}

describe('payment webhook (sandbox provider)', function () {
  this.timeout(30_000);
  let rig: PaymentsRig;

  before(async () => {
    rig = await startPaymentsRig();
  });
  after(async () => {
    await rig?.close();
  });

  const url = () => `${rig.base}/payments/webhooks/sandbox`;

  async function deliver(body: Buffer, signature = signSandboxPayload(CALLBACK_SECRET, body, rig.clock.now())) {
    const res = await fetch(url(), {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'sandbox-signature': signature },
      body: new Uint8Array(body),
    });
    return { status: res.status, body: (await res.json()) as { code: string; paymentStatus?: string } };
  }

  async function balance(): Promise<number> {
    const sub = await rig.core.getSubscriber(ANA);
    if (!sub.ok) throw new Error(sub.error.code);
    return sub.value.account.balance.amount;
  }

  async function newPayment(amount = 1000): Promise<Payment> {
    const p = await rig.core.createPayment(ANA, { purpose: { type: 'topup' }, amount });
    if (!p.ok) throw new Error(p.error.code);
    return p.value;
  }

  async function status(paymentId: string): Promise<string> {
    const p = await rig.core.getPayment(paymentId);
    if (!p.ok) throw new Error(p.error.code);
    return p.value.status;
  }

  it('settles on the first delivery and acknowledges a replay of the same bytes without applying it again', async () => {
    const before = await balance();
    const payment = await newPayment(1000);
    const body = chargeEvent(payment, 'charge.succeeded');
    const signature = signSandboxPayload(CALLBACK_SECRET, body, rig.clock.now());
    const first = await deliver(body, signature);
    expect(first).to.deep.include({ status: 200 });
    expect(first.body.code).to.equal('PAYMENT.SETTLED');
    const replay = await deliver(body, signature);
    expect(replay.status).to.equal(200);
    expect(replay.body.code).to.equal('PAYMENT.CALLBACK_DUPLICATE');
    // A redelivery signed later, and another event id for the same charge: still nothing new.
    rig.clock.advanceMinutes(1);
    expect((await deliver(body)).body.code).to.equal('PAYMENT.CALLBACK_DUPLICATE');
    expect((await deliver(chargeEvent(payment, 'charge.succeeded'))).body.code).to.equal('PAYMENT.CALLBACK_DUPLICATE');
    expect(await balance()).to.equal(before + 1000);
  });

  it('applies one of many concurrent deliveries of a settlement', async () => {
    const before = await balance();
    const payment = await newPayment(400);
    const body = chargeEvent(payment, 'charge.succeeded');
    const answers = await Promise.all(Array.from({ length: 6 }, () => deliver(body)));
    const codes = answers.map((a) => a.body.code).sort();
    expect(codes.filter((c) => c === 'PAYMENT.SETTLED')).to.have.length(1);
    expect(codes.filter((c) => c === 'PAYMENT.CALLBACK_DUPLICATE')).to.have.length(5);
    expect(await balance()).to.equal(before + 400);
  });

  it('refuses a failure after a settlement with 409 and keeps the money applied', async () => {
    const before = await balance();
    const payment = await newPayment(500);
    expect((await deliver(chargeEvent(payment, 'charge.succeeded'))).body.code).to.equal('PAYMENT.SETTLED');
    const late = await deliver(chargeEvent(payment, 'charge.failed'));
    expect(late.status).to.equal(409);
    expect(late.body.code).to.equal('PAYMENT.INVALID_STATE');
    expect(await status(payment.id)).to.equal('settled');
    expect(await balance()).to.equal(before + 500);
  });

  it('refuses a settlement after a failure with 409 and applies no money', async () => {
    const before = await balance();
    const payment = await newPayment(600);
    const failed = await deliver(chargeEvent(payment, 'charge.failed'));
    expect(failed.body.code).to.equal('PAYMENT.FAILED');
    expect((await deliver(chargeEvent(payment, 'charge.failed'))).body.code).to.equal('PAYMENT.CALLBACK_DUPLICATE');
    const late = await deliver(chargeEvent(payment, 'charge.succeeded'));
    expect(late.status).to.equal(409);
    expect(late.body.code).to.equal('PAYMENT.INVALID_STATE');
    expect(await status(payment.id)).to.equal('failed');
    expect(await balance()).to.equal(before);
    // The failure warning names what to do (refund), never card data.
    expect(rig.logLines.some((l) => l.includes('settlement after failure'))).to.equal(true);
  });

  it('refuses a missing, malformed or wrong signature with 401 and applies nothing', async () => {
    const before = await balance();
    const payment = await newPayment(700);
    const body = chargeEvent(payment, 'charge.succeeded');
    const t = Math.floor(rig.clock.now().getTime() / 1000);
    const wrongSecret = signSandboxPayload('another-secret-entirely-000000000', body, rig.clock.now());
    const forBodyOfAnother = signSandboxPayload(CALLBACK_SECRET, Buffer.from(`${body.toString()} `), rig.clock.now());
    for (const signature of ['', 'garbage', `t=${t}`, `t=${t},v1=${'0'.repeat(64)}`, wrongSecret, forBodyOfAnother]) {
      const res = await fetch(url(), {
        method: 'POST',
        headers: { 'content-type': 'application/json', ...(signature ? { 'sandbox-signature': signature } : {}) },
        body,
      });
      expect(res.status, signature).to.equal(401);
      expect(((await res.json()) as { code: string }).code).to.equal('PAYMENT.CALLBACK_SIGNATURE_INVALID');
    }
    expect(await status(payment.id)).to.equal('created');
    expect(await balance()).to.equal(before);
  });

  it('refuses a correctly signed but stale delivery (older than 5 minutes) with 401', async () => {
    const before = await balance();
    const payment = await newPayment(800);
    const body = chargeEvent(payment, 'charge.succeeded');
    const old = signSandboxPayload(CALLBACK_SECRET, body, new Date(rig.clock.now().getTime() - 6 * 60_000));
    const res = await deliver(body, old);
    expect(res.status).to.equal(401);
    expect(res.body.code).to.equal('PAYMENT.CALLBACK_STALE');
    expect(await status(payment.id)).to.equal('created');
    expect(await balance()).to.equal(before);
  });

  it('refuses a settlement for an expired payment with 410 and applies nothing', async () => {
    const before = await balance();
    const payment = await newPayment(900);
    rig.clock.advanceMinutes(31);
    const res = await deliver(chargeEvent(payment, 'charge.succeeded'));
    expect(res.status).to.equal(410);
    expect(res.body.code).to.equal('PAYMENT.EXPIRED');
    const failed = await deliver(chargeEvent(payment, 'charge.failed'));
    expect(failed.status).to.equal(410);
    expect(await status(payment.id)).to.equal('expired');
    expect(await balance()).to.equal(before);
  });

  it('answers 404 for an unknown payment, 400 for a wrong amount or a body that is not a charge event', async () => {
    const payment = await newPayment(1200);
    const unknown = await deliver(chargeEvent({ ...payment, id: 'pay_unknown' }, 'charge.succeeded'));
    expect(unknown.status).to.equal(404);
    expect(unknown.body.code).to.equal('PAYMENT.NOT_FOUND');
    const short = await deliver(chargeEvent(payment, 'charge.succeeded', { amount: 1 }));
    expect(short.status).to.equal(400);
    expect(short.body.code).to.equal('PAYMENT.CALLBACK_AMOUNT_MISMATCH');
    const junk = await deliver(Buffer.from('{"hello":"world"}'));
    expect(junk.status).to.equal(400);
    expect(junk.body.code).to.equal('PAYMENT.CALLBACK_MALFORMED');
    expect(await status(payment.id)).to.equal('created');
  });
});
