/**
 * A real restify server (bot/server.ts) on 127.0.0.1, port 0, with the charging API mounted over a real
 * embedded core: what the HTTP tests and the contract suite talk to.
 */
import { createChargingCore } from '../../../charging/core.js';
import { demoCatalog } from '../../../charging/demo-catalog.js';
import { createMemoryChargingStore } from '../../../charging/memory-store.js';
import type { ChargingStore } from '../../../charging/store.js';
import type { ChargingService } from '../../../charging/ports.js';
import { registerChargingApi } from '../../../adapters/charging-http/api.js';
import { silentLogger } from '../../../bot/logger.js';
import { createHttpServer } from '../../../bot/server.js';
import { FixedClock } from '../../helpers/fixed-clock.js';

export const TEST_TOKEN = 'test-admin-token-0123456789';

export interface ChargingApiServer {
  base: string;
  core: ChargingService;
  clock: FixedClock;
  /** fetch with the bearer token and JSON body; returns status and parsed body. */
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
  return {
    base,
    core,
    clock,
    async call(method, path, body, headers = {}) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: {
          Authorization: `Bearer ${TEST_TOKEN}`,
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: typeof body === 'string' ? body : JSON.stringify(body) } : {}),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : {} };
    },
    async close() {
      server.server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await core.close();
    },
  };
}
