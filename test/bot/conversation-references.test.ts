import { expect } from 'chai';
import { ANA, BEN, createHarness, play, signIn, textOf } from '../helpers/bot-harness.js';

describe('bot: conversation references for proactive messages', () => {
  it('finds the conversation of a subscriber per channel, and the one a payment link was sent to', async () => {
    const wa = await createHarness({ channelId: 'whatsapp', msisdn: BEN, userId: 'wa-ben' });
    await play(wa, [['hi', /Hi Ben/]]);
    const web = await createHarness({
      channelId: 'webchat',
      msisdn: BEN,
      core: wa.core,
      storage: wa.storage,
      userId: 'web-ben',
    });
    await play(web, [['hello', /Hi Ben/]]);
    const r = await web.say('pay my bill');
    const paymentId = textOf(r).match(/\/pay\/(pay_[\w-]+)/)?.[1];
    expect(paymentId).to.be.a('string');

    const refs = await web.app.conversationReferences.forSubscriber(BEN);
    expect(refs.map((ref) => ref.channelId).sort()).to.deep.equal(['webchat', 'whatsapp']);
    expect(refs.find((ref) => ref.channelId === 'whatsapp')?.conversation?.id).to.equal('conv-whatsapp-wa-ben');

    const payment = await web.core.getPayment(paymentId!);
    expect(payment.ok).to.equal(true);
    if (!payment.ok) return;
    expect(Object.keys(payment.value.metadata ?? {}).sort()).to.deep.equal(['channelId', 'conversationKey']);
    expect(JSON.stringify(payment.value.metadata)).not.to.include('5550100002');
    const ref = await web.app.conversationReferences.forPayment(payment.value);
    expect(ref?.channelId).to.equal('webchat');
    expect(ref?.conversation?.id).to.equal('conv-webchat-web-ben');
    expect(ref?.serviceUrl).to.equal('https://test.example');
  });

  it('a verified-by-code user is indexed under the number once verified, not before', async () => {
    const h = await createHarness({ channelId: 'messenger' });
    await play(h, [['hi', /Hi!/]]);
    expect(await h.app.conversationReferences.forSubscriber(ANA)).to.deep.equal([]);
    await signIn(h, ANA);
    await play(h, [['thanks', /welcome/]]);
    const refs = await h.app.conversationReferences.forSubscriber(ANA);
    expect(refs.map((ref) => ref.channelId)).to.deep.equal(['messenger']);
  });
});
