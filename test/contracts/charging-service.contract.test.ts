import { createChargingCore } from '../../charging/core.js';
import { demoCatalog } from '../../charging/demo-catalog.js';
import { createMemoryChargingStore } from '../../charging/memory-store.js';
import { HttpChargingClient } from '../../adapters/charging-http/client.js';
import { startChargingApiServer, TEST_TOKEN } from '../adapters/charging-http/charging-api-server.js';
import { FixedClock } from '../helpers/fixed-clock.js';
import { chargingServiceContract } from './charging-service.contract.js';

chargingServiceContract('embedded core (memory store)', async () => {
  const clock = new FixedClock();
  const core = createChargingCore({ store: createMemoryChargingStore(), clock, catalog: demoCatalog });
  return { service: core, clock, close: () => core.close() };
});

chargingServiceContract('HttpChargingClient -> restify API -> embedded core', async () => {
  const server = await startChargingApiServer();
  const client = new HttpChargingClient({ baseUrl: server.base, token: TEST_TOKEN, eventWaitMs: 2_000 });
  return {
    service: client,
    clock: server.clock,
    close: async () => {
      client.close();
      await server.close();
    },
  };
});
