/**
 * `POST /api/messages` is open when no Microsoft app id is set (local, Emulator): a caller must not be able
 * to claim a subscriber's number through `channelData.identity`, which only in-process adapters may set.
 */
import { ActivityHandler } from 'botbuilder';
import { expect } from 'chai';
import { registerBotFrameworkEndpoint } from '../../bot/bot-framework.endpoint.js';
import { loadConfig } from '../../bot/config.js';
import { silentLogger } from '../../bot/logger.js';
import { createHttpServer } from '../../bot/server.js';
import { channelIdentityOf } from '../../bot/telco-bot.js';

describe('POST /api/messages identity', () => {
  const server = createHttpServer({ logger: silentLogger, isReady: () => true });
  let base = '';

  before(async () => {
    const bot = new ActivityHandler();
    bot.onMessage(async (context, next) => {
      const identity = channelIdentityOf(context.activity);
      await context.sendActivity(identity ? `identified as ${identity.msisdn}` : 'anonymous');
      await next();
    });
    registerBotFrameworkEndpoint(server, { bot, config: loadConfig({}), logger: silentLogger });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  });
  after(() => server.close());

  it('drops a client-claimed identity before the bot runs', async () => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: 'm1',
        text: 'my balance',
        channelId: 'emulator',
        serviceUrl: 'http://127.0.0.1:1',
        deliveryMode: 'expectReplies',
        from: { id: 'attacker' },
        recipient: { id: 'bot' },
        conversation: { id: 'c1' },
        channelData: { identity: { msisdn: '+15550100001', verifiedBy: 'whatsapp' } },
      }),
    });
    expect(res.status).to.equal(200);
    const body = (await res.json()) as { activities: { text?: string }[] };
    expect(body.activities.map((a) => a.text)).to.deep.equal(['anonymous']);
  });
});
