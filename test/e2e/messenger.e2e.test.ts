/**
 * Messenger end to end: a PSID proves no number, so the bot verifies by one-time code (CONTRACTS.md 3.5). The
 * code is read where an operator's QA reads it, `GET /api/v1/outbox?msisdn=` with ADMIN_TOKEN; balances are
 * compared with the embedded core.
 */
import { expect } from 'chai';
import { DEMO, type E2eApp, type MessengerSent, sessionsOf, startE2eApp } from '../helpers/e2e-app.js';

const allText = (sent: MessengerSent[]) => sent.map((s) => s.text).join('\n');

/** The 6-digit code of the newest SMS in the outbox. */
async function lastCode(e2e: E2eApp, msisdn: string): Promise<string> {
  const messages = await e2e.outbox(msisdn);
  const code = /\b(\d{6})\b/.exec(messages.at(-1) ?? '')?.[1];
  if (!code) throw new Error('no code in the outbox');
  return code;
}

/** A 6-digit code that is not `code`. */
const otherThan = (code: string, n: number) => String((Number(code) + 1 + n) % 1_000_000).padStart(6, '0');

describe('e2e: Messenger with the real bot', function () {
  this.timeout(60_000);
  let e2e: E2eApp;

  before(async () => {
    e2e = await startE2eApp();
  });
  after(async () => {
    await e2e?.close();
  });

  it('asks a user without identity to verify, and after the one-time code answers with the balances', async () => {
    const user = e2e.messenger('psid-e2e-eve');
    const asked = await user.say('what is my balance');
    expect(allText(asked)).to.match(/What is your mobile number/);
    expect(allText(asked)).not.to.match(/sessions|Credit|\$\d/);

    expect(await e2e.outbox(DEMO.eve)).to.have.length(0);
    const sent = await user.say(DEMO.eve);
    expect(allText(sent)).to.match(/6-digit code is on its way/);
    const code = await lastCode(e2e, DEMO.eve);

    const verified = await user.say(code);
    const text = allText(verified);
    expect(text).to.contain('Thanks, Eve, you are verified.');
    // The question asked before verifying is answered, with the figures the core holds.
    const eve = await e2e.subscriber(DEMO.eve);
    expect(text).to.contain(`YouTube sessions: ${sessionsOf(eve, 'youtube')} left`);
    expect(text).to.contain(`TikTok sessions: ${sessionsOf(eve, 'tiktok')} left`);
    // Every send was a reply inside the window, with the page token.
    for (const s of user.sent()) expect(s.request.body.messaging_type).to.equal('RESPONSE');

    // From now on the PSID is linked: no second verification.
    const later = await user.say('how many youtube sessions do i have');
    expect(allText(later)).to.contain(`YouTube sessions: ${sessionsOf(eve, 'youtube')} left`);
  });

  it('after three wrong codes the old code no longer works and a new code is needed', async () => {
    const user = e2e.messenger('psid-e2e-chloe');
    await user.say('what is my balance');
    await user.say(DEMO.chloe);
    const code = await lastCode(e2e, DEMO.chloe);

    expect(allText(await user.say(otherThan(code, 0)))).to.contain('2 attempts left');
    expect(allText(await user.say(otherThan(code, 1)))).to.contain('1 attempt left');
    expect(allText(await user.say(otherThan(code, 2)))).to.match(/Too many wrong attempts.*new code/);

    // The right code, too late: refused, nothing about the account shown.
    const late = allText(await user.say(code));
    expect(late).not.to.match(/verified|sessions left|Credit/);
    expect(late).to.match(/new code/i);

    // A new code is sent and works.
    const before = (await e2e.outbox(DEMO.chloe)).length;
    expect(allText(await user.say('new code'))).to.contain('I sent a new code.');
    expect((await e2e.outbox(DEMO.chloe)).length).to.equal(before + 1);
    const fresh = await lastCode(e2e, DEMO.chloe);
    const verified = allText(await user.say(fresh));
    expect(verified).to.contain('Thanks, Chloe, you are verified.');
    const chloe = await e2e.subscriber(DEMO.chloe);
    expect(verified).to.contain(`YouTube sessions: ${sessionsOf(chloe, 'youtube')} left`);
  });
});
