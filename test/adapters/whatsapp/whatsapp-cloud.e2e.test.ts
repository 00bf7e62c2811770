import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { TurnContext } from 'botbuilder';
import { LowdbStorage } from '../../../adapters/store/lowdb/lowdb-storage.js';
import { GRAPH_ERRORS } from '../../helpers/fake-graph-api.js';
import {
  newWamid,
  postSignedWebhook,
  waButtonReplyWebhook,
  waImageWebhook,
  waListReplyWebhook,
  waStatusWebhook,
  waTemplateButtonWebhook,
  waTextWebhook,
} from '../../helpers/meta-signing.js';
import { type ChannelHarness, startChannelHarness, TEST_SECRETS } from './channel-harness.js';
import { ChannelTestBot } from './test-bot.js';

type Json = Record<string, unknown>;
const WA = '15550100001';
const sender = { waId: WA, phoneNumberId: TEST_SECRETS.phoneNumberId, name: 'Ada' };

describe('WhatsApp Cloud API channel (end to end through the server and a fake Graph API)', () => {
  let h: ChannelHarness;
  let bot: ChannelTestBot;
  const url = () => `${h.baseUrl}/webhooks/whatsapp`;
  const deliver = (body: unknown) => postSignedWebhook(url(), TEST_SECRETS.whatsappAppSecret, body);
  /** Posts a text and waits until its turn is done; returns the sends it caused. */
  const say = async (text: string, id?: string) => {
    const before = h.graph.messages('whatsapp').length;
    const res = await deliver(waTextWebhook({ ...sender, id }, text));
    expect(res.status).to.equal(200);
    await h.idle();
    return h.graph.messages('whatsapp').slice(before);
  };

  beforeEach(async () => {
    bot = new ChannelTestBot();
    h = await startChannelHarness({ bot });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers Meta verification with the challenge as plain text, and 403 for a wrong token', async () => {
    const ok = await fetch(
      `${url()}?hub.mode=subscribe&hub.verify_token=${TEST_SECRETS.whatsappVerifyToken}&hub.challenge=1158201444`,
    );
    expect(ok.status).to.equal(200);
    expect(ok.headers.get('content-type')).to.match(/^text\/plain/);
    expect(await ok.text()).to.equal('1158201444');
    const bad = await fetch(`${url()}?hub.mode=subscribe&hub.verify_token=nope&hub.challenge=1158201444`);
    expect(bad.status).to.equal(403);
  });

  it('answers a text question with one text reply to the sender, and marks the message read', async () => {
    const id = newWamid();
    const sent = await say('hi', id);
    expect(sent).to.have.length(1);
    expect(sent[0].authorization).to.equal(`Bearer ${TEST_SECRETS.whatsappAccessToken}`);
    expect(sent[0].path).to.equal(`/${TEST_SECRETS.phoneNumberId}/messages`);
    expect(sent[0].body).to.deep.equal({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: WA,
      type: 'text',
      text: { preview_url: false, body: 'Hello! How can I help?' },
    });
    const reads = h.graph.requests.filter((r) => r.kind === 'read');
    expect(reads.map((r) => r.body)).to.deep.equal([{ messaging_product: 'whatsapp', status: 'read', message_id: id }]);
  });

  it('gives the bot the identity proven by WhatsApp and the wamid as the activity id', async () => {
    const id = newWamid();
    const sent = await say('who am i', id);
    expect((sent[0].body.text as Json).body).to.equal(`verified +${WA}`);
    expect(bot.received[0].fromId).to.equal(WA);
    expect((bot.received[0].channelData as Json).identity).to.deep.equal({ msisdn: `+${WA}`, verifiedBy: 'whatsapp' });
  });

  it('renders 2 and 3 choices as reply buttons whose tap comes back as the choice value', async () => {
    const [buttons] = await say('two');
    const interactive = buttons.body.interactive as Json;
    expect(interactive.type).to.equal('button');
    expect((interactive.body as Json).text).to.equal('Confirm the swap?');
    expect((interactive.action as Json).buttons).to.deep.equal([
      { type: 'reply', reply: { id: 'swap:confirm:Q1', title: 'Yes' } },
      { type: 'reply', reply: { id: 'swap:cancel:Q1', title: 'No' } },
    ]);
    await deliver(waButtonReplyWebhook(sender, 'swap:confirm:Q1', 'Yes'));
    await h.idle();
    expect(bot.received.at(-1)?.text).to.equal('swap:confirm:Q1');

    const [three] = await say('three');
    const titles = (((three.body.interactive as Json).action as Json).buttons as { reply: { title: string } }[]).map(
      (b) => b.reply.title,
    );
    expect(titles).to.have.length(3);
    for (const t of titles) expect(Array.from(t).length).to.be.at.most(20);
  });

  it('renders 5 choices as a list whose row tap comes back as the choice value', async () => {
    const [list] = await say('five');
    const interactive = list.body.interactive as Json;
    expect(interactive.type).to.equal('list');
    const rows = ((interactive.action as Json).sections as Json[])[0].rows as { id: string; title: string }[];
    expect(rows.map((r) => r.id)).to.deep.equal(['five:1', 'five:2', 'five:3', 'five:4', 'five:5']);
    await deliver(waListReplyWebhook(sender, rows[3].id, rows[3].title));
    await h.idle();
    expect(bot.received.at(-1)?.text).to.equal('five:4');
  });

  it('renders 12 choices as numbered text, and a typed number maps back to the choice value', async () => {
    const [text] = await say('twelve');
    expect(text.body.type).to.equal('text');
    const body = (text.body.text as Json).body as string;
    expect(body).to.contain('1. twelve option number 1');
    expect(body).to.contain('12. twelve option number 12');
    await say('7');
    expect(bot.received.at(-1)?.text).to.equal('twelve:7');
  });

  it('sends an openUrl action as a link with a preview', async () => {
    const [text] = await say('link');
    expect(text.body.text).to.deep.equal({
      preview_url: true,
      body: 'Pay your bill here\n\nPay now: https://pay.example.test/pay/p1',
    });
  });

  it('passes a template quick-reply tap as its payload', async () => {
    await deliver(waTemplateButtonWebhook(sender, 'balance', 'Check balance'));
    await h.idle();
    expect(bot.received.at(-1)?.text).to.equal('balance');
  });

  it('answers media without text politely without running the bot; a caption is text', async () => {
    await deliver(waImageWebhook(sender));
    await h.idle();
    expect(bot.received).to.have.length(0);
    const sent = h.graph.messages('whatsapp');
    expect(sent).to.have.length(1);
    expect((sent[0].body.text as Json).body).to.match(/only read text/);
    await deliver(waImageWebhook(sender, 'hi'));
    await h.idle();
    expect(bot.received.map((r) => r.text)).to.deep.equal(['hi']);
  });

  it('removes card numbers from inbound text before the bot sees it', async () => {
    await say('my card is 4242 4242 4242 4242');
    expect(bot.received[0].text).to.not.contain('4242 4242');
    expect((bot.received[0].channelData as Json).cardNumberRedacted).to.equal(true);
  });

  it('answers a duplicate delivery of the same wamid once only', async () => {
    const body = waTextWebhook({ ...sender, id: newWamid() }, 'hi');
    const [a, b] = await Promise.all([deliver(body), deliver(body)]);
    expect([a.status, b.status]).to.deep.equal([200, 200]);
    await h.idle();
    expect((await deliver(body)).status).to.equal(200);
    await h.idle();
    expect(h.graph.messages('whatsapp')).to.have.length(1);
    expect(bot.received).to.have.length(1);
  });

  it('rejects a wrong or missing signature with 401 and processes nothing', async () => {
    const body = waTextWebhook(sender, 'hi');
    const wrong = await postSignedWebhook(url(), 'not-the-secret', body);
    const missing = await postSignedWebhook(url(), TEST_SECRETS.whatsappAppSecret, body, { signature: null });
    const tampered = await postSignedWebhook(url(), TEST_SECRETS.whatsappAppSecret, JSON.stringify(body), {
      signature: 'sha256=' + '0'.repeat(64),
    });
    expect([wrong.status, missing.status, tampered.status]).to.deep.equal([401, 401, 401]);
    await h.idle();
    expect(h.graph.requests).to.have.length(0);
    expect(bot.received).to.have.length(0);
  });

  it('handles status webhooks (delivered, failed) without sending anything or running the bot', async () => {
    await deliver(waStatusWebhook(sender, 'delivered'));
    await deliver(waStatusWebhook(sender, 'failed'));
    await h.idle();
    expect(h.graph.requests).to.have.length(0);
    expect(bot.received).to.have.length(0);
  });

  it('outside the 24-hour window sends the configured template, never free-form text', async () => {
    await say('hi');
    const reference = {
      ...TurnContext.getConversationReference({
        channelId: 'whatsapp',
        conversation: { id: WA, isGroup: false, conversationType: 'personal', name: '' },
        from: { id: WA, name: '' },
        recipient: { id: TEST_SECRETS.phoneNumberId, name: '' },
        serviceUrl: h.graph.url,
      }),
    };
    h.advance(25 * 3600 * 1000);
    await h.whatsapp.continueConversationAsync('', reference, async (context) => {
      await context.sendActivity('Your payment of 10.00 was received');
      await context.sendActivity('Anything else?');
    });
    const sent = h.graph.messages('whatsapp');
    expect(sent).to.have.length(2);
    expect(sent[1].body).to.deep.equal({
      messaging_product: 'whatsapp',
      recipient_type: 'individual',
      to: WA,
      type: 'template',
      template: { name: h.config.whatsapp.templates.reengage, language: { policy: 'deterministic', code: 'en_US' } },
    });
  });

  it('within the window, a proactive message is sent as is', async () => {
    await say('hi');
    h.advance(3600 * 1000);
    await h.whatsapp.continueConversationAsync(
      '',
      {
        channelId: 'whatsapp',
        conversation: { id: WA, isGroup: false, conversationType: 'personal', name: '' },
        user: { id: WA, name: '' },
        bot: { id: TEST_SECRETS.phoneNumberId, name: '' },
        serviceUrl: h.graph.url,
      },
      async (context) => {
        await context.sendActivity({ text: 'Payment received', channelData: { idempotencyKey: 'payment:p1' } });
        await context.sendActivity({ text: 'Payment received', channelData: { idempotencyKey: 'payment:p1' } });
      },
    );
    const sent = h.graph.messages('whatsapp');
    expect(sent.map((s) => (s.body.text as Json).body)).to.deep.equal(['Hello! How can I help?', 'Payment received']);
  });

  it('falls back to the template when Meta answers 131047 (re-engagement required)', async () => {
    h.graph.closeWindow(WA);
    await say('hi');
    const sends = h.graph.requests.filter((r) => r.kind === 'message');
    expect(sends.map((s) => [s.status, s.body.type])).to.deep.equal([
      [400, 'text'],
      [200, 'template'],
    ]);
  });

  it('retries a 5xx and a throughput limit, delivering the message exactly once', async () => {
    h.graph.failNext(1, GRAPH_ERRORS.serverError());
    h.graph.failNext(1, GRAPH_ERRORS.throughput());
    await say('hi');
    const sends = h.graph.requests.filter((r) => r.kind === 'message');
    expect(sends.map((s) => s.status)).to.deep.equal([500, 400, 200]);
    expect(h.graph.messages('whatsapp')).to.have.length(1);
  });

  it('does not retry an error Meta says will not succeed', async () => {
    h.graph.failNext(1, GRAPH_ERRORS.invalidParameter('bad'));
    await say('hi');
    expect(h.graph.requests.filter((r) => r.kind === 'message').map((s) => s.status)).to.deep.equal([400]);
  });

  it('ignores a redelivered message after a restart (dedup persisted in LowdbStorage files)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'wa-dedup-'));
    try {
      await h.close();
      const body = waTextWebhook({ ...sender, id: newWamid() }, 'hi');
      const storage1 = new LowdbStorage({ dir });
      const first = await startChannelHarness({ bot, storage: storage1 });
      await postSignedWebhook(`${first.baseUrl}/webhooks/whatsapp`, TEST_SECRETS.whatsappAppSecret, body);
      await first.idle();
      expect(first.graph.messages('whatsapp')).to.have.length(1);
      await first.close();
      await storage1.close();

      const storage2 = new LowdbStorage({ dir });
      h = await startChannelHarness({ bot, storage: storage2 });
      await postSignedWebhook(`${h.baseUrl}/webhooks/whatsapp`, TEST_SECRETS.whatsappAppSecret, body);
      await h.idle();
      expect(h.graph.requests).to.have.length(0);
      expect(bot.received).to.have.length(1);
      // A new message from the same subscriber is still answered after the restart.
      await postSignedWebhook(
        `${h.baseUrl}/webhooks/whatsapp`,
        TEST_SECRETS.whatsappAppSecret,
        waTextWebhook(sender, 'hi'),
      );
      await h.idle();
      expect(h.graph.messages('whatsapp')).to.have.length(1);
      await storage2.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
