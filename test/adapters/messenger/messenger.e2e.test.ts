import { expect } from 'chai';
import { configureMessengerProfile } from '../../../adapters/channels/messenger/messenger-profile.js';
import { silentLogger } from '../../../bot/logger.js';
import { GRAPH_ERRORS } from '../../helpers/fake-graph-api.js';
import {
  messengerEchoWebhook,
  messengerPostbackWebhook,
  messengerQuickReplyWebhook,
  messengerStandbyWebhook,
  messengerTextWebhook,
  newMid,
  postSignedWebhook,
} from '../../helpers/meta-signing.js';
import { type ChannelHarness, startChannelHarness, TEST_SECRETS } from '../whatsapp/channel-harness.js';
import { ChannelTestBot } from '../whatsapp/test-bot.js';

type Json = Record<string, unknown>;
const PSID = '6958371264207381';
const user = { psid: PSID, pageId: '106008728123456' };
const reference = {
  channelId: 'messenger',
  conversation: { id: PSID, isGroup: false, conversationType: 'personal', name: '' },
  user: { id: PSID, name: '' },
  bot: { id: '106008728123456', name: '' },
  serviceUrl: 'http://unused',
};

describe('Messenger channel (end to end through the server and a fake Graph API)', () => {
  let h: ChannelHarness;
  let bot: ChannelTestBot;
  const url = () => `${h.baseUrl}/webhooks/messenger`;
  const deliver = async (body: unknown) => {
    const res = await postSignedWebhook(url(), TEST_SECRETS.messengerAppSecret, body);
    await h.idle();
    return res;
  };

  beforeEach(async () => {
    bot = new ChannelTestBot();
    h = await startChannelHarness({ bot });
  });
  afterEach(async () => {
    await h.close();
  });

  it('answers the verification handshake and rejects a wrong token', async () => {
    const ok = await fetch(
      `${url()}?hub.mode=subscribe&hub.verify_token=${TEST_SECRETS.messengerVerifyToken}&hub.challenge=42`,
    );
    expect([ok.status, await ok.text()]).to.deep.equal([200, '42']);
    const bad = await fetch(`${url()}?hub.mode=subscribe&hub.verify_token=x&hub.challenge=42`);
    expect(bad.status).to.equal(403);
  });

  it('answers a message as RESPONSE to the PSID, with no identity for the bot', async () => {
    expect((await deliver(messengerTextWebhook(user, 'who am i'))).status).to.equal(200);
    const sent = h.graph.messages('messenger');
    expect(sent).to.have.length(1);
    expect(sent[0].authorization).to.equal(`Bearer ${TEST_SECRETS.pageAccessToken}`);
    expect(sent[0].body).to.deep.equal({
      recipient: { id: PSID },
      messaging_type: 'RESPONSE',
      message: { text: 'not verified' },
    });
  });

  it('renders choices as quick replies whose tap comes back as the choice value', async () => {
    await deliver(messengerTextWebhook(user, 'two'));
    const [qr] = h.graph.messages('messenger');
    expect(qr.body.message).to.deep.equal({
      text: 'Confirm the swap?',
      quick_replies: [
        { content_type: 'text', title: 'Yes', payload: 'swap:confirm:Q1' },
        { content_type: 'text', title: 'No', payload: 'swap:cancel:Q1' },
      ],
    });
    await deliver(messengerQuickReplyWebhook(user, 'swap:confirm:Q1', 'Yes'));
    expect(bot.received.at(-1)?.text).to.equal('swap:confirm:Q1');
  });

  it('renders 12 choices as 12 quick replies (titles cut to 20) and 14 as numbered text', async () => {
    await deliver(messengerTextWebhook(user, 'twelve'));
    const quick = (h.graph.messages('messenger')[0].body.message as Json).quick_replies as { title: string }[];
    expect(quick).to.have.length(12);
    for (const q of quick) expect(Array.from(q.title).length).to.be.at.most(20);
    await deliver(messengerTextWebhook(user, 'fourteen'));
    const numbered = h.graph.messages('messenger')[1].body.message as Json;
    expect(numbered.quick_replies).to.equal(undefined);
    expect(numbered.text).to.contain('14. fourteen option number 14');
    await deliver(messengerTextWebhook(user, '14'));
    expect(bot.received.at(-1)?.text).to.equal('fourteen:14');
  });

  it('sends an openUrl action as a button template with a web_url button', async () => {
    await deliver(messengerTextWebhook(user, 'link'));
    expect(h.graph.messages('messenger')[0].body.message).to.deep.equal({
      attachment: {
        type: 'template',
        payload: {
          template_type: 'button',
          text: 'Pay your bill here',
          buttons: [{ type: 'web_url', url: 'https://pay.example.test/pay/p1', title: 'Pay now' }],
        },
      },
    });
  });

  it('passes a postback payload (Get Started, menu) as the text', async () => {
    await deliver(messengerPostbackWebhook(user, 'GET_STARTED', 'Get Started'));
    expect(bot.received.map((r) => r.text)).to.deep.equal(['GET_STARTED']);
    expect(h.graph.messages('messenger')).to.have.length(1);
  });

  it('ignores echoes of our own messages and standby events', async () => {
    await deliver(messengerEchoWebhook(user, 'hello'));
    await deliver(messengerStandbyWebhook(user, 'is anyone there?'));
    expect(bot.received).to.have.length(0);
    expect(h.graph.requests).to.have.length(0);
  });

  it('answers a duplicate mid once, and rejects a bad signature with 401', async () => {
    const body = messengerTextWebhook({ ...user, mid: newMid() }, 'hi');
    await deliver(body);
    await deliver(body);
    expect(h.graph.messages('messenger')).to.have.length(1);
    const bad = await postSignedWebhook(url(), 'wrong', messengerTextWebhook(user, 'hi'));
    expect(bad.status).to.equal(401);
    await h.idle();
    expect(bot.received).to.have.length(1);
  });

  it('sends proactive messages as UPDATE within 24 hours', async () => {
    await deliver(messengerTextWebhook(user, 'hi'));
    h.advance(2 * 3600 * 1000);
    await h.messenger.continueConversationAsync('', reference, async (ctx) => {
      await ctx.sendActivity('Your payment was received');
    });
    expect(h.graph.messages('messenger')[1].body).to.deep.equal({
      recipient: { id: PSID },
      messaging_type: 'UPDATE',
      message: { text: 'Your payment was received' },
    });
  });

  it('outside 24 hours sends only an agent reply, tagged HUMAN_AGENT; anything else is not sent', async () => {
    await deliver(messengerTextWebhook(user, 'hi'));
    h.advance(30 * 3600 * 1000);
    await h.messenger.continueConversationAsync('', reference, async (ctx) => {
      await ctx.sendActivity('An automated reminder');
      await ctx.sendActivity({ text: 'Agent here, sorry for the wait', channelData: { humanAgent: true } });
    });
    const sent = h.graph.messages('messenger');
    expect(sent).to.have.length(2);
    expect(sent[1].body).to.deep.equal({
      recipient: { id: PSID },
      messaging_type: 'MESSAGE_TAG',
      tag: 'HUMAN_AGENT',
      message: { text: 'Agent here, sorry for the wait' },
    });
  });

  it('retries a 5xx once and delivers one message', async () => {
    h.graph.failNext(1, { ...GRAPH_ERRORS.serverError(), channel: 'messenger' });
    await deliver(messengerTextWebhook(user, 'hi'));
    expect(h.graph.requests.filter((r) => r.channel === 'messenger').map((r) => r.status)).to.deep.equal([500, 200]);
  });

  it('sets the Get Started button and a persistent menu through the Graph API', async () => {
    const result = await configureMessengerProfile({
      config: h.config,
      logger: silentLogger,
      profile: {
        getStartedPayload: 'GET_STARTED',
        persistentMenu: [
          { title: 'My balance', payload: 'balance' },
          { title: 'Pay my bill', url: 'https://example.test/pay' },
        ],
      },
    });
    expect(result).to.deep.equal({ ok: true });
    const [call] = h.graph.requests.filter((r) => r.kind === 'profile');
    expect(call.body).to.deep.equal({
      get_started: { payload: 'GET_STARTED' },
      persistent_menu: [
        {
          locale: 'default',
          composer_input_disabled: false,
          call_to_actions: [
            { type: 'postback', title: 'My balance', payload: 'balance' },
            { type: 'web_url', title: 'Pay my bill', url: 'https://example.test/pay' },
          ],
        },
      ],
    });
  });
});
