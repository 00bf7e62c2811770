import { expect } from 'chai';
import { ANA, CHANNELS, CHLOE, createHarness, play, signIn, textOf } from '../helpers/bot-harness.js';

describe('dialogs: balances', () => {
  for (const channelId of CHANNELS) {
    describe(`on ${channelId}`, () => {
      it('shows everything, one bucket, or what is missing, with expiry in words', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          [
            'what is my balance',
            [/Credit: \$5\.00/, /Facebook sessions: 100 left, expires in 25 days/, /Data: 1\.5 GB left/],
          ],
          [
            'how many youtube sessions do I have',
            (r) => {
              expect(textOf(r)).to.equal('YouTube sessions: 10 left, expires in 25 days');
            },
          ],
          ['how many tiktok sessions do i have left', /You don't have any TikTok sessions right now/],
        ]);
      });

      it('shows sessions credited by swaps with the allowance they add to, as one line with the sum', async () => {
        const h = await createHarness({ channelId, msisdn: ANA });
        await signIn(h, ANA);
        await play(h, [
          ['swap 10 fb for yt', /Shall I do it\?/],
          ['yes', /You now have 90 Facebook and 15 YouTube sessions/],
          ['swap 4 fb for yt', /Shall I do it\?/],
          ['yes', /You now have 86 Facebook and 17 YouTube sessions/],
          [
            'what is my balance',
            (r) => {
              const text = textOf(r);
              expect(text).to.include('Facebook sessions: 86 left, expires in 25 days');
              expect(text).to.include('YouTube sessions: 17 left, expires in 25 days');
              expect(text.match(/YouTube sessions/g)).to.have.length(1);
            },
          ],
        ]);
      });

      it('warns when something runs out or expires soon', async () => {
        const h = await createHarness({ channelId, msisdn: CHLOE });
        await signIn(h, CHLOE);
        await play(h, [
          [
            'show my balance',
            [
              /YouTube sessions: 2 left/,
              /Heads up: your YouTube sessions are running out/,
              /Heads up: your data expires in 2 days/,
            ],
          ],
        ]);
      });
    });
  }
});
