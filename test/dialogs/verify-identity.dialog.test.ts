import { expect } from 'chai';
import { ANA, actionsOf, BEN, createHarness, demoCore, play, textOf } from '../helpers/bot-harness.js';
import { FixedClock } from '../helpers/fixed-clock.js';

/** Channels where the number is not proven by the channel: an anonymous web visitor and Messenger. */
const BY_CODE = [
  { channelId: 'messenger', anonymous: false },
  { channelId: 'webchat', anonymous: true },
] as const;

describe('identity: one-time codes and channel identity', () => {
  for (const { channelId, anonymous } of BY_CODE) {
    describe(`on ${channelId}${anonymous ? ' (anonymous visitor)' : ''}`, () => {
      it('asks for the number, sends a code by SMS, then answers the request that started it', async () => {
        const h = await createHarness({ channelId, anonymous });
        await play(h, [
          ['hi', (r) => expect(textOf(r)).to.match(/^Hi! How can I help/)],
          [
            'what is my balance',
            (r) => {
              expect(textOf(r)).to.match(/What is your mobile number/);
              expect(textOf(r)).not.to.match(/\$|sessions/);
            },
          ],
          ['my number is 5550100001', /with the country code/],
          ['+1 555 010 0001', /If that number is one of ours, a 6-digit code is on its way/],
        ]);
        const outbox = await h.outbox.list(ANA);
        expect(outbox).to.have.length(1);
        expect(outbox[0].text).to.match(/Your verification code is \d{6}\. It expires in 5 minutes/);
        const code = (await h.lastCode(ANA))!;
        await play(h, [[code, [/Thanks, Ana, you are verified/, /Credit: \$5\.00/]]]);
      });

      it('three wrong codes need a new code; a new code works', async () => {
        const h = await createHarness({ channelId, anonymous });
        await play(h, [
          ['how many youtube sessions do I have', /mobile number/],
          [ANA, /code is on its way/],
        ]);
        const first = (await h.lastCode(ANA))!;
        const wrong = first === '000000' ? '111111' : '000000';
        await play(h, [
          [wrong, /not right\. 2 attempts left/],
          ['12345', /type the 6 digits/],
          [wrong, /not right\. 1 attempt left/],
          [wrong, /Too many wrong attempts/],
          [first, /Too many wrong attempts/],
          ['new code', /I sent a new code/],
        ]);
        const second = (await h.lastCode(ANA))!;
        await play(h, [[second, [/you are verified/, /YouTube sessions: 10 left/]]]);
        expect(await h.outbox.list(ANA)).to.have.length(2);
      });

      it('a code expires after 5 minutes', async () => {
        const clock = new FixedClock('2026-03-10T10:00:00.000Z');
        const h = await createHarness({ channelId, anonymous, clock, core: await demoCore(clock) });
        await play(h, [
          ['show my bill', /mobile number/],
          [BEN, /code is on its way/],
        ]);
        const code = (await h.lastCode(BEN))!;
        clock.advanceMinutes(6);
        await play(h, [
          [code, /That code has expired/],
          ['resend', /new code/],
        ]);
        await play(h, [[(await h.lastCode(BEN))!, [/Thanks, Ben/, /Your bill is \$55\.55/]]]);
      });

      it('a number that is not ours gets the same answer, no SMS, and no code ever verifies', async () => {
        const h = await createHarness({ channelId, anonymous });
        await play(h, [
          ['what is my balance', /mobile number/],
          ['+15559990000', /If that number is one of ours/],
        ]);
        expect(await h.outbox.list('+15559990000')).to.deep.equal([]);
        await play(h, [['123456', (r) => expect(textOf(r)).not.to.match(/verified/)]]);
      });

      it('remembers the verified identity per channel user, in a new conversation too', async () => {
        const core = await demoCore();
        const first = await createHarness({ channelId, anonymous, core, userId: 'same-user', conversationId: 'c1' });
        await play(first, [
          ['my balance', /mobile number/],
          [ANA, /code/],
        ]);
        await play(first, [[(await first.lastCode(ANA))!, /verified/]]);
        const again = await createHarness({
          channelId,
          anonymous,
          core,
          storage: first.storage,
          userId: 'same-user',
          conversationId: 'c2',
        });
        await play(again, [['my balance', /Credit: \$5\.00/]]);
        const stranger = await createHarness({ channelId, anonymous, core, storage: first.storage, userId: 'other' });
        await play(stranger, [['my balance', /mobile number/]]);
      });

      it('cancel leaves the verification', async () => {
        const h = await createHarness({ channelId, anonymous });
        await play(h, [
          ['my balance', /mobile number/],
          ['cancel', /cancelled/],
          ['hello', /^Hi!/],
        ]);
      });

      it('limits how many codes one user can have sent', async () => {
        const h = await createHarness({ channelId, anonymous });
        await play(h, [
          ['my balance', /mobile number/],
          [ANA, /code/],
        ]);
        for (let i = 0; i < 4; i++) await play(h, [['new code', /new code/]]);
        await play(h, [['new code', /sent several codes already/]]);
        expect(await h.outbox.list(ANA)).to.have.length(5);
      });
    });
  }

  describe('channel identity (WhatsApp sender, signed web identity)', () => {
    for (const channelId of ['whatsapp', 'webchat'] as const) {
      it(`on ${channelId}: a subscriber is known at once`, async () => {
        const h = await createHarness({ channelId, msisdn: BEN });
        await play(h, [['hi', /^Hi Ben!/]]);
      });

      it(`on ${channelId}: a number that is not ours is told so politely, without account data`, async () => {
        const h = await createHarness({ channelId, msisdn: '+15559990000' });
        await play(h, [
          ['hi', [/isn't one of our subscribers/]],
          [
            'what is my balance',
            (r) => {
              expect(textOf(r)).to.match(/isn't one of our subscribers, so I can't show any account details/);
              expect(actionsOf(r).map((a) => a.title)).to.deep.equal(['Talk to a person']);
            },
          ],
          ['pay my bill', /isn't one of our subscribers/],
          ['talk to a person', /asking one of our people/],
        ]);
        expect(await h.outbox.list('+15559990000')).to.deep.equal([]);
      });
    }

    it('an identity an adapter did not set (no verifiedBy) is ignored', async () => {
      const h = await createHarness({ channelId: 'messenger' });
      await play(h, [[{ text: 'what is my balance', channelData: { identity: { msisdn: ANA } } }, /mobile number/]]);
    });
  });
});
