import type { AddressInfo } from 'node:net';
import type { Activity } from 'botbuilder';
import { MemoryStorage } from 'botbuilder';
import { expect } from 'chai';
import type { Server } from 'restify';
import { OutboxSmsSender } from '../../adapters/sms/outbox/outbox-sms-sender.js';
import { registerOutboxRoute } from '../../adapters/sms/outbox/outbox.route.js';
import { createBotApp } from '../../bot/app.js';
import { registerBotFrameworkEndpoint } from '../../bot/bot-framework.endpoint.js';
import { type Config, loadConfig } from '../../bot/config.js';
import { silentLogger } from '../../bot/logger.js';
import { createHttpServer } from '../../bot/server.js';
import type { ChargingCore } from '../../charging/core.js';
import { ANA, BEN, demoCore, EVE, sharedRecognizer } from '../helpers/bot-harness.js';

const ADMIN = 'admin-test-token';

interface Running {
  base: string;
  core: ChargingCore;
  server: Server;
}

async function start(config: Config): Promise<Running> {
  const core = await demoCore();
  const storage = new MemoryStorage();
  const outbox = new OutboxSmsSender(storage, core.clock);
  const app = await createBotApp({
    charging: core,
    recognizer: await sharedRecognizer(),
    storage,
    sms: outbox,
    config,
    logger: silentLogger,
    clock: core.clock,
  });
  const server = createHttpServer({ logger: silentLogger, isReady: () => true });
  registerBotFrameworkEndpoint(server, { bot: app.bot, config, logger: silentLogger, onTurnError: app.onTurnError });
  registerOutboxRoute(server, { outbox, adminToken: config.adminToken });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { base: `http://127.0.0.1:${port}`, core, server };
}

/** One user of one conversation, talking through POST /api/messages with deliveryMode expectReplies. */
function conversation(base: string, user: string) {
  let n = 0;
  return async (
    text: string,
    extra: Partial<Activity> = {},
  ): Promise<{ text: string; replies: Partial<Activity>[] }> => {
    const res = await fetch(`${base}/api/messages`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({
        type: 'message',
        id: `${user}-${++n}`,
        channelId: 'emulator',
        serviceUrl: 'http://127.0.0.1:1',
        deliveryMode: 'expectReplies',
        from: { id: user, name: user },
        recipient: { id: 'bot', name: 'bot' },
        conversation: { id: `conv-${user}` },
        text,
        ...extra,
      }),
    });
    expect(res.status, await res.clone().text()).to.equal(200);
    const replies = ((await res.json()) as { activities: Partial<Activity>[] }).activities;
    return {
      text: replies
        .filter((r) => r.type === 'message')
        .map((r) => r.text)
        .join('\n'),
      replies,
    };
  };
}

async function codeFor(base: string, msisdn: string): Promise<string> {
  const res = await fetch(`${base}/api/v1/outbox?msisdn=${encodeURIComponent(msisdn)}`, {
    headers: { Authorization: `Bearer ${ADMIN}` },
  });
  expect(res.status).to.equal(200);
  const { messages } = (await res.json()) as { messages: { text: string }[] };
  const code = messages.at(-1)?.text.match(/\b(\d{6})\b/)?.[1];
  if (!code) throw new Error('no code in the outbox');
  return code;
}

async function signIn(base: string, say: ReturnType<typeof conversation>, msisdn: string, first: string) {
  expect((await say(first)).text).to.match(/mobile number/);
  expect((await say(msisdn)).text).to.match(/code is on its way/);
  return say(await codeFor(base, msisdn));
}

describe('POST /api/messages end to end (CloudAdapter, embedded core, demo data)', () => {
  let running: Running;
  before(async () => {
    running = await start({ ...loadConfig({}), adminToken: ADMIN, publicUrl: 'http://pay.example.test' });
  });
  after(() => new Promise<void>((resolve) => running.server.close(() => resolve())));

  it('a prepaid subscriber: identity by code, balances, swap with undo, add-on, offers, top-up, help, fallback', async () => {
    const { base, core } = running;
    const say = conversation(base, 'ana-emulator');
    expect((await signIn(base, say, ANA, 'what is my balance')).text).to.match(/Thanks, Ana[\s\S]*Credit: \$5\.00/);
    expect((await say('how many youtube sessions do I have')).text).to.equal(
      'YouTube sessions: 10 left, expires in 25 days',
    );
    expect((await say('swap 10 fb for yt')).text).to.match(/rate 2:1/);
    expect((await say('yes')).text).to.match(/You now have 90 Facebook and 15 YouTube sessions/);
    expect((await say('yes')).text).to.match(/already done/);
    expect((await say('undo')).text).to.match(/Undone/);
    expect((await say('show me offers')).text).to.match(/Based on how you use your plan|fits how you use it/);
    expect((await say('cancel')).text).to.match(/cancel/i);
    expect((await say('buy the data add-on')).text).to.match(/Data 1 GB costs \$5\.00/);
    expect((await say('yes')).text).to.match(/Data 1 GB is active\. Your credit is now \$0\.00/);
    const topUp = await say('top up 10 dollars');
    expect(topUp.text).to.match(/http:\/\/pay\.example\.test\/pay\/pay_/);
    expect(topUp.replies.flatMap((r) => r.suggestedActions?.actions ?? []).map((a) => a.type)).to.include('openUrl');
    expect((await say('help')).text).to.match(/Here is what I can do/);
    expect((await say('thank you')).text).to.match(/welcome/);
    expect((await say('what is the capital of france')).text).to.match(/didn't get that/);
    expect((await say('tell me a joke about penguins')).text).to.match(/ask a person/);
    const human = await say('yes');
    expect(human.text).to.match(/asking one of our people/);
    expect(human.replies.some((r) => r.type === 'event' && r.name === 'handoff.initiate')).to.equal(true);
    const sub = await core.getSubscriber(ANA);
    expect(
      sub.ok && sub.value.buckets.filter((b) => b.app === 'facebook').reduce((s, b) => s + b.remainingValue, 0),
    ).to.equal(100);
  });

  it('a postpaid subscriber: bill status, explanation, payment link, credit limit', async () => {
    const { base, core } = running;
    const say = conversation(base, 'ben-emulator');
    expect((await signIn(base, say, BEN, 'my bill')).text).to.match(/Your bill is \$55\.55, due on March 13/);
    expect((await say('why is my bill so high')).text).to.match(/last time it was \$33\.00/);
    const pay = await say('pay my bill');
    const id = pay.text.match(/\/pay\/(pay_[\w-]+)/)?.[1];
    expect(id).to.be.a('string');
    const payment = await core.getPayment(id!);
    expect(payment.ok && payment.value.amount.amount).to.equal(5555);
    expect((await say('raise my credit limit to 200')).text).to.match(/credit limit is now \$200\.00/);
    expect((await say('goodbye')).text).to.match(/Goodbye/);
  });

  it('a streaming-heavy subscriber is offered the streaming add-on and buys it with one tap', async () => {
    const { base } = running;
    const say = conversation(base, 'eve-emulator');
    const offers = await signIn(base, say, EVE, 'offers for me');
    expect(offers.text).to.match(/You watch a lot of YouTube/);
    const tap = offers.replies
      .flatMap((r) => r.suggestedActions?.actions ?? [])
      .find((a) => a.title === 'Buy Streaming Pass');
    expect((await say(String(tap?.value))).text).to.match(/Streaming Pass is active/);
  });

  it('ignores an identity that the sender put in channelData (only channel adapters vouch for numbers)', async () => {
    const say = conversation(running.base, 'forger');
    const r = await say('what is my balance', { channelData: { identity: { msisdn: ANA, verifiedBy: 'whatsapp' } } });
    expect(r.text).to.match(/mobile number/);
    expect(r.text).not.to.match(/\$/);
  });

  it('the outbox route needs the admin token', async () => {
    const none = await fetch(`${running.base}/api/v1/outbox?msisdn=${encodeURIComponent(ANA)}`);
    expect(none.status).to.equal(401);
    const wrong = await fetch(`${running.base}/api/v1/outbox?msisdn=${encodeURIComponent(ANA)}`, {
      headers: { Authorization: 'Bearer nope' },
    });
    expect(wrong.status).to.equal(401);
    const bad = await fetch(`${running.base}/api/v1/outbox?msisdn=abc`, {
      headers: { Authorization: `Bearer ${ADMIN}` },
    });
    expect(bad.status).to.equal(400);
  });

  it('with a MicrosoftAppId set, an unauthenticated request is refused with 401', async () => {
    const base = loadConfig({});
    const secured = await start({
      ...base,
      microsoftApp: { ...base.microsoftApp, appId: 'app-id', appPassword: 'pw' },
    });
    try {
      const res = await fetch(`${secured.base}/api/messages`, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({
          type: 'message',
          text: 'hi',
          channelId: 'emulator',
          serviceUrl: 'http://127.0.0.1:1',
          conversation: { id: 'c' },
          from: { id: 'u' },
          recipient: { id: 'b' },
        }),
      });
      expect(res.status).to.equal(401);
    } finally {
      await new Promise<void>((resolve) => secured.server.close(() => resolve()));
    }
  });
});
