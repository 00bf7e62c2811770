/**
 * The handoff's life beyond the happy path, through the running server: a restart while an agent owns the
 * conversation (lowdb files in a temp dir), the queue timeout offering a call back (fixed clock), and an agent
 * approving a pending credit-limit request from the card.
 */
import { expect } from 'chai';
import { LowdbStorage } from '../../../adapters/store/lowdb/lowdb-storage.js';
import { createChargingCore } from '../../../charging/core.js';
import { seedDemo } from '../../../charging/demo.js';
import { createMemoryChargingStore } from '../../../charging/memory-store.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { startFakeGraphApi } from '../../helpers/fake-graph-api.js';
import { startFakeSlackApi } from '../../helpers/fake-slack-api.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { ANA, eventually, SECRETS, startRig } from './handoff-rig.js';

const BEN = { waId: '15550100002', msisdn: '+15550100002' } as const;

describe('handoff lifecycle: restart, queue timeout, credit-limit decision', function () {
  this.timeout(20_000);

  it('a conversation with an agent is still with that agent after a restart', async () => {
    const dir = tempDir('handoff-restart-');
    const graph = await startFakeGraphApi({
      whatsapp: { accessToken: SECRETS.waAccessToken, phoneNumberId: SECRETS.phoneNumberId },
    });
    const slack = await startFakeSlackApi({ token: SECRETS.slackToken });
    const core = createChargingCore({ store: createMemoryChargingStore() });
    await seedDemo(core);
    try {
      let storage = new LowdbStorage({ dir: dir.path });
      let rig = await startRig({ storage, core, graph, slack });
      await rig.customerSays('agent');
      await eventually(() => slack.callsOf('chat.postMessage').length >= 1, 'card posted');
      const c = rig.lastCase();
      const handoffId = (await rig.service.handoffIdOfCase(`${c.channel}/${c.ts}`))!;
      await rig.click('handoff_claim', handoffId, 'UAGENT1');
      await eventually(() => rig.whatsappTexts().includes('An agent has joined the conversation.'), 'claimed');
      await rig.close();
      await storage.close();

      // A new process: new storage object on the same files, new service, new server.
      storage = new LowdbStorage({ dir: dir.path });
      rig = await startRig({ storage, core, graph, slack });
      const heardBefore = rig.bot.heard.length;
      await rig.customerSays('still there?');
      await eventually(
        () =>
          slack
            .callsOf('chat.postMessage')
            .some((m) => m.args.thread_ts === c.ts && String(m.args.text).includes('still there?')),
        'customer message relayed after restart',
      );
      expect(rig.bot.heard.length).to.equal(heardBefore); // the bot stayed silent
      await rig.agentReplies('UAGENT1', 'Yes, still here');
      await eventually(() => rig.whatsappTexts().includes('Yes, still here'), 'owner reply delivered after restart');
      await rig.agentReplies('UAGENT2', 'me too');
      await eventually(() => slack.callsOf('chat.postEphemeral').length === 1, 'non-owner refused after restart');
      expect(rig.whatsappTexts()).not.to.include('me too');
      expect((await rig.service.getHandoff(handoffId))?.agentId).to.equal('UAGENT1');
      await rig.close();
      await storage.close();
    } finally {
      await graph.close();
      await slack.close();
      dir.remove();
    }
  });

  it('nobody claims in time: the customer is offered a call back, the card says so, their message is kept', async () => {
    const clock = new FixedClock(new Date());
    const rig = await startRig({ clock, queueTimeoutSeconds: 120 });
    try {
      await rig.customerSays('agent');
      await eventually(() => rig.slack.callsOf('chat.postMessage').length >= 1, 'card posted');
      const c = rig.lastCase();
      const handoffId = (await rig.service.handoffIdOfCase(`${c.channel}/${c.ts}`))!;

      clock.advance(119_000);
      expect(await rig.service.checkQueueTimeouts()).to.equal(0);
      clock.advance(2_000);
      expect(await rig.service.checkQueueTimeouts()).to.equal(1);
      expect(await rig.service.checkQueueTimeouts()).to.equal(0); // offered once
      expect(rig.whatsappTexts().filter((t) => t.includes("we'll call you back"))).to.have.length(1);
      const updates = rig.slack.callsOf('chat.update');
      expect(JSON.stringify(updates[updates.length - 1].args.blocks)).to.include('call back offered');

      await rig.customerSays('Please call me after 5pm about my bill');
      const record = await rig.service.getHandoff(handoffId);
      expect(record?.state).to.equal('callback');
      expect(record?.callbackMessage).to.equal('Please call me after 5pm about my bill');
      await eventually(
        () =>
          rig.slack
            .callsOf('chat.postMessage')
            .some((m) => String(m.args.text).includes('Call-back message: Please call me')),
        'call-back message in the thread',
      );
      expect(rig.bot.heard).to.deep.equal(['agent']);

      // The bot talks again; the case stays open for an agent to call back.
      await rig.customerSays('balance');
      expect(rig.bot.heard).to.deep.equal(['agent', 'balance']);
    } finally {
      await rig.close();
    }
  });

  it('an agent approves a pending credit-limit request from the card; a retried click applies once', async () => {
    const rig = await startRig();
    try {
      const asked = await rig.core.requestCreditLimit(BEN.msisdn, { amount: 40_000 });
      if (!asked.ok) throw new Error(asked.error.code);
      expect(asked.value.status).to.equal('pending');
      await rig.customerSays('agent', BEN);
      await eventually(() => rig.slack.callsOf('chat.postMessage').length >= 1, 'card posted');
      const c = rig.lastCase();
      const card = JSON.stringify(c.blocks);
      expect(card).to.include('Pending credit-limit request');
      expect(card).to.include('handoff_credit_limit_approve');
      expect(card).to.include('+1555•••0002');
      const handoffId = (await rig.service.handoffIdOfCase(`${c.channel}/${c.ts}`))!;
      await rig.click('handoff_claim', handoffId, 'UAGENT1');
      await eventually(() => rig.whatsappTexts(BEN.waId).includes('An agent has joined the conversation.'), 'claimed');

      const value = `${handoffId}|${asked.value.id}`;
      expect((await rig.click('handoff_credit_limit_approve', value, 'UAGENT1', '1700001234.000001')).status).to.equal(
        200,
      );
      expect(
        (
          await rig.slackPost(
            {
              payload: (
                await import('../../helpers/slack-signing.js')
              ).blockAction({
                actionId: 'handoff_credit_limit_approve',
                value,
                user: 'UAGENT1',
                channel: c.channel,
                messageTs: c.ts,
                actionTs: '1700001234.000001',
              }),
            },
            { retryNum: 1 },
          )
        ).status,
      ).to.equal(200);
      await eventually(
        () => rig.whatsappTexts(BEN.waId).some((t) => t.includes('limit is now 400.00 USD')),
        'customer told',
      );
      const ben = await rig.core.getSubscriber(BEN.msisdn);
      if (!ben.ok) throw new Error(ben.error.code);
      expect(ben.value.account.creditLimit?.amount).to.equal(40_000);
      const decided = ben.value.creditLimitRequests?.find((r) => r.id === asked.value.id);
      expect(decided?.status).to.equal('approved');
      expect(decided?.decidedBy).to.equal('agent:UAGENT1');
      await eventually(
        () =>
          rig.slack
            .callsOf('chat.postMessage')
            .some((m) => String(m.args.text).includes('approved the credit-limit request')),
        'confirmed in the thread',
      );
      expect(
        rig.slack
          .callsOf('chat.postMessage')
          .filter((m) => String(m.args.text).includes('approved the credit-limit request')),
      ).to.have.length(1);
      expect(rig.whatsappTexts(BEN.waId).filter((t) => t.includes('limit is now'))).to.have.length(1);
      expect(rig.whatsappTexts(ANA.waId)).to.deep.equal([]);
    } finally {
      await rig.close();
    }
  });
});
