import { expect } from 'chai';
import type { Subscriber } from '../../charging/model.js';
import { ANA, CHANNELS, CHLOE, createHarness, type Harness, play, signIn, textOf } from '../helpers/bot-harness.js';

async function sessions(h: Harness, msisdn: string, app: string): Promise<number> {
  const sub = await h.core.getSubscriber(msisdn);
  if (!sub.ok) throw new Error(sub.error.code);
  return (sub.value as Subscriber).buckets
    .filter((b) => b.app === app && b.unit === 'session')
    .reduce((s, b) => s + b.remainingValue, 0);
}

async function swapEntries(h: Harness, msisdn: string): Promise<number> {
  const ledger = await h.core.getLedger(msisdn, { limit: 500 });
  if (!ledger.ok) throw new Error(ledger.error.code);
  return ledger.value.filter((e) => e.reason === 'swap.debit').length;
}

describe('dialogs: swap sessions', () => {
  for (const channelId of CHANNELS) {
    describe(`on ${channelId}`, () => {
      it('takes everything from the utterance, shows the quote, executes once even if "yes" comes twice', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'swap 10 fb for yt',
            (r) => {
              expect(textOf(r)).to.match(/Swap 10 Facebook sessions for 5 YouTube sessions \(rate 2:1\)/);
              expect(r.flatMap((a) => a.suggestedActions?.actions ?? []).map((a) => a.value)).to.deep.equal([
                'yes',
                'no',
              ]);
            },
          ],
          ['yes', /Done: 10 Facebook swapped for 5 YouTube\. You now have 90 Facebook and 15 YouTube sessions/],
          ['yes', /already done/],
        ]);
        expect(await sessions(h, ANA, 'facebook')).to.equal(90);
        expect(await sessions(h, ANA, 'youtube')).to.equal(15);
        expect(await swapEntries(h, ANA)).to.equal(1);
      });

      it('prompts only for what is missing, with suggested actions', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'I want to swap some sessions',
            (r) => {
              expect(textOf(r)).to.match(/Which sessions do you want to give up\?/);
              expect(r.flatMap((a) => a.suggestedActions?.actions ?? []).map((a) => a.title)).to.deep.equal([
                'Facebook',
                'YouTube',
              ]);
            },
          ],
          ['fb', /Which app do you want sessions for\?/],
          ['Instagram', /How many Facebook sessions do you want to swap\?/],
          ['lots', /whole number/],
          ['twenty', /Swap 20 Facebook sessions for 20 Instagram sessions \(rate 1:1\)/],
          ['no', /did not swap anything/],
        ]);
        expect(await swapEntries(h, ANA)).to.equal(0);
      });

      it('asks for the quantity when only the apps are given', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap facebook for tiktok', /How many Facebook sessions/],
          ['4', /Swap 4 Facebook sessions for 2 TikTok sessions/],
          ['yes', /You now have 96 Facebook and 2 TikTok sessions/],
        ]);
      });

      it('on insufficient sessions offers the most that can be swapped', async () => {
        const h = await createHarness({ channelId, msisdn: CHLOE });
        await signIn(h, CHLOE);
        await play(h, [
          [
            'swap 20 facebook sessions for youtube',
            [/You only have 5 Facebook sessions/, /The most you can swap is 4 Facebook sessions/],
          ],
          ['yes', /Swap 4 Facebook sessions for 2 YouTube sessions/],
          ['yes', /You now have 1 Facebook and 4 YouTube sessions/],
        ]);
      });

      it('gets a fresh quote when the first one expired before "yes"', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [['swap 10 facebook to youtube', /Swap 10 Facebook/]]);
        h.clock.advanceMinutes(5);
        await play(h, [
          ['yes', [/That price expired, here is a fresh one/, /Swap 10 Facebook sessions for 5 YouTube/]],
          ['yes', /Done/],
        ]);
        expect(await swapEntries(h, ANA)).to.equal(1);
      });

      it('undo within the window restores; after it, it says so', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap 10 fb for yt', /Swap 10/],
          ['yes', /Say "undo" in 10 minutes/],
          ['undo', /Undone/],
          ['undo', /no recent swap to undo/],
          ['swap 10 fb for yt', /Swap 10/],
          ['yes', /Done/],
        ]);
        expect(await sessions(h, ANA, 'facebook')).to.equal(90);
        h.clock.advanceMinutes(11);
        await play(h, [['undo', /can no longer be undone/]]);
        expect(await sessions(h, ANA, 'facebook')).to.equal(90);
      });

      it('undo is refused once the swapped-in sessions were used', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap 10 fb for yt', /Swap 10/],
          ['yes', /Done/],
        ]);
        expect((await h.core.chargeUsage(ANA, { app: 'youtube', quantity: 15 })).ok).to.equal(true);
        await play(h, [['undo', /cannot be undone because some of the new sessions were already used/]]);
        expect(await sessions(h, ANA, 'facebook')).to.equal(90);
      });

      it('explains a same-app swap and a pair without a rate', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap 10 facebook for facebook', /same app/],
          ['swap 10 facebook for whatsapp', /can't be swapped for WhatsApp sessions/],
          ['swap 1 facebook for youtube', /too few sessions/],
        ]);
      });
    });
  }
});
