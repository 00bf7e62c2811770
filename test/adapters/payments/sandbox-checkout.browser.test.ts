/**
 * The sandbox hosted checkout in headless Chromium against a real server: pay, decline, expired link, form
 * errors, double submit, phone-sized screen, and the customer hearing back in the chat exactly once.
 */
import { expect } from 'chai';
import type { Browser, Page } from 'playwright-core';
import { launchChromium } from './chromium.js';
import { ANA, BEN, type PaymentsRig, startPaymentsRig } from './payments-rig.js';

async function balanceOf(rig: PaymentsRig, msisdn: string): Promise<number> {
  const sub = await rig.core.getSubscriber(msisdn);
  if (!sub.ok) throw new Error(sub.error.code);
  return sub.value.account.balance.amount;
}

async function ledgerEntriesFor(rig: PaymentsRig, msisdn: string, paymentId: string) {
  const ledger = await rig.core.fullLedger(msisdn);
  if (!ledger.ok) throw new Error(ledger.error.code);
  return ledger.value.filter((e) => e.ref === paymentId);
}

async function statusOf(rig: PaymentsRig, paymentId: string): Promise<string> {
  const p = await rig.core.getPayment(paymentId);
  if (!p.ok) throw new Error(p.error.code);
  return p.value.status;
}

/** Messages the fake channel received in a conversation, minus the link message the "dialog" sent. */
function noticesIn(rig: PaymentsRig, conversationId: string) {
  return rig.channel.received
    .filter((r) => r.conversationId === conversationId)
    .map((r) => r.activity)
    .filter((a) => !a.text?.startsWith('Pay here:'));
}

async function fillCard(page: Page, number: string, expiry = '12/30', cvc = '123') {
  await page.fill('input[autocomplete="cc-number"]', number);
  await page.fill('input[autocomplete="cc-exp"]', expiry);
  await page.fill('input[autocomplete="cc-csc"]', cvc);
}

describe('sandbox checkout in headless Chromium', function () {
  this.timeout(60_000);
  let rig: PaymentsRig;
  let browser: Browser;
  let page: Page;

  before(async () => {
    rig = await startPaymentsRig();
    browser = await launchChromium();
  });
  after(async () => {
    await browser?.close();
    await rig?.close();
  });
  beforeEach(async () => {
    // A phone-sized screen for every test.
    page = await browser.newPage({ viewport: { width: 375, height: 667 }, isMobile: true, hasTouch: true });
  });
  afterEach(async () => {
    await page.close();
  });

  it('shows amount, purpose and operator, a standard card form with one submit button, fitting a phone screen', async () => {
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 1000, 'conv-form');
    const res = await page.goto(rig.payments.checkoutUrl(payment.id));
    expect(res?.status()).to.equal(200);
    const text = await page.textContent('body');
    expect(text).to.contain('$10.00');
    expect(text).to.contain('Credit top-up');
    expect(text).to.contain('Acme Mobile');
    expect(await page.locator('input[autocomplete="cc-number"]').count()).to.equal(1);
    expect(await page.locator('input[autocomplete="cc-exp"]').count()).to.equal(1);
    expect(await page.locator('input[autocomplete="cc-csc"]').count()).to.equal(1);
    expect(await page.locator('button[type="submit"], input[type="submit"]').count()).to.equal(1);
    expect(await page.getAttribute('meta[name="viewport"]', 'content')).to.contain('width=device-width');
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).to.be.at.most(0);
    // Opening the checkout moves the payment to pending.
    expect(await statusOf(rig, payment.id)).to.equal('pending');
  });

  it('pays a top-up with 4242 4242 4242 4242: settled once, balance up once, confirmation with the new balance in the chat', async () => {
    const before = await balanceOf(rig, ANA);
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 1000, 'conv-pay');
    await page.goto(rig.payments.checkoutUrl(payment.id));
    await fillCard(page, '4242 4242 4242 4242');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="result"]');
    expect(await page.textContent('[data-testid="result"]')).to.equal('Payment received');
    expect(await page.textContent('body')).to.contain('Visa •••• 4242');

    await rig.notifier.idle();
    expect(await statusOf(rig, payment.id)).to.equal('settled');
    expect(await balanceOf(rig, ANA)).to.equal(before + 1000);
    expect(await ledgerEntriesFor(rig, ANA, payment.id)).to.have.length(1);
    const notices = noticesIn(rig, 'conv-pay');
    expect(notices).to.have.length(1);
    expect(notices[0].text).to.contain('$10.00');
    expect(notices[0].text).to.contain(`new balance is $${((before + 1000) / 100).toFixed(2)}`);

    // Reloading the page (or opening the link again) charges nothing more.
    await page.goto(rig.payments.checkoutUrl(payment.id));
    expect(await page.textContent('[data-testid="result"]')).to.equal('Payment received');
    await rig.notifier.idle();
    expect(await balanceOf(rig, ANA)).to.equal(before + 1000);
    expect(noticesIn(rig, 'conv-pay')).to.have.length(1);
  });

  it('declines 4000 0000 0000 0002: failure page, nothing applied, the reason and a new link in the chat', async () => {
    const before = await balanceOf(rig, ANA);
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 2500, 'conv-decline');
    await page.goto(rig.payments.checkoutUrl(payment.id));
    await fillCard(page, '4000 0000 0000 0002');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="result"]');
    expect(await page.textContent('[data-testid="result"]')).to.equal('Payment declined');
    expect(await page.textContent('body')).to.contain('Nothing was charged');

    await rig.notifier.idle();
    expect(await statusOf(rig, payment.id)).to.equal('failed');
    expect(await balanceOf(rig, ANA)).to.equal(before);
    const notices = noticesIn(rig, 'conv-decline');
    expect(notices).to.have.length(1);
    expect(notices[0].text).to.contain('declined');
    const link = notices[0].suggestedActions?.actions[0];
    expect(link?.type).to.equal('openUrl');
    const newId = String(link?.value).split('/pay/')[1];
    expect(newId).to.be.a('string').and.not.equal(payment.id);
    expect(notices[0].text).to.contain(String(link?.value));

    // The new link works: pay it and the confirmation comes back to the same conversation.
    await page.goto(String(link?.value));
    expect(await page.textContent('[data-testid="amount"]')).to.equal('$25.00');
    await fillCard(page, '4242424242424242');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="result"]');
    await rig.notifier.idle();
    expect(await balanceOf(rig, ANA)).to.equal(before + 2500);
    expect(noticesIn(rig, 'conv-decline')).to.have.length(2);
    expect(noticesIn(rig, 'conv-decline')[1].text).to.contain('Payment received');
  });

  it('keeps bad card input on the form with an error and charges nothing; the number is not echoed', async () => {
    const before = await balanceOf(rig, ANA);
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 1000, 'conv-errors');
    await page.goto(rig.payments.checkoutUrl(payment.id));
    const cases = [
      { number: '4242 4242 4242 4241', expiry: '12/30', cvc: '123', error: 'valid card number' },
      { number: '4242 4242 4242 4242', expiry: '01/20', cvc: '123', error: 'expired' },
      { number: '4242 4242 4242 4242', expiry: '12/30', cvc: '12', error: 'security code' },
    ];
    for (const c of cases) {
      await fillCard(page, c.number, c.expiry, c.cvc);
      const [response] = await Promise.all([page.waitForNavigation(), page.click('button[type="submit"]')]);
      expect(response?.status()).to.equal(422);
      expect(await page.textContent('#form-error')).to.contain(c.error);
      // (The page's help text names the test cards; what was typed must not come back.)
      expect(await page.content()).not.to.contain('4241');
      expect(await page.inputValue('input[autocomplete="cc-number"]')).to.equal('');
    }
    expect(await statusOf(rig, payment.id)).to.equal('pending');
    expect(await balanceOf(rig, ANA)).to.equal(before);
    expect(noticesIn(rig, 'conv-errors')).to.have.length(0);
  });

  it('shows the expiry page for a link older than 30 minutes and takes no card on it', async () => {
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 1000, 'conv-expired');
    const before = await balanceOf(rig, ANA);
    rig.clock.advanceMinutes(31);
    try {
      const res = await page.goto(rig.payments.checkoutUrl(payment.id));
      expect(res?.status()).to.equal(410);
      expect(await page.textContent('[data-testid="result"]')).to.equal('This payment link has expired');
      expect(await page.locator('input[autocomplete="cc-number"]').count()).to.equal(0);
      // A form posted from a page opened before the expiry is refused too.
      const posted = await fetch(rig.payments.checkoutUrl(payment.id), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'cardNumber=4242424242424242&expiry=12%2F30&cvc=123',
      });
      expect(posted.status).to.equal(410);
      await rig.notifier.idle();
      expect(await balanceOf(rig, ANA)).to.equal(before);
      expect(noticesIn(rig, 'conv-expired')).to.have.length(0);
    } finally {
      rig.clock.advanceMinutes(-31);
    }
  });

  it('answers an unknown link with a not-found page', async () => {
    const res = await page.goto(`${rig.base}/pay/no-such-payment`);
    expect(res?.status()).to.equal(404);
    expect(await page.textContent('[data-testid="result"]')).to.equal('Payment link not found');
  });

  it('settles once when the button is double-clicked', async () => {
    const before = await balanceOf(rig, ANA);
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 700, 'conv-double-click');
    await page.goto(rig.payments.checkoutUrl(payment.id));
    await fillCard(page, '4242 4242 4242 4242');
    await page.dblclick('button[type="submit"]');
    await page.waitForSelector('[data-testid="result"]');
    await rig.notifier.idle();
    expect(await balanceOf(rig, ANA)).to.equal(before + 700);
    expect(await ledgerEntriesFor(rig, ANA, payment.id)).to.have.length(1);
    expect(noticesIn(rig, 'conv-double-click')).to.have.length(1);
  });

  it('settles once when the form is posted several times at once (no script, flaky network resubmits)', async () => {
    const before = await balanceOf(rig, ANA);
    const payment = await rig.startPayment(ANA, { type: 'topup' }, 300, 'conv-double-post');
    const post = () =>
      fetch(rig.payments.checkoutUrl(payment.id), {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: 'cardNumber=4242+4242+4242+4242&expiry=12%2F30&cvc=123',
      });
    const answers = await Promise.all([post(), post(), post(), post()]);
    for (const a of answers) {
      expect(a.status).to.equal(200);
      expect(await a.text()).to.contain('Payment received');
    }
    await rig.notifier.idle();
    expect(await balanceOf(rig, ANA)).to.equal(before + 300);
    expect(await ledgerEntriesFor(rig, ANA, payment.id)).to.have.length(1);
    expect(noticesIn(rig, 'conv-double-post')).to.have.length(1);
  });

  it('pays part of an open bill, then the rest: the remainder stays due, then the bill reads as paid', async () => {
    const bills = await rig.core.getBills(BEN);
    if (!bills.ok) throw new Error(bills.error.code);
    const bill = bills.value.find((b) => b.remainingAmount.amount > 0);
    if (!bill) throw new Error('the demo postpaid subscriber has no open bill');
    const due = bill.remainingAmount.amount;

    const part = await rig.startPayment(BEN, { type: 'bill', billId: bill.id }, 1000, 'conv-bill');
    await page.goto(rig.payments.checkoutUrl(part.id));
    expect(await page.textContent('body')).to.contain(`Bill ${bill.billNo}`);
    await fillCard(page, '4242 4242 4242 4242');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="result"]');
    await rig.notifier.idle();
    const afterPart = await rig.core.getBills(BEN);
    const partBill = afterPart.ok ? afterPart.value.find((b) => b.id === bill.id) : undefined;
    expect(partBill?.remainingAmount.amount).to.equal(due - 1000);
    expect(partBill?.state).to.equal('partiallyPaid');
    expect(noticesIn(rig, 'conv-bill')[0].text).to.contain('still due');

    const rest = await rig.startPayment(BEN, { type: 'bill', billId: bill.id }, undefined, 'conv-bill');
    expect(rest.amount.amount).to.equal(due - 1000);
    await page.goto(rig.payments.checkoutUrl(rest.id));
    await fillCard(page, '4242 4242 4242 4242');
    await page.click('button[type="submit"]');
    await page.waitForSelector('[data-testid="result"]');
    await rig.notifier.idle();
    const afterAll = await rig.core.getBills(BEN);
    const paidBill = afterAll.ok ? afterAll.value.find((b) => b.id === bill.id) : undefined;
    expect(paidBill?.remainingAmount.amount).to.equal(0);
    expect(paidBill?.state).to.equal('settled');
    const notices = noticesIn(rig, 'conv-bill');
    expect(notices).to.have.length(2);
    expect(notices[1].text).to.contain(`bill ${bill.billNo} is now paid`);
  });

  it('never writes a card number to a log line', () => {
    const joined = rig.logLines.join('\n');
    for (const digits of ['4242424242424242', '4242 4242 4242 4242', '4000000000000002', '4000 0000 0000 0002']) {
      expect(joined).not.to.contain(digits);
    }
  });
});
