import { createServer, type Server } from 'node:http';
import { expect } from 'chai';
import { HttpChargingClient } from '../../../adapters/charging-http/client.js';
import { ChargingEventLog } from '../../../adapters/charging-http/event-log.js';
import type { ChargingEvent } from '../../../charging/model.js';
import { type ChargingApiServer, startChargingApiServer, TEST_TOKEN } from './charging-api-server.js';

const ADA = '+15550108001';

function event(n: number): ChargingEvent {
  return { id: `e${n}`, type: 'payment.settled', msisdn: ADA, at: '2025-01-15T10:00:00.000Z', data: { n } };
}

/** A plain node server answering every request with `handle` (or never, when it does nothing). */
async function rawServer(
  handle: (res: import('node:http').ServerResponse) => void,
): Promise<{ base: string; server: Server; hits: () => number }> {
  let hits = 0;
  const server = createServer((req, res) => {
    hits++;
    req.resume();
    handle(res);
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  return { base: `http://127.0.0.1:${(server.address() as { port: number }).port}`, server, hits: () => hits };
}

async function closeRaw(server: Server): Promise<void> {
  server.closeAllConnections();
  await new Promise<void>((r) => server.close(() => r()));
}

describe('HttpChargingClient', () => {
  describe('transport failures', () => {
    it('answers CHARGING.UNAVAILABLE when nothing listens', async () => {
      const raw = await rawServer(() => {});
      const base = raw.base;
      await closeRaw(raw.server); // the port is now closed
      const client = new HttpChargingClient({ baseUrl: base, token: TEST_TOKEN, retries: 1 });
      const read = await client.getSubscriber(ADA);
      expect(read.ok ? 'ok' : read.error.code).to.equal('CHARGING.UNAVAILABLE');
      const write = await client.topUp(ADA, { amount: 100 });
      expect(write.ok ? 'ok' : write.error.code).to.equal('CHARGING.UNAVAILABLE');
    });

    it('answers CHARGING.UNAVAILABLE when the server does not answer in time', async () => {
      const raw = await rawServer(() => {}); // accepts, never answers
      try {
        const client = new HttpChargingClient({ baseUrl: raw.base, timeoutMs: 100, retries: 0 });
        const r = await client.getCatalog();
        expect(r.ok ? 'ok' : r.error.code).to.equal('CHARGING.UNAVAILABLE');
      } finally {
        await closeRaw(raw.server);
      }
    });

    it('retries a 502 without a JSON code, then answers CHARGING.UNAVAILABLE', async () => {
      const raw = await rawServer((res) => {
        res.writeHead(502, { 'Content-Type': 'text/html' });
        res.end('<h1>Bad gateway</h1>');
      });
      try {
        const client = new HttpChargingClient({ baseUrl: raw.base, retries: 2 });
        const r = await client.topUp(ADA, { amount: 100 });
        expect(r.ok ? 'ok' : r.error.code).to.equal('CHARGING.UNAVAILABLE');
        expect(raw.hits()).to.equal(3);
      } finally {
        await closeRaw(raw.server);
      }
    });
  });

  describe('against the API', () => {
    let api: ChargingApiServer;
    beforeEach(async () => {
      api = await startChargingApiServer();
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
    });
    afterEach(() => api.close());

    it('maps a wrong token to AUTH.UNAUTHORIZED', async () => {
      const client = new HttpChargingClient({ baseUrl: api.base, token: 'wrong' });
      const r = await client.getSubscriber(ADA);
      expect(r.ok ? 'ok' : r.error.code).to.equal('AUTH.UNAUTHORIZED');
    });

    it('retries a mutation whose answer was lost with the same Idempotency-Key: applied once', async () => {
      const keys: string[] = [];
      let lose = true;
      const lossy: typeof fetch = async (input, init) => {
        const res = await fetch(input, init);
        if (String(input).endsWith('/topups')) {
          keys.push(new Headers(init?.headers).get('idempotency-key') ?? '');
          if (lose) {
            lose = false;
            await res.text();
            throw new TypeError('fetch failed'); // the server applied it; the answer never arrived
          }
        }
        return res;
      };
      const client = new HttpChargingClient({ baseUrl: api.base, token: TEST_TOKEN, fetch: lossy });
      const r = await client.topUp(ADA, { amount: 300 });
      expect(r.ok && r.value.balance.amount).to.equal(500 + 300);
      expect(keys).to.have.length(2);
      expect(keys[0])
        .to.match(/^client-/)
        .and.equal(keys[1]);
      const ledger = await api.core.getLedger(ADA, { limit: 1000 });
      expect(ledger.ok && ledger.value.filter((e) => e.reason === 'topup')).to.have.length(1);
    });

    it('sends the caller’s Idempotency-Key and actor', async () => {
      const client = new HttpChargingClient({ baseUrl: api.base, token: TEST_TOKEN });
      await client.topUp(ADA, { amount: 1 }, { idempotencyKey: 'wa-msg-123', actor: 'subscriber' });
      const ledger = await api.core.getLedger(ADA, { limit: 1 });
      expect(ledger.ok && ledger.value[0]).to.include({ idempotencyKey: 'wa-msg-123', actor: 'subscriber' });
    });

    it('polls the event feed only while it has listeners', async () => {
      const eventRequests: AbortSignal[] = [];
      const counting: typeof fetch = (input, init) => {
        if (String(input).includes('/events') && init?.signal) eventRequests.push(init.signal);
        return fetch(input, init);
      };
      const client = new HttpChargingClient({
        baseUrl: api.base,
        token: TEST_TOKEN,
        fetch: counting,
        eventWaitMs: 5000,
      });
      await client.getSubscriber(ADA);
      expect(eventRequests).to.have.length(0);
      const seen: ChargingEvent[] = [];
      const off = client.onEvent((e) => seen.push(e));
      const p = await client.createPayment(ADA, { purpose: { type: 'topup' }, amount: 100 });
      if (!p.ok) expect.fail(p.error.code);
      await client.settlePayment(p.value.id, { providerRef: 'r' });
      while (!seen.some((e) => e.type === 'payment.settled')) await new Promise((r) => setTimeout(r, 5));
      expect(eventRequests.length).to.be.greaterThan(0);
      off();
      expect(eventRequests[eventRequests.length - 1]!.aborted).to.equal(true);
    });
  });

  describe('GET /api/v1/events', () => {
    let api: ChargingApiServer;
    beforeEach(async () => {
      api = await startChargingApiServer({ eventLogCapacity: 3 });
      await api.call('POST', '/api/v1/subscribers', { msisdn: ADA, name: 'Ada', plan: 'prepaid' });
    });
    afterEach(() => api.close());

    const settleOne = async (n: number) => {
      const p = await api.call('POST', `/api/v1/subscribers/${encodeURIComponent(ADA)}/payments`, {
        purpose: { type: 'topup' },
        amount: 100 + n,
      });
      await api.call('POST', `/api/v1/payments/${p.body.id}/settle`, { providerRef: `r${n}` });
      return p.body.id as string;
    };

    it('starts at "now", long-polls for the next event, and reads forward from the cursor', async () => {
      const start = await api.call('GET', '/api/v1/events');
      expect(start.body).to.include({ missed: 0 });
      expect(start.body.events).to.deep.equal([]);
      const cursor = encodeURIComponent(String(start.body.next));
      const waiting = api.call('GET', `/api/v1/events?after=${cursor}&waitMs=10000`);
      const paymentId = await settleOne(1);
      const page = await waiting;
      const events = page.body.events as ChargingEvent[];
      expect(events.map((e) => e.id)).to.deep.equal([`payment.settled:${paymentId}`]);
      const empty = await api.call('GET', `/api/v1/events?after=${encodeURIComponent(String(page.body.next))}`);
      expect(empty.body.events).to.deep.equal([]);
      const bad = await api.call('GET', `/api/v1/events?after=${cursor}&waitMs=99999999`);
      expect([bad.status, bad.body.code]).to.deep.equal([400, 'REQUEST.INVALID']);
    });

    it('tells a reader that fell behind the bounded log how many events it missed', async () => {
      const start = String((await api.call('GET', '/api/v1/events')).body.next);
      for (let n = 1; n <= 5; n++) await settleOne(n);
      const page = await api.call('GET', `/api/v1/events?after=${encodeURIComponent(start)}`);
      expect(page.body.missed).to.equal(2);
      expect(page.body.events).to.have.length(3);
    });
  });

  describe('ChargingEventLog', () => {
    it('reads forward, reports what fell out, and restarts readers of another stream at the oldest event', async () => {
      const log = new ChargingEventLog(3);
      const head = log.head();
      for (let n = 1; n <= 5; n++) log.append(event(n));
      const behind = await log.read(head, 10);
      expect(behind.events.map((e) => e.id)).to.deep.equal(['e3', 'e4', 'e5']);
      expect(behind.missed).to.equal(2);
      const caughtUp = await log.read(behind.next, 10);
      expect(caughtUp).to.deep.include({ events: [], missed: 0, next: behind.next });
      const foreign = await log.read('0123456789ab.4', 2);
      expect(foreign.events.map((e) => e.id)).to.deep.equal(['e3', 'e4']);
      expect(foreign.missed).to.equal(0);
    });

    it('wakes a waiting reader on the next event, or when the reader goes away', async () => {
      const log = new ChargingEventLog(10);
      const waiting = log.read(log.head(), 10, 60_000);
      expect(log.pendingReaders).to.equal(1);
      log.append(event(1));
      expect((await waiting).events.map((e) => e.id)).to.deep.equal(['e1']);
      let leave: () => void = () => {};
      const gone = new Promise<void>((r) => {
        leave = r;
      });
      const abandoned = log.read(log.head(), 10, 60_000, gone);
      leave();
      expect((await abandoned).events).to.deep.equal([]);
      expect(log.pendingReaders).to.equal(0);
    });
  });
});
