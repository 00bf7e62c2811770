/**
 * The agent desk end to end: a WhatsApp customer (signed Meta webhooks, fake Graph API) asks for a human, the
 * context card appears in the agent channel (fake Slack Web API), an agent claims it and talks to the customer
 * through the thread, grants goodwill through the real charging core, and resolves; signed Slack deliveries into
 * the running server's `/slack/events` drive every agent action.
 */
import { expect } from 'chai';
import { ANA, eventually, type Rig, startRig } from './handoff-rig.js';
import { grantSubmission } from '../../helpers/slack-signing.js';

function youtubeSessions(rig: Rig): Promise<number> {
  return rig.core.getSubscriber(ANA.msisdn).then((r) => {
    if (!r.ok) throw new Error(r.error.code);
    return r.value.buckets.filter((b) => b.app === 'youtube').reduce((sum, b) => sum + b.remainingValue, 0);
  });
}

function cardText(blocks: unknown[]): string {
  return JSON.stringify(blocks);
}

async function handoffIdOf(rig: Rig): Promise<string> {
  const c = rig.lastCase();
  const id = await rig.service.handoffIdOfCase(`${c.channel}/${c.ts}`);
  if (!id) throw new Error('no handoff for the case');
  return id;
}

describe('slack agent desk: end to end with a WhatsApp customer', function () {
  this.timeout(20_000);
  let rig: Rig;

  beforeEach(async () => {
    rig = await startRig();
  });

  afterEach(async () => {
    await rig.close();
  });

  it('escalates with the context card, relays both ways, grants once despite a retry, resolves with a rating', async () => {
    await rig.customerSays('hi there');
    expect(rig.whatsappTexts()).to.deep.equal(['Bot heard: hi there']);

    // The customer asks for a human: queued with an estimate, and the card opens in the agent channel.
    await rig.customerSays('agent');
    const texts = rig.whatsappTexts();
    expect(texts[texts.length - 1]).to.match(/number 1 in line.*about 3 minutes/);
    await eventually(() => rig.slack.callsOf('chat.postMessage').length >= 1, 'card posted');
    const opened = rig.slack.callsOf('chat.postMessage')[0];
    expect(opened.args.channel).to.equal('#agents');
    expect(opened.args.thread_ts).to.equal(undefined);
    const card = cardText(opened.args.blocks as unknown[]);
    expect(card).to.include('Ana');
    expect(card).to.include('+1555•••0001');
    expect(card).not.to.include('15550100001');
    expect(card).to.include('WhatsApp');
    expect(card).to.include('prepaid');
    expect(card).to.include('5.00 USD'); // balance
    expect(card).to.match(/YouTube[^"]*10 of 10/); // a bucket
    expect(card).to.include('Customer asked for a person');
    expect(card).to.include('very negative');
    expect(card).to.include('hi there'); // last turns: the customer
    expect(card).to.include('Bot heard: hi there'); // and the bot
    expect(card).to.include('handoff_claim');
    expect(card).to.include('handoff_resolve');
    expect(card).to.include('Open bill');
    expect(card).to.include('Recent payments');

    // While queued, the bot is silent and the customer's words reach the thread.
    await rig.customerSays('are you there?');
    const c = rig.lastCase();
    await eventually(
      () =>
        rig.slack
          .callsOf('chat.postMessage')
          .some((m) => m.args.thread_ts === c.ts && String(m.args.text).includes('are you there?')),
      'queued message relayed',
    );
    expect(rig.bot.heard).to.deep.equal(['hi there', 'agent']);

    // An agent claims it: the card says so and the customer is told.
    const handoffId = await handoffIdOf(rig);
    expect((await rig.click('handoff_claim', handoffId, 'UAGENT1')).status).to.equal(200);
    await eventually(() => rig.whatsappTexts().includes('An agent has joined the conversation.'), 'claim told');
    await eventually(
      () =>
        rig.slack.callsOf('chat.update').some((u) => cardText(u.args.blocks as unknown[]).includes('With <@UAGENT1>')),
      'card updated',
    );

    // The agent's thread reply reaches the customer on WhatsApp; the customer's reply reaches the thread.
    expect((await rig.agentReplies('UAGENT1', 'Hi Ana, I am Sam &amp; I can help')).status).to.equal(200);
    await eventually(() => rig.whatsappTexts().includes('Hi Ana, I am Sam & I can help'), 'agent reply delivered');
    await rig.customerSays('my youtube stopped working');
    await eventually(
      () =>
        rig.slack
          .callsOf('chat.postMessage')
          .some((m) => m.args.thread_ts === c.ts && String(m.args.text).includes('my youtube stopped working')),
      'customer reply relayed',
    );
    expect(rig.bot.heard).to.deep.equal(['hi there', 'agent']); // the bot stayed silent throughout

    // Goodwill: the modal opens from the button; the submission grants 5 YouTube sessions once, even redelivered.
    expect((await rig.click('handoff_grant', handoffId, 'UAGENT1')).status).to.equal(200);
    await eventually(() => rig.slack.callsOf('views.open').length === 1, 'modal opened');
    const modal = rig.slack.callsOf('views.open')[0].args.view as { callback_id: string; private_metadata: string };
    expect(modal.callback_id).to.equal('handoff_grant_submit');
    expect(modal.private_metadata).to.equal(handoffId);
    const before = await youtubeSessions(rig);
    const submission = grantSubmission({ user: 'UAGENT1', handoffId, what: 'app:youtube', quantity: '5' });
    expect((await rig.slackPost({ payload: submission })).status).to.equal(200);
    await eventually(async () => (await youtubeSessions(rig)) === before + 5, 'sessions granted');
    const retried = await rig.slackPost({ payload: submission }, { retryNum: 1 });
    expect(retried.status).to.equal(200);
    await eventually(
      () =>
        rig.slack.callsOf('chat.postMessage').some((m) => String(m.args.text).includes('granted 5 youtube sessions')),
      'grant confirmed in the thread',
    );
    expect(await youtubeSessions(rig)).to.equal(before + 5);
    const ledger = await rig.core.getLedger(ANA.msisdn, { limit: 50 });
    if (!ledger.ok) throw new Error(ledger.error.code);
    const grants = ledger.value.filter((e) => e.reason.includes('grant') || e.actor === 'agent:UAGENT1');
    expect(grants).to.have.length(1);
    expect(grants[0].actor).to.equal('agent:UAGENT1');
    expect(grants[0].delta).to.equal(5);
    expect(
      rig.slack.callsOf('chat.postMessage').filter((m) => String(m.args.text).includes('granted 5 youtube sessions')),
    ).to.have.length(1);

    // Resolve: the bot takes over, tells the customer and asks for a rating, which is stored with the handoff.
    expect((await rig.click('handoff_resolve', handoffId, 'UAGENT1')).status).to.equal(200);
    await eventually(() => rig.whatsappTexts().some((t) => t.includes('rate the help')), 'rating prompt');
    await rig.customerSays('4');
    await eventually(async () => (await rig.service.getHandoff(handoffId))?.rating === 4, 'rating stored');
    expect(rig.whatsappTexts()).to.include('Thank you for rating us 4 out of 5.');
    await eventually(
      () =>
        rig.slack.callsOf('chat.postMessage').some((m) => String(m.args.text).includes('rated this conversation 4')),
      'rating shown to the desk',
    );
    await rig.customerSays('thanks, bye');
    expect(rig.bot.heard).to.deep.equal(['hi there', 'agent', 'thanks, bye']);
    expect(rig.whatsappTexts()).to.include('Bot heard: thanks, bye');
  });

  it('an agent who did not claim cannot reply as the owner, nor act on the account', async () => {
    await rig.customerSays('agent');
    await eventually(() => rig.slack.callsOf('chat.postMessage').length >= 1, 'card posted');
    const handoffId = await handoffIdOf(rig);

    // Before anyone claims, a thread reply goes nowhere.
    await rig.agentReplies('UAGENT2', 'I am not the owner yet');
    await eventually(() => rig.slack.callsOf('chat.postEphemeral').length === 1, 'told to claim first');

    await rig.click('handoff_claim', handoffId, 'UAGENT1');
    await eventually(() => rig.whatsappTexts().includes('An agent has joined the conversation.'), 'claimed');
    const sentBefore = rig.whatsappTexts().length;

    await rig.agentReplies('UAGENT2', 'Let me answer instead');
    await eventually(() => rig.slack.callsOf('chat.postEphemeral').length === 2, 'non-owner told');
    const notice = rig.slack.callsOf('chat.postEphemeral')[1].args;
    expect(notice.user).to.equal('UAGENT2');
    expect(String(notice.text)).to.include('<@UAGENT1>');
    expect(notice.thread_ts).to.equal(rig.lastCase().ts);

    // A second claim by someone else is refused; so is their grant.
    await rig.click('handoff_claim', handoffId, 'UAGENT2');
    await eventually(() => rig.slack.callsOf('chat.postEphemeral').length === 3, 'second claim refused');
    const before = await youtubeSessions(rig);
    await rig.slackPost({
      payload: grantSubmission({ user: 'UAGENT2', handoffId, what: 'app:youtube', quantity: '5' }),
    });
    await eventually(() => rig.slack.callsOf('chat.postEphemeral').length === 4, 'grant refused');
    expect(await youtubeSessions(rig)).to.equal(before);
    expect((await rig.service.getHandoff(handoffId))?.agentId).to.equal('UAGENT1');
    expect(rig.whatsappTexts().length).to.equal(sentBefore); // nothing reached the customer
  });

  it('unsigned, wrongly signed or stale Slack requests answer 401 and do nothing', async () => {
    await rig.customerSays('agent');
    await eventually(() => rig.slack.callsOf('chat.postMessage').length >= 1, 'card posted');
    const handoffId = await handoffIdOf(rig);
    const c = rig.lastCase();
    const { blockAction } = await import('../../helpers/slack-signing.js');
    const claim = {
      payload: blockAction({
        actionId: 'handoff_claim',
        value: handoffId,
        user: 'UAGENT1',
        channel: c.channel,
        messageTs: c.ts,
      }),
    };
    const apiCallsBefore = rig.slack.calls.length;
    const sentBefore = rig.whatsappTexts().length;

    expect((await rig.slackPost(claim, { signature: null })).status).to.equal(401);
    expect((await rig.slackPost(claim, { signature: 'v0=' + '0'.repeat(64) })).status).to.equal(401);
    const stale = Math.floor(Date.now() / 1000) - 6 * 60;
    expect((await rig.slackPost(claim, { timestamp: stale })).status).to.equal(401);
    const urlCheck = await rig.slackPost({ json: { type: 'url_verification', challenge: 'abc' } }, { signature: null });
    expect(urlCheck.status).to.equal(401);

    // Give any wrongly started work the chance to show, then check nothing happened.
    const ok = await rig.slackPost({ json: { type: 'url_verification', token: 't', challenge: 'c123' } });
    expect(ok.status).to.equal(200);
    expect(JSON.parse(ok.text)).to.deep.equal({ challenge: 'c123' });
    expect(rig.slack.calls.length).to.equal(apiCallsBefore);
    expect(rig.whatsappTexts().length).to.equal(sentBefore);
    expect((await rig.service.getHandoff(handoffId))?.state).to.equal('queued');
  });

  it('a thread reply outside WhatsApp’s 24-hour window is sent as a template and the agent is told', async () => {
    await rig.close();
    let now = Date.now();
    rig = await startRig({ waNow: () => now });
    await rig.customerSays('agent');
    await eventually(() => rig.slack.callsOf('chat.postMessage').length >= 1, 'card posted');
    const handoffId = await handoffIdOf(rig);
    await rig.click('handoff_claim', handoffId, 'UAGENT1');
    await eventually(() => rig.whatsappTexts().includes('An agent has joined the conversation.'), 'claimed');

    now += 25 * 3600 * 1000;
    await rig.agentReplies('UAGENT1', 'Sorry for the wait, here is your answer');
    await eventually(() => rig.whatsappTexts().some((t) => t.startsWith('[template')), 'template sent');
    expect(rig.whatsappTexts()).not.to.include('Sorry for the wait, here is your answer');
    await eventually(
      () => rig.slack.callsOf('chat.postMessage').some((m) => String(m.args.text).includes('24-hour window')),
      'agent told about the window',
    );
  });
});
