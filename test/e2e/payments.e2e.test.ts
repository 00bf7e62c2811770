/**
 * Payments end to end (issue 7 "Done when"): the customer asks in the chat, gets `{PUBLIC_URL}/pay/{id}`, pays on
 * the sandbox checkout in headless Debian Chromium, and hears back in the same chat: on WhatsApp through the fake
 * Graph API, on web chat through Direct Line. Money is checked in the embedded core.
 */
import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import type { Browser, Page } from 'playwright-core';
import { launchBrowser } from '../helpers/browser.js';
import { DEMO, type E2eApp, startE2eApp, type WhatsAppSent } from '../helpers/e2e-app.js';

const waIdOf = (msisdn: string) => msisdn.slice(1);
const money = (minor: number) => `$${(minor / 100).toFixed(2)}`;

/** The payment link in what the bot sent; it must point at PUBLIC_URL. */
function linkIn(e2e: E2eApp, texts: string[]): { url: string; id: string } {
  const pattern = new RegExp(`${e2e.base.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/pay/([A-Za-z0-9_-]+)`);
  for (const text of texts) {
    const m = pattern.exec(text);
    if (m) return { url: m[0], id: m[1] };
  }
  throw new Error(`no payment link in ${JSON.stringify(texts)}`);
}

const textsOf = (sent: WhatsAppSent[]) => sent.map((s) => s.text);
const activityTexts = (activities: Partial<Activity>[]) =>
  activities.flatMap((a) => [a.text ?? '', ...(a.suggestedActions?.actions ?? []).map((x) => String(x.value ?? ''))]);

async function pay(page: Page, url: string, card: string): Promise<string> {
  const res = await page.goto(url);
  expect(res?.status()).to.equal(200);
  await page.fill('input[autocomplete="cc-number"]', card);
  await page.fill('input[autocomplete="cc-exp"]', '12/34');
  await page.fill('input[autocomplete="cc-csc"]', '123');
  await page.click('button[type="submit"]');
  await page.waitForSelector('[data-testid="result"]');
  return (await page.textContent('[data-testid="result"]')) ?? '';
}

describe('e2e: payments from the chat through the hosted checkout in Chromium', function () {
  this.timeout(90_000);
  let e2e: E2eApp;
  let browser: Browser;
  let page: Page;

  before(async () => {
    [e2e, browser] = await Promise.all([startE2eApp(), launchBrowser()]);
  });
  after(async () => {
    await browser?.close();
    await e2e?.close();
  });
  beforeEach(async () => {
    page = await browser.newPage({ viewport: { width: 375, height: 667 }, isMobile: true });
  });
  afterEach(async () => {
    await page?.close();
  });

  it('WhatsApp top-up of 10 paid with 4242 4242 4242 4242: the confirmation with the new balance arrives on WhatsApp', async () => {
    const ana = e2e.whatsapp(waIdOf(DEMO.ana), 'Ana');
    const before = (await e2e.subscriber(DEMO.ana)).account.balance.amount;

    const asked = await ana.say('top up 10');
    const link = linkIn(e2e, textsOf(asked));
    expect(textsOf(asked).join('\n')).to.contain('$10.00');

    expect(await pay(page, link.url, '4242 4242 4242 4242')).to.equal('Payment received');
    const after = (await e2e.subscriber(DEMO.ana)).account.balance.amount;
    expect(after).to.equal(before + 1000);

    const notice = await e2e.waitUntil('the WhatsApp confirmation', () =>
      ana.sent().find((s) => s.text.includes('Payment received')),
    );
    expect(notice.type).to.equal('text');
    expect(notice.text).to.contain(`${money(1000)} added to your credit`);
    expect(notice.text).to.contain(`Your new balance is ${money(after)}`);
    // Told once, even after the page is opened again.
    await page.goto(link.url);
    await e2e.idle();
    expect(ana.sent().filter((s) => s.text.includes('Payment received'))).to.have.length(1);
    expect((await e2e.subscriber(DEMO.ana)).account.balance.amount).to.equal(after);
  });

  it('WhatsApp top-up declined with 4000 0000 0000 0002: the reason and a new, working link arrive on WhatsApp', async () => {
    const chloe = e2e.whatsapp(waIdOf(DEMO.chloe), 'Chloe');
    const before = (await e2e.subscriber(DEMO.chloe)).account.balance.amount;

    const link = linkIn(e2e, textsOf(await chloe.say('top up 10')));
    expect(await pay(page, link.url, '4000 0000 0000 0002')).to.equal('Payment declined');
    expect((await e2e.subscriber(DEMO.chloe)).account.balance.amount).to.equal(before);

    const notice = await e2e.waitUntil('the WhatsApp failure notice', () =>
      chloe.sent().find((s) => s.text.includes("didn't go through")),
    );
    expect(notice.text).to.contain('the card was declined');
    expect(notice.text).to.contain('Nothing was charged');
    const retry = linkIn(e2e, [notice.text]);
    expect(retry.id).not.to.equal(link.id);
    const payment = await e2e.app.charging.getPayment(retry.id);
    expect(payment.ok && payment.value.amount.amount).to.equal(1000);
    // The new link is a live checkout.
    const res = await page.goto(retry.url);
    expect(res?.status()).to.equal(200);
    expect(await page.textContent('[data-testid="amount"]')).to.equal('$10.00');
  });

  it('postpaid Ben pays the open bill from web chat: the bill is paid in the core and the chat says so', async () => {
    const ben = await e2e.webchat(DEMO.ben);
    const openBill = (await e2e.subscriber(DEMO.ben)).bills.find((b) => b.state !== 'settled');
    if (!openBill) throw new Error('Ben has no open bill in the demo data');
    expect(openBill.remainingAmount.amount).to.be.greaterThan(0);

    const asked = await ben.say('pay my bill');
    const link = linkIn(e2e, activityTexts(asked));
    const linkActivity = asked.find((a) => a.suggestedActions?.actions.some((x) => x.type === 'openUrl'));
    expect(linkActivity, 'the link is also an openUrl action').to.not.equal(undefined);
    expect(activityTexts(asked).join('\n')).to.contain(money(openBill.remainingAmount.amount));

    expect(await pay(page, link.url, '4242424242424242')).to.equal('Payment received');
    const bill = (await e2e.subscriber(DEMO.ben)).bills.find((b) => b.id === openBill.id);
    expect(bill?.state).to.equal('settled');
    expect(bill?.remainingAmount.amount).to.equal(0);

    const notice = await e2e.waitUntil('the web chat confirmation', async () =>
      (await ben.newActivities()).find((a) => a.text?.includes('Payment received')),
    );
    expect(notice.text).to.contain(`Your bill ${openBill.billNo} is now paid`);
    expect(notice.conversation?.id).to.equal(ben.conversationId);

    const status = await ben.say('my bill');
    expect(status.map((a) => a.text).join('\n')).to.contain(`is paid`);
  });

  it('outside the WhatsApp window the payment confirmation goes out as the approved template', async () => {
    const diego = e2e.whatsapp(waIdOf(DEMO.diego), 'Diego');
    const link = linkIn(e2e, textsOf(await diego.say('quiero recargar 10')));
    const before = (await e2e.subscriber(DEMO.diego)).account.balance.amount;
    // Meta now counts the last customer message as older than 24 hours: free-form sends are refused (131047).
    e2e.graph.closeWindow(diego.waId);
    const already = diego.sent().length;

    expect(await pay(page, link.url, '4242 4242 4242 4242')).to.equal('Payment received');
    expect((await e2e.subscriber(DEMO.diego)).account.balance.amount).to.equal(before + 1000);
    const sent = await e2e.waitUntil('the payment template', () => {
      const fresh = diego.sent().slice(already);
      return fresh.length > 0 ? fresh : undefined;
    });
    expect(sent.map((s) => s.type)).to.deep.equal(['template']);
    expect(sent[0].template).to.equal('payment_update');
  });
});
