import { expect } from 'chai';
import { bearerMatches } from '../../../adapters/charging-http/bearer-auth.js';
import { MAX_BODY_BYTES } from '../../../adapters/charging-http/api.js';
import { type ChargingApiServer, startChargingApiServer, TEST_TOKEN } from './charging-api-server.js';

const ADA = '+15550109001';
const enc = encodeURIComponent(ADA);

/** Every route of the API with a plausible request, for the auth checks. */
const ROUTES: [string, string, unknown?][] = [
  ['GET', '/api/v1/catalog'],
  ['GET', '/api/v1/catalog/addons'],
  ['POST', '/api/v1/subscribers', { msisdn: '+15550109999', name: 'Eve', plan: 'prepaid' }],
  ['GET', `/api/v1/subscribers/${enc}`],
  ['GET', `/api/v1/subscribers/${enc}/ledger`],
  ['GET', `/api/v1/subscribers/${enc}/bills`],
  ['POST', `/api/v1/subscribers/${enc}/usage`, { app: 'facebook', quantity: 1 }],
  ['POST', `/api/v1/subscribers/${enc}/reservations`, { unit: 'MB', quantity: 1 }],
  ['POST', `/api/v1/subscribers/${enc}/reservations/res_x/commit`, { used: 1 }],
  ['POST', `/api/v1/subscribers/${enc}/reservations/res_x/release`, {}],
  ['POST', `/api/v1/subscribers/${enc}/topups`, { amount: 100 }],
  ['POST', `/api/v1/subscribers/${enc}/purchases`, { productId: 'addon-data-1gb' }],
  ['POST', `/api/v1/subscribers/${enc}/grants`, { amount: 1, reason: 'x' }],
  ['POST', `/api/v1/subscribers/${enc}/swaps`, { from: 'facebook', to: 'youtube', quantity: 10 }],
  ['POST', '/api/v1/swaps/quo_x/confirm', {}],
  ['POST', '/api/v1/swaps/swp_x/undo', {}],
  ['POST', `/api/v1/subscribers/${enc}/payments`, { purpose: { type: 'topup' }, amount: 100 }],
  ['GET', '/api/v1/payments/pay_x'],
  ['POST', '/api/v1/payments/pay_x/settle', { providerRef: 'r' }],
  ['POST', '/api/v1/payments/pay_x/fail', { reason: 'r' }],
  ['POST', `/api/v1/subscribers/${enc}/credit-limit-requests`, { amount: 100 }],
  ['POST', '/api/v1/credit-limit-requests/clr_x/decision', { approve: true, decidedBy: 'agent:U1' }],
  ['POST', '/api/v1/tick', {}],
  ['GET', '/api/v1/events'],
];

async function rawFetch(base: string, method: string, path: string, body: unknown, headers: Record<string, string>) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'Content-Type': 'application/json', ...headers },
    ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
  });
  return { status: res.status, body: (await res.json()) as { code?: string } };
}

describe('charging HTTP API', () => {
  describe('bearer token', () => {
    it('bearerMatches accepts only "Bearer <token>" with a configured token', () => {
      expect(bearerMatches('s3cret', 'Bearer s3cret')).to.equal(true);
      expect(bearerMatches('s3cret', 'bearer s3cret')).to.equal(true);
      expect(bearerMatches('s3cret', 'Bearer s3cre')).to.equal(false);
      expect(bearerMatches('s3cret', 'Bearer s3cretX')).to.equal(false);
      expect(bearerMatches('s3cret', 's3cret')).to.equal(false);
      expect(bearerMatches('s3cret', 'Basic s3cret')).to.equal(false);
      expect(bearerMatches('s3cret', undefined)).to.equal(false);
      expect(bearerMatches(undefined, 'Bearer ')).to.equal(false);
      expect(bearerMatches('', 'Bearer ')).to.equal(false);
    });

    it('answers 401 on every route when ADMIN_TOKEN is unset, whatever the caller sends', async () => {
      const api = await startChargingApiServer({ adminToken: null });
      try {
        for (const [method, path, body] of ROUTES) {
          for (const auth of [`Bearer ${TEST_TOKEN}`, 'Bearer ', '']) {
            const r = await rawFetch(api.base, method, path, body, auth ? { Authorization: auth } : {});
            expect(r.status, `${method} ${path}`).to.equal(401);
            expect(r.body.code).to.equal('AUTH.UNAUTHORIZED');
          }
        }
        expect(await api.core.getSubscriber('+15550109999')).to.have.nested.property(
          'error.code',
          'SUBSCRIBER.NOT_FOUND',
        );
      } finally {
        await api.close();
      }
    });

    it('answers 401 on every route for a missing or wrong token, and changes nothing', async () => {
      const api = await startChargingApiServer();
      try {
        await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
        const before = await api.call('GET', `/api/v1/subscribers/${enc}`);
        for (const [method, path, body] of ROUTES) {
          for (const headers of [
            {},
            { Authorization: 'Bearer wrong' },
            { Authorization: `Basic ${TEST_TOKEN}` },
          ] as Record<string, string>[]) {
            const r = await rawFetch(api.base, method, path, body, headers);
            expect(r.status, `${method} ${path}`).to.equal(401);
            expect(r.body.code).to.equal('AUTH.UNAUTHORIZED');
          }
        }
        expect(await api.call('GET', `/api/v1/subscribers/${enc}`)).to.deep.equal(before);
        expect((await api.call('GET', '/api/v1/subscribers/%2B15550109999')).status).to.equal(404);
      } finally {
        await api.close();
      }
    });
  });

  describe('routes', () => {
    let api: ChargingApiServer;
    beforeEach(async () => {
      api = await startChargingApiServer();
    });
    afterEach(() => api.close());

    it('creates a subscriber (201) and reads it by MSISDN with +, %2B or digits only', async () => {
      const created = await api.call('POST', '/api/v1/subscribers', {
        msisdn: ADA,
        name: 'Ada',
        plan: 'prepaid',
        language: 'en',
      });
      expect(created.status).to.equal(201);
      expect(created.body).to.include({ msisdn: ADA, name: 'Ada', plan: 'prepaid', language: 'en' });
      for (const form of [ADA, enc, ADA.slice(1)]) {
        const got = await api.call('GET', `/api/v1/subscribers/${form}`);
        expect(got.status, form).to.equal(200);
        expect(got.body).to.deep.equal(created.body);
      }
      const dup = await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
      expect([dup.status, dup.body.code]).to.deep.equal([409, 'SUBSCRIBER.ALREADY_EXISTS']);
    });

    it('serves the TM Forum-shaped subscriber view of CONTRACTS.md 3.7', async () => {
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'postpaid' });
      const { body } = await api.call('GET', `/api/v1/subscribers/${enc}`);
      expect(body).to.include.keys('msisdn', 'name', 'plan', 'language', 'account', 'buckets', 'bills', 'payments');
      const account = body.account as { balance: { amount: number; currency: string }; creditLimit?: unknown };
      expect(account.balance).to.have.keys('amount', 'currency');
      expect(account.creditLimit).to.have.keys('amount', 'currency');
      for (const b of body.buckets as Record<string, unknown>[]) {
        expect(b).to.include.keys('id', 'unit', 'remainingValue', 'initialValue', 'validFor');
        expect(b.validFor).to.have.keys('startDateTime', 'endDateTime');
      }
    });

    it('charges usage (200 with the bucket after it), tops up (201 with the new balance)', async () => {
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
      const usage = await api.call('POST', `/api/v1/subscribers/${enc}/usage`, { app: 'facebook', quantity: 1 });
      expect(usage.status).to.equal(200);
      expect(usage.body).to.include({
        unit: 'session',
        app: 'facebook',
        remainingValue: 49,
        charged: 1,
        zeroRated: false,
      });
      const mb = await api.call('POST', `/api/v1/subscribers/${enc}/usage`, { unit: 'MB', quantity: 50 });
      expect(mb.body).to.include({ unit: 'MB', remainingValue: 2048 - 50 });
      const zero = await api.call('POST', `/api/v1/subscribers/${enc}/usage`, { app: 'whatsapp', quantity: 1 });
      expect(zero).to.deep.equal({ status: 200, body: { charged: 0, zeroRated: true } });
      const short = await api.call('POST', `/api/v1/subscribers/${enc}/usage`, { app: 'facebook', quantity: 500 });
      expect([short.status, short.body.code]).to.deep.equal([409, 'BILLING.INSUFFICIENT_BALANCE']);
      const topup = await api.call('POST', `/api/v1/subscribers/${enc}/topups`, { amount: 1000 });
      expect(topup).to.deep.equal({ status: 201, body: { balance: { amount: 1500, currency: 'USD' } } });
    });

    it('quotes a swap (201), confirms it once (again: the same result), undoes it', async () => {
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
      const quote = await api.call('POST', `/api/v1/subscribers/${enc}/swaps`, {
        from: 'facebook',
        to: 'youtube',
        quantity: 10,
      });
      expect(quote.status).to.equal(201);
      expect(quote.body).to.include.keys('id', 'from', 'to', 'debit', 'credit', 'rate', 'expiresAt');
      expect(quote.body).to.include({ from: 'facebook', to: 'youtube', debit: 10, credit: 5, rate: '2:1' });
      const confirm = await api.call('POST', `/api/v1/swaps/${quote.body.id}/confirm`);
      expect(confirm.status).to.equal(200);
      expect(confirm.body).to.include({ quoteId: quote.body.id, debit: 10, credit: 5 });
      expect(await api.call('POST', `/api/v1/swaps/${quote.body.id}/confirm`)).to.deep.equal(confirm);
      const undo = await api.call('POST', `/api/v1/swaps/${confirm.body.id}/undo`);
      expect(undo.status).to.equal(200);
      expect(undo.body.undone).to.equal(true);
      const unknown = await api.call('POST', '/api/v1/swaps/quo_nope/confirm');
      expect([unknown.status, unknown.body.code]).to.deep.equal([404, 'SWAP.QUOTE_NOT_FOUND']);
    });

    it('serves reservations, purchases, grants, bills, payments, credit limits, ledger, catalog and tick', async () => {
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'postpaid' });
      const s = `/api/v1/subscribers/${enc}`;
      const res = await api.call('POST', `${s}/reservations`, { unit: 'MB', quantity: 100 });
      expect(res.status).to.equal(201);
      const commit = await api.call('POST', `${s}/reservations/${res.body.id}/commit`, { used: 30 });
      expect(commit.status).to.equal(200);
      expect(commit.body).to.include({ unit: 'MB', charged: 30, remainingValue: 10240 - 30 });
      const held = await api.call('POST', `${s}/reservations`, { unit: 'MB', quantity: 5 });
      const release = await api.call('POST', `${s}/reservations/${held.body.id}/release`);
      expect(release.status).to.equal(200);
      expect(release.body.remainingValue).to.equal(10240 - 30);

      const purchase = await api.call('POST', `${s}/purchases`, { productId: 'addon-data-1gb' });
      expect(purchase.status).to.equal(201);
      const grant = await api.call('POST', `${s}/grants`, { app: 'youtube', quantity: 3, reason: 'outage' });
      expect(grant.status).to.equal(200);
      const bills = await api.call('GET', `${s}/bills`);
      expect(bills.status).to.equal(200);
      const billList = bills.body as unknown as { id: string; remainingAmount: { amount: number } }[];
      expect(billList.map((b) => b.id)).to.deep.equal([purchase.body.billId]);

      const pay = await api.call('POST', `${s}/payments`, { purpose: { type: 'bill', billId: purchase.body.billId } });
      expect(pay.status).to.equal(201);
      expect((await api.call('GET', `/api/v1/payments/${pay.body.id}`)).body).to.deep.equal(pay.body);
      const settle = await api.call('POST', `/api/v1/payments/${pay.body.id}/settle`, { providerRef: 'sbx-1' });
      expect([settle.status, settle.body.status]).to.deep.equal([200, 'settled']);
      const failLate = await api.call('POST', `/api/v1/payments/${pay.body.id}/fail`, { reason: 'x' });
      expect([failLate.status, failLate.body.code]).to.deep.equal([409, 'PAYMENT.INVALID_STATE']);

      const clr = await api.call('POST', `${s}/credit-limit-requests`, { amount: 20000 });
      expect([clr.status, clr.body.status]).to.deep.equal([201, 'pending']);
      const decision = await api.call('POST', `/api/v1/credit-limit-requests/${clr.body.id}/decision`, {
        approve: false,
        decidedBy: 'agent:U7',
        reason: 'too soon',
      });
      expect([decision.status, decision.body.status]).to.deep.equal([200, 'declined']);

      const ledger = await api.call('GET', `${s}/ledger?limit=3`);
      expect(ledger.status).to.equal(200);
      expect(ledger.body).to.have.length(3);
      expect((await api.call('GET', `${s}/ledger?limit=0`)).status).to.equal(400);
      expect((await api.call('GET', `${s}/ledger?limit=abc`)).body.code).to.equal('REQUEST.INVALID');

      const catalog = await api.call('GET', '/api/v1/catalog');
      expect(catalog.body).to.include.keys('currency', 'apps', 'plans', 'addOns', 'exchangeRates');
      const addons = await api.call('GET', '/api/v1/catalog/addons');
      expect(addons.body).to.deep.equal(catalog.body.addOns);
      api.clock.advanceDays(40);
      expect(await api.call('POST', '/api/v1/tick')).to.deep.equal({ status: 200, body: { status: 'done' } });
    });

    it('records the X-Charging-Actor header in the ledger, api by default', async () => {
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
      await api.call('POST', `/api/v1/subscribers/${enc}/topups`, { amount: 1 }, { 'X-Charging-Actor': 'agent:U42' });
      await api.call('POST', `/api/v1/subscribers/${enc}/topups`, { amount: 2 });
      const ledger = (await api.call('GET', `/api/v1/subscribers/${enc}/ledger?limit=2`)).body as unknown as {
        actor: string;
      }[];
      expect(ledger.map((e) => e.actor)).to.deep.equal(['api', 'agent:U42']);
      const bad = await api.call(
        'POST',
        `/api/v1/subscribers/${enc}/topups`,
        { amount: 1 },
        { 'X-Charging-Actor': 'a b' },
      );
      expect([bad.status, bad.body.code]).to.deep.equal([400, 'REQUEST.INVALID']);
    });
  });

  describe('bad input: a 4xx with a stable code, and nothing changes', () => {
    let api: ChargingApiServer;
    let snapshot: () => Promise<unknown>;
    beforeEach(async () => {
      api = await startChargingApiServer();
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
      snapshot = async () => [
        await api.call('GET', `/api/v1/subscribers/${enc}`),
        await api.call('GET', `/api/v1/subscribers/${enc}/ledger?limit=1000`),
      ];
    });
    afterEach(() => api.close());

    const s = `/api/v1/subscribers/${enc}`;
    const cases: [string, string, string, unknown, number, string, string?][] = [
      ['malformed JSON', 'POST', `${s}/topups`, '{"amount": 10', 400, 'REQUEST.MALFORMED_JSON'],
      ['a JSON array body', 'POST', `${s}/topups`, '[1000]', 400, 'REQUEST.INVALID'],
      ['a negative amount', 'POST', `${s}/topups`, { amount: -100 }, 400, 'REQUEST.INVALID', 'amount'],
      ['a fractional amount', 'POST', `${s}/topups`, { amount: 10.5 }, 400, 'REQUEST.INVALID', 'amount'],
      ['an amount as a string', 'POST', `${s}/topups`, { amount: '1000' }, 400, 'REQUEST.INVALID', 'amount'],
      ['a zero amount', 'POST', `${s}/topups`, { amount: 0 }, 400, 'REQUEST.INVALID', 'amount'],
      ['a missing amount', 'POST', `${s}/topups`, {}, 400, 'REQUEST.INVALID', 'amount'],
      ['a huge amount', 'POST', `${s}/topups`, { amount: 1e300 }, 400, 'REQUEST.INVALID', 'amount'],
      [
        'a negative quantity',
        'POST',
        `${s}/usage`,
        { app: 'facebook', quantity: -1 },
        400,
        'REQUEST.INVALID',
        'quantity',
      ],
      [
        'a fractional quantity',
        'POST',
        `${s}/usage`,
        { app: 'facebook', quantity: 0.5 },
        400,
        'REQUEST.INVALID',
        'quantity',
      ],
      ['an unknown app (usage)', 'POST', `${s}/usage`, { app: 'myspace', quantity: 1 }, 400, 'CATALOG.UNKNOWN_APP'],
      ['an unknown unit', 'POST', `${s}/usage`, { unit: 'GB', quantity: 1 }, 400, 'CATALOG.UNKNOWN_UNIT', 'unit'],
      ['an app that is not a string', 'POST', `${s}/usage`, { app: 7, quantity: 1 }, 400, 'REQUEST.INVALID', 'app'],
      [
        'an unknown app (swap)',
        'POST',
        `${s}/swaps`,
        { from: 'myspace', to: 'youtube', quantity: 10 },
        400,
        'CATALOG.UNKNOWN_APP',
      ],
      [
        'a negative swap',
        'POST',
        `${s}/swaps`,
        { from: 'facebook', to: 'youtube', quantity: -10 },
        400,
        'REQUEST.INVALID',
        'quantity',
      ],
      ['an unknown add-on', 'POST', `${s}/purchases`, { productId: 'addon-nope' }, 404, 'CATALOG.UNKNOWN_PRODUCT'],
      ['a payment without purpose', 'POST', `${s}/payments`, { amount: 100 }, 400, 'REQUEST.INVALID', 'purpose'],
      [
        'metadata that is not strings',
        'POST',
        `${s}/payments`,
        { purpose: { type: 'topup' }, amount: 1, metadata: { a: 1 } },
        400,
        'REQUEST.INVALID',
        'metadata',
      ],
      [
        'an unknown MSISDN',
        'POST',
        '/api/v1/subscribers/%2B15550109998/topups',
        { amount: 100 },
        404,
        'SUBSCRIBER.NOT_FOUND',
      ],
      [
        'an MSISDN that is not E.164',
        'POST',
        '/api/v1/subscribers/abc/topups',
        { amount: 100 },
        400,
        'REQUEST.INVALID',
        'msisdn',
      ],
      [
        'an invalid subscriber plan',
        'POST',
        '/api/v1/subscribers',
        { msisdn: '+15550109997', name: 'X', plan: 'gold' },
        400,
        'REQUEST.INVALID',
        'plan',
      ],
      [
        'an MSISDN without +',
        'POST',
        '/api/v1/subscribers',
        { msisdn: '15550109997', name: 'X', plan: 'prepaid' },
        400,
        'REQUEST.INVALID',
        'msisdn',
      ],
      ['an unknown route', 'POST', '/api/v1/nowhere', {}, 404, 'REQUEST.NOT_FOUND'],
    ];
    for (const [what, method, path, body, status, code, field] of cases) {
      it(`${what}: ${status} ${code}`, async () => {
        const before = await snapshot();
        const r = await api.call(method, path, body);
        expect([r.status, r.body.code], JSON.stringify(r.body)).to.deep.equal([status, code]);
        expect(r.body.message).to.be.a('string').and.not.equal('');
        if (field) expect((r.body.details as { field?: string } | undefined)?.field).to.equal(field);
        expect(await snapshot()).to.deep.equal(before);
        expect((await api.call('GET', '/api/v1/subscribers/%2B15550109997')).status).to.equal(404);
      });
    }

    it(`an oversize body (over ${MAX_BODY_BYTES} bytes): 413 REQUEST.TOO_LARGE`, async () => {
      const before = await snapshot();
      const big = { amount: 100, padding: 'x'.repeat(MAX_BODY_BYTES) };
      const r = await api.call('POST', `${s}/topups`, big);
      expect([r.status, r.body.code]).to.deep.equal([413, 'REQUEST.TOO_LARGE']);
      expect(await snapshot()).to.deep.equal(before);
    });

    it('an expired quote: 410 SWAP.QUOTE_EXPIRED (fixed clock)', async () => {
      const quote = await api.call('POST', `${s}/swaps`, { from: 'facebook', to: 'youtube', quantity: 10 });
      const before = await snapshot();
      api.clock.advanceMinutes(2);
      const r = await api.call('POST', `/api/v1/swaps/${quote.body.id}/confirm`);
      expect([r.status, r.body.code]).to.deep.equal([410, 'SWAP.QUOTE_EXPIRED']);
      expect(await snapshot()).to.deep.equal(before);
    });

    it('an Idempotency-Key that is too long or not printable: 400', async () => {
      const before = await snapshot();
      for (const key of ['k'.repeat(201), 'has space']) {
        const r = await api.call('POST', `${s}/topups`, { amount: 100 }, { 'Idempotency-Key': key });
        expect([r.status, r.body.code]).to.deep.equal([400, 'REQUEST.INVALID']);
      }
      expect(await snapshot()).to.deep.equal(before);
    });
  });

  describe('Idempotency-Key', () => {
    let api: ChargingApiServer;
    const s = `/api/v1/subscribers/${enc}`;
    beforeEach(async () => {
      api = await startChargingApiServer();
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
    });
    afterEach(() => api.close());

    const ledgerLength = async () => ((await api.call('GET', `${s}/ledger?limit=1000`)).body as unknown as []).length;

    it('same key and body: the first answer again (status and body), applied once', async () => {
      const entries = await ledgerLength();
      const key = { 'Idempotency-Key': 'op-1' };
      const first = await api.call('POST', `${s}/topups`, { amount: 700 }, key);
      const again = await api.call('POST', `${s}/topups`, { amount: 700 }, key);
      expect(first.status).to.equal(201);
      expect(again).to.deep.equal(first);
      expect(await ledgerLength()).to.equal(entries + 1);
      const sub = await api.call('GET', s);
      expect((sub.body.account as { balance: { amount: number } }).balance.amount).to.equal(500 + 700);
    });

    it('same key, another body: 422 IDEMPOTENCY.KEY_REUSED and nothing changes', async () => {
      const key = { 'Idempotency-Key': 'op-2' };
      await api.call('POST', `${s}/topups`, { amount: 700 }, key);
      const before = await api.call('GET', s);
      const other = await api.call('POST', `${s}/topups`, { amount: 800 }, key);
      expect([other.status, other.body.code]).to.deep.equal([422, 'IDEMPOTENCY.KEY_REUSED']);
      const otherRoute = await api.call('POST', `${s}/usage`, { app: 'facebook', quantity: 1 }, key);
      expect([otherRoute.status, otherRoute.body.code]).to.deep.equal([422, 'IDEMPOTENCY.KEY_REUSED']);
      expect(await api.call('GET', s)).to.deep.equal(before);
    });

    it('covers quotes, confirmations, usage and payments the same way', async () => {
      const quote1 = await api.call(
        'POST',
        `${s}/swaps`,
        { from: 'facebook', to: 'youtube', quantity: 10 },
        { 'Idempotency-Key': 'q-1' },
      );
      const quote2 = await api.call(
        'POST',
        `${s}/swaps`,
        { from: 'facebook', to: 'youtube', quantity: 10 },
        { 'Idempotency-Key': 'q-1' },
      );
      expect(quote2).to.deep.equal(quote1);
      const c1 = await api.call('POST', `/api/v1/swaps/${quote1.body.id}/confirm`, undefined, {
        'Idempotency-Key': 'c-1',
      });
      const c2 = await api.call('POST', `/api/v1/swaps/${quote1.body.id}/confirm`, undefined, {
        'Idempotency-Key': 'c-1',
      });
      expect(c2).to.deep.equal(c1);
      const u1 = await api.call('POST', `${s}/usage`, { app: 'facebook', quantity: 2 }, { 'Idempotency-Key': 'u-1' });
      const u2 = await api.call('POST', `${s}/usage`, { app: 'facebook', quantity: 2 }, { 'Idempotency-Key': 'u-1' });
      expect(u2).to.deep.equal(u1);
      const p1 = await api.call(
        'POST',
        `${s}/payments`,
        { purpose: { type: 'topup' }, amount: 100 },
        { 'Idempotency-Key': 'p-1' },
      );
      const p2 = await api.call(
        'POST',
        `${s}/payments`,
        { purpose: { type: 'topup' }, amount: 100 },
        { 'Idempotency-Key': 'p-1' },
      );
      expect(p2).to.deep.equal(p1);
      const sub = await api.call('GET', s);
      const fb = (sub.body.buckets as { app?: string; remainingValue: number }[]).find((b) => b.app === 'facebook');
      expect(fb?.remainingValue).to.equal(50 - 10 - 2);
      expect(sub.body.payments).to.have.length(1);
    });
  });
});
