/**
 * PENDING (not committed: fails on the current product). Copy to test/e2e/ to run.
 * A card number typed while a payment link is open should be answered with the warning in the customer's
 * language AND the open link (bot/telco-bot.ts does this), but bot/compose.ts registers CardNumberGuard with
 * `continueTurn: false` first, which ends the turn with its own English-only warning, so the bot never runs.
 */
import { expect } from 'chai';
import { DEMO, type E2eApp, startE2eApp } from '../helpers/e2e-app.js';

describe('e2e: a card number while a payment link is open', function () {
  this.timeout(60_000);
  let e2e: E2eApp;
  before(async () => {
    e2e = await startE2eApp();
  });
  after(async () => {
    await e2e?.close();
  });

  it('re-sends the open payment link with the warning', async () => {
    const ana = e2e.whatsapp(DEMO.ana.slice(1), 'Ana');
    const link = /http:\/\/127\.0\.0\.1:\d+\/pay\/[A-Za-z0-9_-]+/.exec(
      (await ana.say('top up 10')).map((s) => s.text).join('\n'),
    )?.[0];
    expect(link).to.be.a('string');
    const sent = (await ana.say('4111 1111 1111 1111')).map((s) => s.text).join('\n');
    expect(sent).to.match(/never send card details/i);
    expect(sent).to.contain(String(link));
  });

  it('warns a Spanish-speaking subscriber in Spanish', async () => {
    const diego = e2e.whatsapp(DEMO.diego.slice(1), 'Diego');
    await diego.say('hola');
    const sent = (await diego.say('mi tarjeta es 4111 1111 1111 1111')).map((s) => s.text).join('\n');
    expect(sent).not.to.contain('For your safety');
  });
});
