/**
 * A real restify server (bot/server.ts) on 127.0.0.1, port 0, with the charging API mounted over a real
 * embedded core: what the HTTP tests and the contract suite talk to.
 */
import { Agent, request } from 'node:http';
import { type ChargingCore, createChargingCore } from '../../../charging/core.js';
import { demoCatalog } from '../../../charging/demo-catalog.js';
import { createMemoryChargingStore } from '../../../charging/memory-store.js';
import type { ChargingStore } from '../../../charging/store.js';
import { registerChargingApi } from '../../../adapters/charging-http/api.js';
import { silentLogger } from '../../../bot/logger.js';
import { createHttpServer } from '../../../bot/server.js';
import { FixedClock } from '../../helpers/fixed-clock.js';

export const TEST_TOKEN = 'test-admin-token-0123456789';

export interface ChargingApiServer {
  base: string;
  core: ChargingCore;
  clock: FixedClock;
  /** One request with the bearer token and a JSON body (a string is sent as is); status and parsed body. */
  call(
    method: string,
    path: string,
    body?: unknown,
    headers?: Record<string, string>,
  ): Promise<{ status: number; body: Record<string, unknown> & { code?: string } }>;
  close(): Promise<void>;
}

export async function startChargingApiServer(
  opts: { store?: ChargingStore; clock?: FixedClock; adminToken?: string | null; eventLogCapacity?: number } = {},
): Promise<ChargingApiServer> {
  const clock = opts.clock ?? new FixedClock();
  const store = opts.store ?? createMemoryChargingStore();
  const core = await createChargingCore({ store, clock, catalog: demoCatalog });
  const server = createHttpServer({ logger: silentLogger, isReady: () => true });
  const adminToken = opts.adminToken === null ? undefined : (opts.adminToken ?? TEST_TOKEN);
  registerChargingApi(server, {
    charging: core,
    adminToken,
    logger: silentLogger,
    ...(opts.eventLogCapacity ? { eventLogCapacity: opts.eventLogCapacity } : {}),
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // Keep-alive sockets, at most 64: a burst of thousands of requests queues here instead of opening thousands
  // of connections at once (which overflows the listen backlog and gets connections reset).
  const agent = new Agent({ keepAlive: true, maxSockets: 64 });
  return {
    base,
    core,
    clock,
    call(method, path, body, headers = {}) {
      const payload = body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body);
      return new Promise((resolve, reject) => {
        const req = request(
          `${base}${path}`,
          {
            method,
            agent,
            headers: {
              Authorization: `Bearer ${TEST_TOKEN}`,
              ...(payload !== undefined
                ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) }
                : {}),
              ...headers,
            },
          },
          (res) => {
            const chunks: Buffer[] = [];
            res.on('data', (c: Buffer) => chunks.push(c));
            res.on('end', () => {
              const text = Buffer.concat(chunks).toString('utf8');
              resolve({ status: res.statusCode ?? 0, body: text ? JSON.parse(text) : {} });
            });
            res.on('error', reject);
          },
        );
        req.on('error', reject);
        req.end(payload);
      });
    },
    async close() {
      agent.destroy();
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.close();
    },
  };
}
