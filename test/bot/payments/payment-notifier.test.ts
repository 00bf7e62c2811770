/**
 * The payment notifier on the embedded core, LowdbStorage in a temp dir and botbuilder's CloudAdapter talking
 * to a fake Bot Framework channel over HTTP: one message per payment however often the event is seen (also
 * across a restart), the right words for each outcome, and a send that failed can be retried.
 */
import { expect } from 'chai';
import { PaymentNotifier } from '../../../bot/payments/payment-notifier.js';
import type { ChargingEvent } from '../../../charging/model.js';
import { ANA, BEN, type PaymentsRig, startPaymentsRig } from '../../adapters/payments/payments-rig.js';

describe('payment notifier', function () {
  this.timeout(30_000);
  let rig: PaymentsRig;
  const events: ChargingEvent[] = [];

  before(async () => {
    rig = await startPaymentsRig();
    rig.core.onEvent((e) => events.push(e));
  });
  after(async () => {
    await rig?.close();
  });

  const noticesIn = (conversationId: string) =>
    rig.channel.received
      .filter((r) => r.conversationId === conversationId)
      .map((r) => r.activity)
      .filter((a) => !a.text?.startsWith('Pay here:'));

  const eventFor = (paymentId: string, type: ChargingEvent['type']) => {
    const e = events.find((x) => x.type === type && x.data.paymentId === paymentId);
    if (!e) throw new Error(`no ${type} event for ${paymentId}`);
    return e;
  };

  async function balance(msisdn: string) {
    const s = await rig.core.getSubscriber(msisdn);
    if (!s.ok) throw new Error(s.error.code);
    return s.value.account.balance;
  }

  it('tells a settled top-up once with the new balance, however often and wherever the event is seen', async () => {
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 1500, 'n-once');
    const settled = await rig.core.settlePayment(payment.id, { providerRef: 'ch_1' });
    expect(settled.ok).to.equal(true);
    await rig.notifier.idle();
    const event = eventFor(payment.id, 'payment.settled');
    // Seen again, concurrently and later, by this notifier and by a fresh one over the same storage (a restart).
    const again = await Promise.all([rig.notifier.handle(event), rig.notifier.handle(event)]);
    const restarted = new PaymentNotifier({
      charging: rig.core,
      storage: rig.storage,
      conversations: rig.conversations,
      channelFor: () => rig.adapter,
      botAppId: '',
      checkoutUrl: rig.payments.checkoutUrl,
      logger: rig.logger,
    });
    expect([...again, await restarted.handle(event)]).to.deep.equal(['already_sent', 'already_sent', 'already_sent']);
    const notices = noticesIn('n-once');
    expect(notices).to.have.length(1);
    const now = await balance(ANA);
    expect(notices[0].text).to.contain(`new balance is $${(now.amount / 100).toFixed(2)}`);
    // WhatsApp renders this with the payment template outside the 24-hour window, and sends it at most once.
    expect(notices[0].channelData).to.deep.include({ idempotencyKey: `payment-notice:${payment.id}` });
  });

  it('tells a failed payment once with the reason and one new link, reused if the event is seen again', async () => {
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 900, 'n-failed');
    await rig.core.failPayment(payment.id, { reason: 'card_declined' });
    await rig.notifier.idle();
    await rig.storage.delete([`payments/notified/${payment.id}`]); // as if the send had not been recorded
    expect(await rig.notifier.handle(eventFor(payment.id, 'payment.failed'))).to.equal('sent');
    const notices = noticesIn('n-failed');
    expect(notices).to.have.length(2);
    const links = notices.map((n) => n.suggestedActions?.actions[0]?.value);
    expect(links[0]).to.be.a('string').and.equal(links[1]);
    expect(notices[0].text).to.contain('the card was declined').and.contain('Nothing was charged');
    const retryId = String(links[0]).split('/pay/')[1];
    const retry = await rig.core.getPayment(retryId);
    expect(retry.ok && retry.value.amount.amount).to.equal(900);
    expect(await rig.conversations.find(retryId)).to.deep.include({ conversation: noticesConversation('n-failed') });
  });

  it('tells a fully paid bill as paid', async () => {
    const bills = await rig.core.getBills(BEN);
    const bill = bills.ok ? bills.value.find((b) => b.remainingAmount.amount > 0) : undefined;
    if (!bill) throw new Error('no open bill');
    const payment = await rig.startPayment(BEN, { type: 'bill', billId: bill.id }, undefined, 'n-bill');
    await rig.core.settlePayment(payment.id, { providerRef: 'ch_bill' });
    await rig.notifier.idle();
    expect(noticesIn('n-bill').map((n) => n.text)).to.deep.equal([
      `✅ Payment received: $${(bill.remainingAmount.amount / 100).toFixed(2)}. Your bill ${bill.billNo} is now paid. Thank you!`,
    ]);
  });

  it('sends nothing when no conversation is known or the channel is not enabled', async () => {
    const created = await rig.core.createPayment(ANA, { purpose: { type: 'topup' }, amount: 100 });
    if (!created.ok) throw new Error(created.error.code);
    await rig.core.settlePayment(created.value.id, { providerRef: 'ch_x' });
    await rig.notifier.idle();
    expect(await rig.notifier.handle(eventFor(created.value.id, 'payment.settled'))).to.equal('no_conversation');

    const elsewhere = await rig.core.createPayment(ANA, { purpose: { type: 'topup' }, amount: 100 });
    if (!elsewhere.ok) throw new Error(elsewhere.error.code);
    await rig.conversations.remember(elsewhere.value.id, {
      ...rig.channel.referenceFor('n-off'),
      channelId: 'messenger',
    });
    await rig.core.settlePayment(elsewhere.value.id, { providerRef: 'ch_y' });
    await rig.notifier.idle();
    expect(await rig.notifier.handle(eventFor(elsewhere.value.id, 'payment.settled'))).to.equal('no_channel');
    expect(noticesIn('n-off')).to.have.length(0);
  });

  it('can retry after the channel failed to take the message, and then tells it once', async () => {
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 200, 'n-retry');
    rig.channel.failNext(1);
    await rig.core.settlePayment(payment.id, { providerRef: 'ch_r' });
    await rig.notifier.idle();
    rig.channel.failNext(0);
    expect(noticesIn('n-retry')).to.have.length(0);
    const event = eventFor(payment.id, 'payment.settled');
    expect(await rig.notifier.handle(event)).to.equal('sent');
    expect(await rig.notifier.handle(event)).to.equal('already_sent');
    expect(noticesIn('n-retry')).to.have.length(1);
  });

  function noticesConversation(id: string) {
    return rig.channel.referenceFor(id).conversation;
  }
});
