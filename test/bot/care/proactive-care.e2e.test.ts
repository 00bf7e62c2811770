/**
 * Proactive care end to end: events are driven through the core's HTTP API (usage, tick) and the tests assert
 * what reaches the fake Graph API (WhatsApp) and the web chat (Direct Line): the text, the one-tap actions (and
 * that a tap starts the right dialog), once per event even when replayed or after a restart, nothing during the
 * subscriber's quiet hours (fixed clock) until they end, nothing after "stop alerts" and again after "start
 * alerts", the approved template outside WhatsApp's window, and the daily cap.
 */
import type { Activity } from 'botbuilder';
import { expect } from 'chai';
import type { ChargingEvent } from '../../../charging/model.js';
import { type CareRig, startCareRig } from './care-rig.js';

const ANA = '+15550100001';
const BEN = '+15550100002';
const DIEGO = '+15550100004';
const EVE = '+15550100005';
const waIdOf = (msisdn: string) => msisdn.slice(1);

const texts = (activities: Partial<Activity>[]) => activities.map((a) => a.text ?? '');
const actionsOf = (a: Partial<Activity> | undefined) =>
  (a?.suggestedActions?.actions ?? []).map((x) => ({ title: x.title, value: x.value }));

describe('proactive care (end to end)', function () {
  this.timeout(60_000);
  let rig: CareRig;

  before(async () => {
    rig = await startCareRig({ now: '2026-03-10T12:00:00.000Z' });
  });
  after(async () => {
    await rig?.close();
  });

  const usage = async (msisdn: string, body: Record<string, unknown>) => {
    const r = await rig.api('POST', `/api/v1/subscribers/${msisdn}/usage`, body);
    expect(r.status, JSON.stringify(r.body)).to.equal(200);
  };
  const lastEvent = (type: string, msisdn: string): ChargingEvent => {
    const found = rig.events.filter((e) => e.type === type && e.msisdn === msisdn).at(-1);
    if (!found) throw new Error(`no ${type} event for the subscriber`);
    return found;
  };

  it('tells a WhatsApp subscriber on the channel they use, with one-tap next steps the dialogs understand', async () => {
    await rig.whatsappSay(waIdOf(ANA), 'hi');
    const before = rig.whatsappSent(waIdOf(ANA)).length;
    await usage(ANA, { app: 'youtube', quantity: 9 }); // 10 -> 1: balance low (and a pattern, coalesced)

    const alerts = rig.whatsappSent(waIdOf(ANA)).slice(before);
    expect(alerts).to.have.length(1);
    expect(alerts[0].type).to.equal('interactive');
    expect(alerts[0].text).to.equal(
      'Hi Ana, you have only 1 YouTube session left. Swap sessions from another app, or buy more.',
    );
    expect(alerts[0].buttons.map((b) => b.title)).to.deep.equal(['Swap sessions', 'Buy YouTube sessions']);

    const swap = await rig.whatsappTap(waIdOf(ANA), alerts[0].buttons[0]);
    expect(swap.map((s) => s.text).join('\n')).to.match(/which sessions do you want to give up/i);
    await rig.whatsappSay(waIdOf(ANA), 'cancel');
    const buy = await rig.whatsappTap(waIdOf(ANA), alerts[0].buttons[1]);
    expect(buy.map((s) => s.text).join('\n')).to.match(/Streaming Pass costs .* Buy it\?/);
    await rig.whatsappSay(waIdOf(ANA), 'no');
  });

  it('sends nothing twice: the same event replayed, and again after a restart', async () => {
    const event = lastEvent('balance.low', ANA);
    const count = rig.whatsappSent(waIdOf(ANA)).length;
    expect(await rig.app.care.care.handle(event)).to.equal('duplicate');
    rig.app.care.care.enqueue(event);
    await rig.idle();
    expect(rig.whatsappSent(waIdOf(ANA))).to.have.length(count);

    await rig.restart();
    expect(await rig.app.care.care.handle(event)).to.equal('duplicate');
    await rig.idle();
    expect(rig.whatsappSent(waIdOf(ANA))).to.have.length(count);
  });

  it('tells a web chat visitor their bill is due, and "Pay my bill" opens the payment', async () => {
    const ben = await rig.webchat(BEN);
    await ben.say('hello');
    const tick = await rig.api('POST', '/api/v1/tick');
    expect(tick.status).to.equal(200);
    const alerts = await ben.newActivities();
    expect(texts(alerts)).to.have.length(1);
    expect(alerts[0].text).to.match(/^Hi Ben, your bill \S+ of \$55\.55 is due on Fri 13 Mar\. You can pay it now/);
    expect(actionsOf(alerts[0])).to.deep.equal([{ title: 'Pay my bill', value: 'Pay my bill' }]);
    const paid = await ben.say('Pay my bill');
    expect(texts(paid).join('\n')).to.include('/pay/');
    // The tick raised it once; a second tick raises nothing and sends nothing.
    await rig.api('POST', '/api/v1/tick');
    expect(texts(await ben.newActivities())).to.deep.equal([]);
  });

  it("holds alerts during the subscriber's quiet hours in their time zone, sends them after, drops stale ones", async () => {
    rig.clock.set('2026-03-10T12:00:00.000Z'); // 12:00 in UTC, 21:00 in Tokyo (quiet hours 21-8)
    const tokyo = '+15550100021';
    const london = '+15550100022';
    const late = '+15550100023';
    for (const [msisdn, timeZone] of [
      [tokyo, 'Asia/Tokyo'],
      [london, 'Europe/London'],
      [late, 'Asia/Tokyo'],
    ]) {
      const r = await rig.api('POST', '/api/v1/subscribers', {
        msisdn,
        name: 'Kei',
        plan: 'prepaid',
        language: 'en',
        timeZone,
      });
      expect(r.status, JSON.stringify(r.body)).to.equal(201);
    }
    const kei = await rig.webchat(tokyo);
    const lou = await rig.webchat(london);
    const lateVisitor = await rig.webchat(late);
    await kei.say('hi');
    await lou.say('hi');
    await lateVisitor.say('hi');

    await usage(tokyo, { app: 'facebook', quantity: 45 }); // 50 -> 5: balance low
    await usage(london, { app: 'facebook', quantity: 45 });
    await usage(late, { app: 'facebook', quantity: 45 });
    expect(texts(await lou.newActivities())).to.deep.equal([
      'Hi Kei, you have only 5 Facebook sessions left. Swap sessions from another app, or buy more.',
    ]);
    expect(texts(await kei.newActivities())).to.deep.equal([]);
    await rig.app.care.care.flushDue();
    expect(texts(await kei.newActivities())).to.deep.equal([]);

    rig.clock.set('2026-03-10T23:05:00.000Z'); // 08:05 in Tokyo: the quiet hours are over
    // "late" waits for the next morning but its alert will be stale by then.
    expect(await rig.app.care.care.flushDue()).to.equal(2);
    expect(texts(await kei.newActivities())).to.deep.equal([
      'Hi Kei, you have only 5 Facebook sessions left. Swap sessions from another app, or buy more.',
    ]);
    expect(texts(await lou.newActivities())).to.deep.equal([]);
    expect(texts(await lateVisitor.newActivities())).to.have.length(1);

    // A new alert at 22:00 Tokyo time, then nobody looks until two days later: dropped, not sent.
    rig.clock.set('2026-03-11T13:00:00.000Z');
    await usage(late, { app: 'facebook', quantity: 5 }); // 5 -> 0: depleted, deferred
    rig.clock.set('2026-03-13T13:30:00.000Z');
    await rig.app.care.care.flushDue();
    expect(texts(await lateVisitor.newActivities())).to.deep.equal([]);
    const state = await rig.app.care.care.state.subscriber(late);
    expect(state.events[lastEvent('bucket.depleted', late).id]?.outcome).to.equal('stale');
    expect(state.deferred).to.deep.equal([]);
  });

  it('stops after "stop alerts" and starts again after "start alerts" (Spanish too), answered before the dialogs', async () => {
    rig.clock.set('2026-03-16T12:00:00.000Z');
    const stopped = await rig.whatsappSay(waIdOf(DIEGO), 'Parar alertas');
    expect(stopped.map((s) => s.text)).to.deep.equal([
      'Hecho: ya no te enviaré alertas. Escribe "activar alertas" cuando quieras recibirlas de nuevo.',
    ]);
    const before = rig.whatsappSent(waIdOf(DIEGO)).length;
    await usage(DIEGO, { app: 'facebook', quantity: 45 }); // 50 -> 5: balance low, not told
    expect(rig.whatsappSent(waIdOf(DIEGO))).to.have.length(before);
    const opted = await rig.app.care.care.state.subscriber(DIEGO);
    expect(opted.events[lastEvent('balance.low', DIEGO).id]?.outcome).to.equal('optedOut');

    const started = await rig.whatsappSay(waIdOf(DIEGO), 'activar alertas');
    expect(started).to.have.length(1);
    expect(started[0].text).to.match(/^Hecho: te avisaré/);
    await usage(DIEGO, { app: 'facebook', quantity: 5 }); // 5 -> 0: depleted, told in Spanish
    const alerts = rig.whatsappSent(waIdOf(DIEGO)).slice(before + 1);
    expect(alerts.map((s) => s.text)).to.deep.equal([
      'Hola Diego, has usado todas tus sesiones de Facebook. Puedes cambiar sesiones de otra app o comprar más.',
    ]);
    expect(alerts[0].buttons.map((b) => b.title)).to.deep.equal(['Cambiar sesiones', 'Comprar Facebook']);
    const buy = await rig.whatsappTap(waIdOf(DIEGO), alerts[0].buttons[1]);
    expect(buy.map((s) => s.text).join('\n')).to.match(/Facebook 50 sessions/);
    await rig.whatsappSay(waIdOf(DIEGO), 'no');

    const eve = await rig.webchat(EVE);
    expect(texts(await eve.say('stop alerts'))).to.deep.equal([
      'Done: I won\'t send you alerts any more. Say "start alerts" whenever you want them back.',
    ]);
    expect(texts(await eve.say('start alerts'))[0]).to.match(/^Done: I'll let you know/);
  });

  it('outside the WhatsApp window sends only the approved template of the event type', async () => {
    rig.clock.set('2026-03-14T12:00:00.000Z'); // Ben's bill was due on the 13th
    await rig.whatsappSay(waIdOf(BEN), 'hi'); // Ben now uses WhatsApp: alerts go there
    rig.graph.closeWindow(waIdOf(BEN)); // Meta says the 24-hour window is closed
    const before = rig.whatsappSent(waIdOf(BEN)).length;
    await rig.api('POST', '/api/v1/tick');
    const sent = rig.whatsappSent(waIdOf(BEN)).slice(before);
    expect(sent.map((s) => s.type)).to.deep.equal(['template']);
    expect(sent[0].template).to.equal('alert_bill_overdue');
    const params = (
      sent[0].request.body.template as { components: { parameters: { text: string }[] }[] }
    ).components[0].parameters.map((p) => p.text);
    expect(params[0]).to.equal('Ben');
    expect(params[2]).to.equal('$55.55');
    expect(params[3]).to.equal('Fri 13 Mar');
  });

  it('sends at most ALERTS_MAX_PER_DAY (3) a day per subscriber, and more the next day', async () => {
    rig.clock.set('2026-03-17T10:00:00.000Z');
    const eve = await rig.webchat(EVE);
    await eve.say('hi');
    const sub = await rig.api('GET', `/api/v1/subscribers/${EVE}`);
    type B = { unit: string; app?: string; remainingValue: number; initialValue: number };
    const live = (sub.body.buckets as B[]).filter((b) => b.remainingValue > 0);
    const kinds = [...new Map(live.map((b) => [`${b.unit}/${b.app ?? ''}`, b])).values()];
    const same = (b: B) => live.filter((x) => x.unit === b.unit && x.app === b.app);
    const left = (b: B) => same(b).reduce((s, x) => s + x.remainingValue, 0);
    // The core's "low" threshold: 10% of the allowance.
    const low = (b: B) => Math.max(1, Math.ceil(same(b).reduce((s, x) => s + x.initialValue, 0) * 0.1));
    const charge = (b: B, quantity: number) =>
      usage(EVE, b.app ? { app: b.app, quantity } : { unit: b.unit, quantity });
    const roomy = kinds.find((b) => left(b) > low(b));
    if (!roomy) throw new Error('Eve has no allowance above its low threshold');
    const others = kinds.filter((b) => b !== roomy);
    expect(others.length).to.be.greaterThan(2);
    // Four alerts today: one allowance runs low then out, two more run out.
    await charge(roomy, left(roomy) - low(roomy));
    await charge(roomy, low(roomy));
    await charge(others[0], left(others[0]));
    await charge(others[1], left(others[1]));
    expect(texts(await eve.newActivities())).to.have.length(3);
    const state = await rig.app.care.care.state.subscriber(EVE);
    const outcomes = rig.events
      .filter((e) => e.msisdn === EVE && (e.type === 'bucket.depleted' || e.type === 'balance.low'))
      .map((e) => state.events[e.id]?.outcome);
    expect(outcomes).to.deep.equal(['sent', 'sent', 'sent', 'capped']);

    rig.clock.set('2026-03-18T10:00:00.000Z');
    await charge(others[2], left(others[2]));
    expect(texts(await eve.newActivities())).to.have.length(1);
  });
});
