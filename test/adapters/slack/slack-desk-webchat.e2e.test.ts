/**
 * The agent desk with a web chat customer: an identified visitor (signed identity token) talks over the
 * self-hosted Direct Line; the handoff, the relay both ways, the grant and resolve work as on WhatsApp.
 */
import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { signVisitorIdentity } from '../../../adapters/channels/webchat/visitor-identity.js';
import { grantSubmission } from '../../helpers/slack-signing.js';
import { call, type Conversation, postMessage, startConversation } from '../webchat/webchat-server.js';
import { ANA, eventually, type Rig, SECRETS, startRig } from './handoff-rig.js';

describe('slack agent desk: end to end with a web chat customer', function () {
  this.timeout(20_000);
  let rig: Rig;
  let conv: Conversation;

  /** Texts the bot (or an agent through it) sent to the visitor, in order. */
  async function visitorSees(): Promise<string[]> {
    const res = await call(rig.baseUrl, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
      token: conv.token,
    });
    const activities = (res.body.activities ?? []) as Partial<Activity>[];
    return activities
      .filter(
        (a) => a.type === 'message' && !(a.channelData as { clientActivityID?: string } | undefined)?.clientActivityID,
      )
      .map((a) => a.text ?? '');
  }

  async function say(text: string): Promise<void> {
    const res = await postMessage(rig.baseUrl, conv, text);
    expect(res.status).to.equal(200);
  }

  beforeEach(async () => {
    rig = await startRig();
    conv = await startConversation(
      rig.baseUrl,
      signVisitorIdentity(SECRETS.webchatIdentitySecret, ANA.msisdn, Date.now()),
    );
  });

  afterEach(async () => {
    await rig.close();
  });

  it('escalates, relays both ways, grants once, and hands back with a rating', async () => {
    await say('hello');
    await eventually(async () => (await visitorSees()).includes('Bot heard: hello'), 'bot answered');
    await say('agent');
    await eventually(async () => (await visitorSees()).some((t) => t.includes('in line')), 'queued');
    await eventually(() => rig.slack.callsOf('chat.postMessage').length >= 1, 'card posted');
    const c = rig.lastCase();
    const card = JSON.stringify(c.blocks);
    expect(card).to.include('Web chat');
    expect(card).to.include('+1555•••0001');
    expect(card).to.include('Ana');
    const handoffId = (await rig.service.handoffIdOfCase(`${c.channel}/${c.ts}`))!;

    await rig.click('handoff_claim', handoffId, 'UAGENT1');
    await eventually(async () => (await visitorSees()).includes('An agent has joined the conversation.'), 'claimed');
    await rig.agentReplies('UAGENT1', 'Hello from the agent');
    await eventually(async () => (await visitorSees()).includes('Hello from the agent'), 'agent reply delivered');
    await say('thanks, can I get some youtube?');
    await eventually(
      () =>
        rig.slack
          .callsOf('chat.postMessage')
          .some((m) => m.args.thread_ts === c.ts && String(m.args.text).includes('can I get some youtube?')),
      'visitor message relayed',
    );
    expect(rig.bot.heard).to.deep.equal(['hello', 'agent']);

    const before = await rig.core.getSubscriber(ANA.msisdn);
    if (!before.ok) throw new Error(before.error.code);
    const yt = (s: typeof before.value) =>
      s.buckets.filter((b) => b.app === 'youtube').reduce((n, b) => n + b.remainingValue, 0);
    const submission = grantSubmission({ user: 'UAGENT1', handoffId, what: 'app:youtube', quantity: '5' });
    await rig.slackPost({ payload: submission });
    await rig.slackPost({ payload: submission }, { retryNum: 1 });
    await eventually(
      () =>
        rig.slack.callsOf('chat.postMessage').some((m) => String(m.args.text).includes('granted 5 youtube sessions')),
      'grant confirmed',
    );
    const after = await rig.core.getSubscriber(ANA.msisdn);
    if (!after.ok) throw new Error(after.error.code);
    expect(yt(after.value)).to.equal(yt(before.value) + 5);

    await rig.click('handoff_resolve', handoffId, 'UAGENT1');
    await eventually(async () => (await visitorSees()).some((t) => t.includes('rate the help')), 'rating prompt');
    await say('5');
    await eventually(async () => (await rig.service.getHandoff(handoffId))?.rating === 5, 'rating stored');
    await say('what is my balance');
    await eventually(async () => (await visitorSees()).includes('Bot heard: what is my balance'), 'bot is back');
    expect(rig.bot.heard).to.deep.equal(['hello', 'agent', 'what is my balance']);
  });
});
