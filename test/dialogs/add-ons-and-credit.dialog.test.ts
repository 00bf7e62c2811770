import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import {
  ANA,
  actionsOf,
  BEN,
  CHANNELS,
  CHLOE,
  createHarness,
  DIEGO,
  EVE,
  play,
  signIn,
  textOf,
} from '../helpers/bot-harness.js';

const handoffEvents = (r: Partial<Activity>[]) => r.filter((a) => a.type === 'event' && a.name === 'handoff.initiate');

describe('dialogs: add-ons, offers, credit limit', () => {
  for (const channelId of CHANNELS) {
    describe(`on ${channelId}`, () => {
      it('buys an add-on: pick, price and validity, confirm, once; then not enough credit', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'I want to buy an add-on',
            (r) => {
              expect(textOf(r)).to.match(/Data 1 GB: \$5\.00, valid 7 days/);
              expect(actionsOf(r).map((a) => a.title)).to.include.members(['Data 1 GB', 'Streaming Pass']);
            },
          ],
          ['Data 1 GB', /Data 1 GB costs \$5\.00 and is valid for 7 days\. Buy it\?/],
          ['yes', /Done, Data 1 GB is active\. Your credit is now \$0\.00/],
          ['yes', /already done/],
          ['buy more youtube sessions', /Streaming Pass costs \$8\.00 and is valid for 30 days/],
          [
            'yes',
            (r) => {
              expect(textOf(r)).to.match(/don't have enough credit/);
              expect(actionsOf(r).map((a) => a.value)).to.deep.equal(['Top up']);
            },
          ],
        ]);
        const ledger = await h.core.getLedger(ANA, { limit: 500 });
        expect(ledger.ok && ledger.value.filter((e) => e.reason === 'addon' && e.unit === 'money')).to.have.length(1);
      });

      it('a postpaid add-on goes on the bill; "no" buys nothing', async () => {
        const h = await createHarness({ channelId, msisdn: BEN });
        await signIn(h, BEN);
        await play(h, [
          ['buy the sms add-on', /SMS 100 costs \$2\.00/],
          ['no', /did not buy anything/],
          ['buy the sms add-on', /SMS 100 costs/],
          ['yes', /SMS 100 is active\. It will appear on your next bill/],
        ]);
      });

      it('offers: a streaming-heavy postpaid user is offered the streaming add-on, one tap buys it', async () => {
        const h = await createHarness({ channelId, msisdn: EVE });
        await signIn(h, EVE);
        const r = await h.say('any offers for me?');
        expect(textOf(r)).to.match(/You watch a lot of YouTube: at this pace your plan will charge you extra/);
        const buy = actionsOf(r).find((a) => a.title === 'Buy Streaming Pass');
        expect(buy, 'one-tap button').to.exist;
        await play(h, [[{ text: String(buy?.value) }, /Done, Streaming Pass is active/]]);
        const sub = await h.core.getSubscriber(EVE);
        expect(sub.ok && sub.value.buckets.some((b) => b.productId === 'addon-streaming')).to.equal(true);
      });

      it('offers: nothing needed, or declined', async () => {
        const diego = await createHarness({ channelId, msisdn: DIEGO });
        await signIn(diego, DIEGO, 'hola');
        await play(diego, [['¿tienes alguna oferta para mí?', /Tu plan se ajusta/]]);
        const chloe = await createHarness({ channelId, msisdn: CHLOE });
        await signIn(chloe, CHLOE);
        await play(chloe, [
          ['what offers do you have for me', /Your YouTube sessions will run out before they renew/],
          ['No thanks', /did not buy anything/],
        ]);
      });

      it('credit limit: approved by the rule, or pending for an agent (handoff requested)', async () => {
        const h = await createHarness({ channelId, msisdn: BEN });
        await signIn(h, BEN);
        await play(h, [
          ['can you raise my credit limit', /Your credit limit is \$150\.00\. What limit would you like\?/],
          ['umm', /type the new limit/],
          ['200', /Good news: your credit limit is now \$200\.00/],
          [
            'increase my credit limit to 1000 dollars',
            (r) => {
              expect(textOf(r)).to.match(/I've asked for a credit limit of \$1,000\.00\. An agent will decide/);
              expect(handoffEvents(r)[0]?.value).to.include({ reason: 'credit_limit_review' });
              expect(textOf(r)).not.to.match(/asking one of our people/);
            },
          ],
        ]);
        const sub = await h.core.getSubscriber(BEN);
        expect(sub.ok && sub.value.creditLimitRequests?.map((c) => c.status)).to.deep.equal(['approved', 'pending']);
      });

      it('credit limit on prepaid is explained', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [['raise my credit limit to 100', /Credit limits are for postpaid plans/]]);
      });
    });
  }
});
