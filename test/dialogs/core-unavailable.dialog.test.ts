import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { registerChargingApi } from '../../adapters/charging-http/api.js';
import { HttpChargingClient } from '../../adapters/charging-http/client.js';
import { silentLogger } from '../../bot/logger.js';
import { createHttpServer } from '../../bot/server.js';
import { ANA, BEN, createHarness, demoCore, play, textOf } from '../helpers/bot-harness.js';

/**
 * The core behind its real HTTP API, and the bot on the real remote client: stopping the server is a real
 * outage (`CHARGING.UNAVAILABLE`), not a fake.
 */
async function remoteCore() {
  const core = await demoCore();
  const server = createHttpServer({ logger: silentLogger, isReady: () => true });
  registerChargingApi(server, { charging: core, adminToken: 'test-admin', logger: silentLogger });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const client = new HttpChargingClient({
    baseUrl: `http://127.0.0.1:${port}`,
    token: 'test-admin',
    retries: 0,
    timeoutMs: 2000,
  });
  const stop = () => new Promise<void>((resolve) => server.close(() => resolve()));
  return { core, client, stop };
}

describe('dialogs when the charging core is unavailable', () => {
  for (const channelId of ['whatsapp', 'webchat'] as const) {
    it(`on ${channelId}: says so and charges nothing`, async () => {
      const remote = await remoteCore();
      try {
        const h = await createHarness({ channelId, msisdn: ANA, core: remote.core, charging: remote.client });
        await play(h, [
          ['what is my balance', /Credit: \$5\.00/],
          ['swap 10 fb for yt', /Shall I do it/],
        ]);
        await remote.stop();
        await play(h, [
          ['yes', /can't reach our account system right now/],
          ['my bill', /can't reach our account system/],
          ['top up 10', /can't reach our account system/],
        ]);
        const ledger = await remote.core.getLedger(ANA, { limit: 500 });
        expect(ledger.ok && ledger.value.filter((e) => e.reason.startsWith('swap'))).to.deep.equal([]);
      } finally {
        await remote.stop().catch(() => undefined);
      }
    });
  }

  it('an anonymous visitor cannot verify while the core is down, and is told why', async () => {
    const remote = await remoteCore();
    await remote.stop();
    const h = await createHarness({ channelId: 'messenger', core: remote.core, charging: remote.client });
    await play(h, [
      ['show my bill', /mobile number/],
      [BEN, /can't reach our account system/],
    ]);
    expect(await h.outbox.list(BEN)).to.deep.equal([]);
    expect(textOf(await h.say('hello'))).to.match(/^Hi!/);
  });
});
