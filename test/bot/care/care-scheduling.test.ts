/**
 * Alerts are background work: while a customer turn is in flight no alert starts, and an alert never starves
 * (it gives way for at most `maxYieldMs`). The whole product runs (composeApp, lowdb, fake Graph API); a second
 * `ProactiveCare` on the product's storage, core and adapters is driven with a core event raised again under a
 * new id, so the product's own care never sees it. Assertions are about order (sent or not yet), never speed.
 */
import { expect } from 'chai';
import { MetaChannelAdapter } from '../../../adapters/channels/meta/meta-channel.adapter.js';
import { ProactiveCare } from '../../../bot/care/proactive-care.js';
import { silentLogger } from '../../../bot/logger.js';
import type { ChargingEvent } from '../../../charging/model.js';
import { type CareRig, startCareRig } from './care-rig.js';

const ANA = '+15550100001';
const ANA_WA = ANA.slice(1);

describe('proactive care gives way to customer turns', function () {
  this.timeout(60_000);
  let rig: CareRig;
  let lowBalance: ChargingEvent;
  let copies = 0;

  before(async () => {
    rig = await startCareRig({ now: '2026-03-10T12:00:00.000Z' });
    await rig.whatsappSay(ANA_WA, 'hi');
    const r = await rig.api('POST', `/api/v1/subscribers/${ANA}/usage`, { app: 'youtube', quantity: 9 });
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
    const found = rig.events.find((e) => e.type === 'balance.low' && e.msisdn === ANA);
    if (!found) throw new Error('the core raised no balance.low for Ana');
    lowBalance = found;
  });
  after(async () => {
    await rig?.close();
  });

  /** The same occurrence under a new id: a new alert for Ana. */
  const freshEvent = (): ChargingEvent => ({ ...lowBalance, id: `${lowBalance.id}:again-${++copies}` });
  const careWith = (maxYieldMs: number) =>
    new ProactiveCare({
      charging: rig.app.charging,
      storage: rig.app.storage,
      references: rig.app.bot.conversationReferences,
      channelFor: (channelId) => rig.app.adapters[channelId],
      botAppId: '',
      settings: { ...rig.app.config.alerts, maxPerDay: 100 },
      logger: silentLogger,
      clock: rig.clock,
      maxYieldMs,
    });

  it('starts no alert while a customer turn is in flight, and sends it once the turn ends', async () => {
    const care = careWith(60_000);
    const before = rig.whatsappSent(ANA_WA).length;
    care.turnStarted();
    care.enqueue(freshEvent());
    // Many event-loop turns: the alert is taken from the queue but waits for the customer's turn.
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(care.backlog).to.equal(0);
    expect(rig.whatsappSent(ANA_WA)).to.have.length(before);
    care.turnEnded();
    await care.idle();
    await rig.idle();
    expect(rig.whatsappSent(ANA_WA)).to.have.length(before + 1);
  });

  it('never starves: under turns that never end, alerts still go after maxYieldMs', async () => {
    const care = careWith(20);
    const before = rig.whatsappSent(ANA_WA).length;
    care.turnStarted(); // constant customer traffic
    care.enqueue(freshEvent());
    care.enqueue(freshEvent());
    care.enqueue(freshEvent());
    await care.idle();
    await rig.idle();
    expect(rig.whatsappSent(ANA_WA)).to.have.length(before + 3);
    care.turnEnded();
  });

  it('is told of WhatsApp turns from their arrival (the adapter, not only the middleware)', () => {
    const whatsapp = rig.app.adapters.whatsapp;
    expect(whatsapp).to.be.instanceOf(MetaChannelAdapter);
    expect((whatsapp as MetaChannelAdapter<{ graphApiUrl: string }>).inboundTurns).to.equal(rig.app.care.care);
  });
});
