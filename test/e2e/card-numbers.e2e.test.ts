/**
 * Card numbers typed into the chat (issue 7): sent in several formats on WhatsApp, Messenger and web chat to the
 * whole product; the customer is warned and offered the payment link instead; afterwards the numbers are in no
 * file under DATA_DIR (every file, read byte for byte after the stores are flushed), no log line the product
 * wrote, no request to the Graph API and no Direct Line activity.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Activity } from 'botbuilder';
import { expect } from 'chai';
import { DEMO, type E2eApp, startE2eApp } from '../helpers/e2e-app.js';

/** Luhn-valid test numbers, each in the format a customer might type it. */
const ON_WHATSAPP = [
  'my card is 4111 1111 1111 1111 exp 12/27 cvc 123', // 16 digits, spaces
  '5555-5555-5555-4444', // 16 digits, dashes
  'charge 378282246310005 please', // 15 digits (Amex), plain
  'card 6212 3456 7890 1234 569', // 19 digits, spaces
];
const ON_MESSENGER = [
  '4012888888881881', // 16 digits, plain
  'use 4222222222222', // 13 digits, plain
  'amex 3714-496353-98431', // 15 digits, Amex grouping with dashes
];
const ON_WEBCHAT = [
  '4938271604938271606', // 19 digits, plain
  'pay with 3530 1113 3330 0000 thanks', // 16 digits, spaces
];
const ON_WEBCHAT_ANONYMOUS = ['6011-0009-9013-9424'];

const CARD_IN_TEXT = /\d(?:[ -]?\d){12,18}/;
const digitsOf = (message: string) => (CARD_IN_TEXT.exec(message)?.[0] ?? '').replace(/\D/g, '');
const ALL = [...ON_WHATSAPP, ...ON_MESSENGER, ...ON_WEBCHAT, ...ON_WEBCHAT_ANONYMOUS];
const CARDS = ALL.map((m) => ({ typed: CARD_IN_TEXT.exec(m)?.[0] ?? '', digits: digitsOf(m) }));

/** Where `haystack` contains one of the card numbers, typed as sent or as bare digits. */
function leaks(haystack: string): string[] {
  return CARDS.filter((c) => haystack.includes(c.digits) || haystack.includes(c.typed)).map((c) => c.typed);
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesUnder(path) : [path];
  });
}

const WARNING = /never send card details/i;
const warned = (texts: string[]) => texts.some((t) => WARNING.test(t));
const activityTexts = (activities: Partial<Activity>[]) => activities.map((a) => a.text ?? '');

describe('e2e: card numbers typed into the chat are never kept, logged or echoed', function () {
  this.timeout(90_000);
  let e2e: E2eApp;
  const directLineLogs: Partial<Activity>[][] = [];

  before(async () => {
    e2e = await startE2eApp();
    // The numbers are as the test means them: 13 to 19 digits.
    for (const c of CARDS) expect(c.digits.length, c.typed).to.be.within(13, 19);
    expect(new Set(CARDS.map((c) => c.digits)).size).to.equal(CARDS.length);
    // And the detector finds them, in either form.
    expect(leaks(`{"text":"${ON_WHATSAPP[1]}"}`)).to.deep.equal(['5555-5555-5555-4444']);
    expect(leaks('x4111111111111111x')).to.deep.equal(['4111 1111 1111 1111']);
  });
  after(async () => {
    await e2e?.close();
  });

  it('WhatsApp: each is answered with the warning and the way to a payment link, which works', async () => {
    const ana = e2e.whatsapp(DEMO.ana.slice(1), 'Ana');
    let offered: { id: string; title: string }[] = [];
    for (const message of ON_WHATSAPP) {
      const sent = await ana.say(message);
      expect(warned(sent.map((s) => s.text)), message).to.equal(true);
      offered = sent.flatMap((s) => s.buttons);
      expect(offered.map((b) => b.title)).to.include('Top up credit');
    }
    const topUp = offered.find((b) => b.title === 'Top up credit');
    if (!topUp) throw new Error('no "Top up credit" button');
    const asked = await ana.tapButton(topUp);
    expect(asked.map((s) => s.text).join('\n')).to.match(/How much/);
    const link = await ana.say('10');
    expect(link.map((s) => s.text).join('\n')).to.contain(`${e2e.base}/pay/`);
  });

  it('Messenger: each is answered with the warning and quick replies to get a link', async () => {
    const user = e2e.messenger('psid-e2e-cards');
    for (const message of ON_MESSENGER) {
      const sent = await user.say(message);
      expect(warned(sent.map((s) => s.text)), message).to.equal(true);
      expect(sent.flatMap((s) => s.quickReplies).map((q) => q.title)).to.include.members([
        'Top up credit',
        'Pay my bill',
      ]);
    }
  });

  it('web chat (signed-in and anonymous): each is answered with the warning; "Pay my bill" then gives the link', async () => {
    const ben = await e2e.webchat(DEMO.ben);
    for (const message of ON_WEBCHAT) {
      const replies = await ben.say(message);
      expect(warned(activityTexts(replies)), message).to.equal(true);
      const actions = replies.flatMap((a) => a.suggestedActions?.actions ?? []);
      expect(actions.map((a) => a.title)).to.include('Pay my bill');
    }
    const payAction = (await ben.history())
      .flatMap((a) => a.suggestedActions?.actions ?? [])
      .find((a) => a.title === 'Pay my bill');
    const link = await ben.say(String(payAction?.value));
    expect(activityTexts(link).join('\n')).to.contain(`${e2e.base}/pay/`);
    directLineLogs.push(await ben.history());

    const visitor = await e2e.webchat();
    for (const message of ON_WEBCHAT_ANONYMOUS) {
      expect(warned(activityTexts(await visitor.say(message))), message).to.equal(true);
    }
    directLineLogs.push(await visitor.history());
  });

  it('afterwards no file under DATA_DIR, no log line, no Graph API request and no Direct Line activity holds them', async () => {
    // Everything sent above happened: the checks below look at the real traces.
    expect(directLineLogs).to.have.length(2);
    const userTexts = directLineLogs.flat().filter((a) => a.from?.role === 'user');
    expect(userTexts.length).to.be.at.least(ON_WEBCHAT.length + ON_WEBCHAT_ANONYMOUS.length);
    for (const activities of directLineLogs) {
      expect(leaks(JSON.stringify(activities)), 'Direct Line activities').to.deep.equal([]);
    }

    const graph = e2e.graph.requests.map((r) => JSON.stringify({ body: r.body, response: r.response }));
    expect(graph.length).to.be.greaterThan(ON_WHATSAPP.length + ON_MESSENGER.length);
    expect(leaks(graph.join('\n')), 'Graph API requests').to.deep.equal([]);

    // Stop the product so every store is flushed to disk, then read every file it wrote.
    await e2e.stop();
    expect(e2e.logLines.length).to.be.greaterThan(0);
    expect(leaks(e2e.logLines.join('\n')), 'log lines').to.deep.equal([]);
    const files = filesUnder(e2e.dataDir);
    expect(files.length).to.be.greaterThan(0);
    const withConversations = files.filter((f) => readFileSync(f, 'latin1').includes('card number removed'));
    expect(withConversations.length, 'the redacted messages were stored').to.be.greaterThan(0);
    for (const file of files) {
      expect(leaks(readFileSync(file, 'latin1')), file).to.deep.equal([]);
    }
  });
});
