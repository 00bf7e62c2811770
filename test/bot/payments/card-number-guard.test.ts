/**
 * The card-number guard as the first middleware of a real botbuilder pipeline (TestAdapter): card numbers in
 * several formats never reach the bot logic or a later middleware, are never echoed, and the customer is
 * warned and offered the payment-link path.
 */
import { expect } from 'chai';
import { type Activity, ActivityTypes, type Middleware, TestAdapter, type TurnContext } from 'botbuilder';
import { CARD_PLACEHOLDER } from '../../../bot/card-redaction.js';
import { CARD_WARNING, CardNumberGuard } from '../../../bot/payments/card-number-guard.js';

const CARDS = [
  '4242424242424242', // plain 16 digits
  '4242 4242 4242 4242', // grouped by spaces
  '4242-4242-4242-4242', // grouped by dashes
  '5555 5555 5555 4444', // Mastercard
  '3782 822463 10005', // American Express, 15 digits
  '4222222222222', // 13 digits
  '6011 0009 9013 9424', // Discover
];

function digitsOf(card: string): string {
  return card.replace(/\D/g, '');
}

/** A pipeline: guard first, then a "transcript" middleware, then bot logic that echoes what it saw. */
function pipeline(guard: CardNumberGuard) {
  const seenByMiddleware: string[] = [];
  const seenByBot: string[] = [];
  const transcript: Middleware = {
    async onTurn(ctx: TurnContext, next: () => Promise<void>) {
      seenByMiddleware.push(ctx.activity.text ?? '');
      await next();
    },
  };
  const adapter = new TestAdapter(async (ctx) => {
    seenByBot.push(ctx.activity.text ?? '');
    await ctx.sendActivity(`You said: ${ctx.activity.text}`);
  });
  adapter.use(guard).use(transcript);
  return { adapter, seenByMiddleware, seenByBot };
}

async function repliesTo(adapter: TestAdapter, activity: Partial<Activity>): Promise<Partial<Activity>[]> {
  await adapter.send(activity).startTest();
  const out: Partial<Activity>[] = [];
  for (let a = adapter.activeQueue.shift(); a; a = adapter.activeQueue.shift()) out.push(a);
  return out;
}

describe('card-number guard middleware', () => {
  for (const card of CARDS) {
    it(`stops "${card}" before anything else sees it, warns, offers the link path, echoes nothing`, async () => {
      const { adapter, seenByMiddleware, seenByBot } = pipeline(new CardNumberGuard());
      const replies = await repliesTo(adapter, { type: ActivityTypes.Message, text: `my card is ${card} exp 12/30` });
      expect(seenByBot).to.deep.equal([]);
      expect(seenByMiddleware).to.deep.equal([]);
      expect(replies).to.have.length(1);
      expect(replies[0].text).to.equal(CARD_WARNING);
      expect(replies[0].suggestedActions?.actions.map((a) => a.value)).to.deep.equal(['top up', 'pay my bill']);
      for (const r of replies) expect(JSON.stringify(r).replace(/\D/g, '')).not.to.contain(digitsOf(card));
    });
  }

  it('redacts the text in place for the rest of the turn when told to continue, and no reply echoes the number', async () => {
    const { adapter, seenByMiddleware, seenByBot } = pipeline(new CardNumberGuard({ continueTurn: true }));
    const replies = await repliesTo(adapter, {
      type: ActivityTypes.Message,
      text: 'pay with 4242 4242 4242 4242 please',
    });
    expect(seenByMiddleware).to.deep.equal([`pay with ${CARD_PLACEHOLDER} please`]);
    expect(seenByBot).to.deep.equal([`pay with ${CARD_PLACEHOLDER} please`]);
    expect(replies.map((r) => r.text)).to.deep.equal([CARD_WARNING, `You said: pay with ${CARD_PLACEHOLDER} please`]);
  });

  it('recognises a message the channel adapter already redacted (placeholder or flag)', async () => {
    for (const activity of [
      { type: ActivityTypes.Message, text: `here: ${CARD_PLACEHOLDER}` },
      { type: ActivityTypes.Message, text: 'here', channelData: { cardNumberRedacted: true } },
    ]) {
      const { adapter, seenByBot } = pipeline(new CardNumberGuard());
      const replies = await repliesTo(adapter, activity);
      expect(seenByBot).to.deep.equal([]);
      expect(replies.map((r) => r.text)).to.deep.equal([CARD_WARNING]);
    }
  });

  it('lets ordinary numbers through untouched: phone numbers, amounts, codes, non-Luhn digit runs', async () => {
    for (const text of [
      'top up 10',
      'my number is +15550100001',
      'code 123456',
      '4242 4242 4242 4241',
      'order 12345678901234',
    ]) {
      const { adapter, seenByBot } = pipeline(new CardNumberGuard());
      const replies = await repliesTo(adapter, { type: ActivityTypes.Message, text });
      expect(seenByBot).to.deep.equal([text]);
      expect(replies.map((r) => r.text)).to.deep.equal([`You said: ${text}`]);
    }
  });

  it('redacts a card number any later code tries to send, on every turn', async () => {
    const adapter = new TestAdapter(async (ctx) => {
      await ctx.sendActivity('your card 4242 4242 4242 4242 is on file');
    });
    adapter.use(new CardNumberGuard());
    const replies = await repliesTo(adapter, { type: ActivityTypes.Message, text: 'hello' });
    expect(replies.map((r) => r.text)).to.deep.equal([`your card ${CARD_PLACEHOLDER} is on file`]);
  });
});
