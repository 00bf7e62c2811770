/**
 * WhatsApp end to end (issue 5 "Done when"): the whole product from `composeApp` on a real port, Meta's signed
 * webhook payloads posted to `/webhooks/whatsapp`, and the fake Graph API recording exactly what goes out.
 * Figures are read from the embedded core, never hard-coded.
 */
import { expect } from 'chai';
import { DEMO, E2E_SECRETS, type E2eApp, sessionsOf, startE2eApp, type WhatsAppSent } from '../helpers/e2e-app.js';
import { newWamid, waButtonReplyWebhook, waTextWebhook } from '../helpers/meta-signing.js';

const waIdOf = (msisdn: string) => msisdn.slice(1);
const allText = (sent: WhatsAppSent[]) => sent.map((s) => s.text).join('\n');

describe('e2e: WhatsApp Cloud API with the real bot', function () {
  this.timeout(60_000);
  let e2e: E2eApp;

  before(async () => {
    e2e = await startE2eApp();
  });
  after(async () => {
    await e2e?.close();
  });

  it('answers "how many youtube sessions do i have" with the figure the core holds', async () => {
    const ana = e2e.whatsapp(waIdOf(DEMO.ana), 'Ana');
    const youtube = sessionsOf(await e2e.subscriber(DEMO.ana), 'youtube');
    expect(youtube).to.be.greaterThan(0);

    const sent = await ana.say('how many youtube sessions do i have');
    expect(sent).to.have.length(1);
    expect(sent[0].type).to.equal('text');
    expect(sent[0].text).to.match(new RegExp(`YouTube sessions: ${youtube} left`));
    expect(sent[0].request.authorization).to.equal(`Bearer ${E2E_SECRETS.whatsappAccessToken}`);
    expect(sent[0].request.path).to.equal(`/${E2E_SECRETS.phoneNumberId}/messages`);
  });

  it('swaps 10 Facebook for YouTube: the quote as reply buttons, a button tap confirms, the core changes once, a duplicate delivery is ignored', async () => {
    const ana = e2e.whatsapp(waIdOf(DEMO.ana), 'Ana');
    const before = await e2e.subscriber(DEMO.ana);
    const fb0 = sessionsOf(before, 'facebook');
    const yt0 = sessionsOf(before, 'youtube');

    const quote = await ana.say('swap 10 facebook for youtube');
    const quoted = /Swap 10 Facebook sessions for (\d+) YouTube sessions/.exec(allText(quote));
    expect(quoted, allText(quote)).to.not.equal(null);
    const credit = Number(quoted?.[1]);
    expect(credit).to.be.greaterThan(0);
    const asking = quote.find((s) => s.type === 'interactive' && s.buttons.length > 0);
    expect(asking, 'the confirmation is sent as reply buttons').to.not.equal(undefined);
    const titles = asking?.buttons.map((b) => b.title) ?? [];
    expect(titles).to.include.members(['Yes', 'No']);
    // Nothing moves before the customer confirms.
    const quotedState = await e2e.subscriber(DEMO.ana);
    expect(sessionsOf(quotedState, 'facebook')).to.equal(fb0);
    expect(sessionsOf(quotedState, 'youtube')).to.equal(yt0);

    const yes = asking?.buttons.find((b) => b.title === 'Yes');
    if (!yes) throw new Error('no Yes button');
    const tapId = newWamid();
    const tap = waButtonReplyWebhook(
      { waId: waIdOf(DEMO.ana), phoneNumberId: E2E_SECRETS.phoneNumberId, name: 'Ana', id: tapId },
      yes.id,
      yes.title,
    );
    const first = await ana.deliver(tap);
    expect(first.status).to.equal(200);
    expect(first.sent).to.have.length(1);
    expect(first.sent[0].text).to.match(/^Done: 10 Facebook swapped for \d+ YouTube/);
    const after = await e2e.subscriber(DEMO.ana);
    expect(sessionsOf(after, 'facebook')).to.equal(fb0 - 10);
    expect(sessionsOf(after, 'youtube')).to.equal(yt0 + credit);
    expect(first.sent[0].text).to.contain(`You now have ${fb0 - 10} Facebook and ${yt0 + credit} YouTube sessions`);

    // Meta delivers the very same webhook again (same wamid): acknowledged, no reply, no second swap.
    const again = await ana.deliver(tap);
    expect(again.status).to.equal(200);
    expect(again.sent).to.have.length(0);
    // The customer taps the old button once more (a new message): still only one swap.
    await ana.tapButton(yes);
    const final = await e2e.subscriber(DEMO.ana);
    expect(sessionsOf(final, 'facebook')).to.equal(fb0 - 10);
    expect(sessionsOf(final, 'youtube')).to.equal(yt0 + credit);
  });

  it('offers more than three choices as a list message, and a picked row carries on the dialog', async () => {
    const chloe = e2e.whatsapp(waIdOf(DEMO.chloe), 'Chloe');
    const asked = await chloe.say('i want to top up');
    const list = asked.find((s) => s.rows.length > 3);
    expect(list, JSON.stringify(asked.map((s) => s.text))).to.not.equal(undefined);
    const ten = list?.rows.find((r) => /\b10\b/.test(r.title));
    if (!ten) throw new Error(`no row for 10 in ${JSON.stringify(list?.rows)}`);
    const link = await chloe.pickRow(ten);
    const text = allText(link);
    expect(text).to.contain('$10.00');
    expect(text).to.contain(`${e2e.base}/pay/`);
  });

  it('answers 401 to a wrong or missing signature and sends nothing, not even a read receipt', async () => {
    const eve = e2e.whatsapp(waIdOf(DEMO.eve), 'Eve');
    const requestsBefore = e2e.graph.requests.length;
    const payload = waTextWebhook(
      { waId: waIdOf(DEMO.eve), phoneNumberId: E2E_SECRETS.phoneNumberId, name: 'Eve' },
      'what is my balance',
    );
    const wrong = await eve.deliver(payload, { signature: `sha256=${'0'.repeat(64)}` });
    expect(wrong.status).to.equal(401);
    const missing = await eve.deliver(payload, { signature: null });
    expect(missing.status).to.equal(401);
    expect(e2e.graph.requests.length).to.equal(requestsBefore);
    expect(eve.sent()).to.have.length(0);
    // The same payload, correctly signed, is processed: the message id was not burnt by the rejected tries.
    const signed = await eve.deliver(payload);
    expect(signed.status).to.equal(200);
    expect(signed.sent.length).to.be.greaterThan(0);
  });

  it('sends the approved template, never free text, when Meta says the 24-hour window is closed', async () => {
    const diego = e2e.whatsapp(waIdOf(DEMO.diego), 'Diego');
    // The last message Meta counts was more than 24 hours ago (a late redelivery): free-form sends get 131047.
    e2e.graph.closeWindow(diego.waId);
    const before = e2e.graph.requests.length;
    const sent = await diego.say('cuantas sesiones de facebook tengo');
    expect(sent.map((s) => s.type)).to.deep.equal(['template']);
    expect(sent[0].template).to.equal('account_update');
    const rejected = e2e.graph.requests
      .slice(before)
      .filter((r) => r.kind === 'message' && r.body.to === diego.waId && r.status !== 200);
    expect(rejected.length).to.be.greaterThan(0);
    expect(rejected.every((r) => r.body.type !== 'template')).to.equal(true);
    expect(JSON.stringify(rejected[0].response)).to.contain('131047');
  });

  it('tells a number that is not a subscriber so, politely, with no account data', async () => {
    const stranger = e2e.whatsapp('15557770123', 'Sam');
    const sent = await stranger.say('how many youtube sessions do i have');
    expect(sent.length).to.be.greaterThan(0);
    const text = allText(sent);
    expect(text).to.match(/isn't one of our subscribers/);
    expect(text).not.to.match(/\d+ (left|sessions|MB)|Credit|\$\d|expires/i);
    // Nothing beyond the way to a person is offered.
    const offered = sent.flatMap((s) => [...s.buttons, ...s.rows]).map((b) => b.title);
    expect(offered).to.deep.equal(['Talk to a person']);
  });
});
