import { expect } from 'chai';
import { ANA, CHANNELS, createHarness, play, signIn, textOf } from '../helpers/bot-harness.js';

describe('bad input: a sensible answer, no crash, nothing charged twice', () => {
  for (const channelId of CHANNELS) {
    describe(`on ${channelId}`, () => {
      it('empty, very long, emoji-only, another language, attachment without text', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['', /didn't receive any text/],
          ['   ', /didn't receive any text/],
          ['swap '.repeat(1000), /very long/],
          ['😀🎉👍', /didn't get that/],
          ['Wie hoch ist mein Guthaben bitte?', (r) => expect(textOf(r)).not.to.match(/Credit:|Swap|payment link/)],
          [
            { text: undefined, attachments: [{ contentType: 'image/jpeg', contentUrl: 'https://example.test/a.jpg' }] },
            /only read text/,
          ],
          ['what is my balance', /Credit: \$5\.00/],
        ]);
      });

      it('bad input in the middle of a dialog repeats the open question', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap 10 fb for yt', /Shall I do it/],
          ['', [/didn't receive any text/, /Shall I do it/]],
          [
            { attachments: [{ contentType: 'audio/ogg', contentUrl: 'https://example.test/v.ogg' }] },
            [/only read text/, /Shall I do it/],
          ],
          ['x'.repeat(5000), [/very long/, /Shall I do it/]],
          ['🤷', /Shall I do it/],
          ['yes', /Done/],
        ]);
      });

      it('"yes" twice at the same moment: one swap, one "already done"', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [['swap 10 fb for yt', /Shall I do it/]]);
        const identity = h.channelProvesIdentity
          ? { identity: { msisdn: ANA, verifiedBy: channelId === 'whatsapp' ? 'whatsapp' : 'webchat-token' } }
          : undefined;
        h.adapter.activeQueue.splice(0);
        await Promise.all(
          ['m1', 'm2'].map((id) =>
            h.adapter.processActivity({ type: 'message', id, text: 'yes', channelData: identity }, (c) =>
              h.app.bot.run(c),
            ),
          ),
        );
        const texts = textOf(h.adapter.activeQueue.splice(0));
        expect(texts).to.match(/Done: 10 Facebook/);
        expect(texts).to.match(/already done/);
        const ledger = await h.core.getLedger(ANA, { limit: 500 });
        expect(ledger.ok && ledger.value.filter((e) => e.reason === 'swap.debit')).to.have.length(1);
      });
    });
  }
});
