/**
 * The handoff service and middleware on a small recording channel adapter and a recording desk (the Slack desk
 * is covered end to end in test/adapters/slack). Storage is botbuilder's MemoryStorage; the core is the real one.
 */
import { expect } from 'chai';
import {
  type Activity,
  ActivityHandler,
  ActivityTypes,
  BotAdapter,
  type ConversationReference,
  MemoryStorage,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder';
import type { Desk, HandoffCard } from '../../../bot/handoff/desk.port.js';
import { HandoffMiddleware } from '../../../bot/handoff/handoff.middleware.js';
import { HandoffService, parseRating } from '../../../bot/handoff/handoff.service.js';
import { handoffReasonFor } from '../../../bot/handoff/handoff-triggers.js';
import { maskMsisdn } from '../../../bot/handoff/mask-msisdn.js';
import { handoffRequester } from '../../../bot/handoff/request-human.js';
import { silentLogger } from '../../../bot/logger.js';
import { createChargingCore } from '../../../charging/core.js';
import { seedDemo } from '../../../charging/demo.js';
import { createMemoryChargingStore } from '../../../charging/memory-store.js';

/** A channel that records what the bot sends, and runs turns through the middleware like real adapters. */
class RecordingAdapter extends BotAdapter {
  readonly sent: Partial<Activity>[] = [];

  constructor(readonly channelId: string) {
    super();
  }

  async sendActivities(_context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    this.sent.push(...activities);
    return activities.map((_, i) => ({ id: `out-${this.sent.length + i}` }));
  }

  async updateActivity(): Promise<void> {}
  async deleteActivity(): Promise<void> {}

  async continueConversation(reference: Partial<ConversationReference>, logic: (c: TurnContext) => Promise<void>) {
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'ContinueConversation' },
      reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  override async continueConversationAsync(
    _app: unknown,
    reference: Partial<ConversationReference>,
    logic: unknown,
  ): Promise<void> {
    await this.continueConversation(reference, logic as (c: TurnContext) => Promise<void>);
  }

  say(text: string, channelData: Record<string, unknown> = {}, logic: (c: TurnContext) => Promise<void>) {
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      id: `in-${Math.random()}`,
      channelId: this.channelId,
      serviceUrl: 'http://test',
      from: { id: 'user1', name: 'User' },
      recipient: { id: 'bot', name: 'Bot' },
      conversation: { id: 'conv1', isGroup: false, name: '', conversationType: 'personal' },
      text,
      channelData,
    };
    return this.runMiddleware(new TurnContext(this, activity), logic);
  }

  texts(): string[] {
    return this.sent.filter((a) => a.type === ActivityTypes.Message).map((a) => a.text ?? '');
  }
}

class RecordingDesk implements Desk {
  readonly opened: HandoffCard[] = [];
  readonly posts: { caseRef: string; from: string; text: string }[] = [];
  readonly updates: HandoffCard[] = [];
  async openCase(card: HandoffCard): Promise<string> {
    this.opened.push(card);
    return `case-${this.opened.length}`;
  }
  async post(caseRef: string, message: { from: 'customer' | 'system'; text: string }): Promise<void> {
    this.posts.push({ caseRef, ...message });
  }
  async updateCase(_caseRef: string, card: HandoffCard): Promise<void> {
    this.updates.push(card);
  }
}

class Bot extends ActivityHandler {
  readonly heard: string[] = [];
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const text = context.activity.text ?? '';
      this.heard.push(text);
      if (text === 'limit') await handoffRequester.initiate(context, { reason: 'credit_limit_review', note: 'req_42' });
      else if (text === 'agent') await handoffRequester.initiate(context, { reason: 'customer_request' });
      else await context.sendActivity(`echo ${text}`);
      await next();
    });
  }
}

async function setup(channelId: string, withDesk: boolean) {
  const core = createChargingCore({ store: createMemoryChargingStore() });
  await seedDemo(core);
  const adapter = new RecordingAdapter(channelId);
  const service = new HandoffService({
    storage: new MemoryStorage(),
    charging: core,
    adapters: { [channelId]: adapter },
    queueTimeoutSeconds: 60,
    logger: silentLogger,
  });
  const desk = new RecordingDesk();
  if (withDesk) service.attachDesk(desk);
  adapter.use(new HandoffMiddleware(service));
  const bot = new Bot();
  const say = (text: string, channelData: Record<string, unknown> = {}) =>
    adapter.say(text, channelData, (c) => bot.run(c));
  return { core, adapter, service, desk, bot, say };
}

const ANA = { identity: { msisdn: '+15550100001', verifiedBy: 'webchat-token' } };

describe('handoff service and middleware', () => {
  it('without a desk, offers a call back at once and keeps the message the customer leaves', async () => {
    const { adapter, bot, say, service } = await setup('webchat', false);
    await say('agent', ANA);
    expect(adapter.texts().at(-1)).to.include("we'll call you back");
    await say('call me at noon');
    expect(bot.heard).to.deep.equal(['agent']);
    const state = await service.getConversationState('webchat/conv1');
    expect(state.activeHandoffId).to.equal(undefined);
    await say('hi');
    expect(bot.heard).to.deep.equal(['agent', 'hi']);
  });

  it('keeps handoff.initiate off WhatsApp and Messenger, but lets other channels see it', async () => {
    const wa = await setup('whatsapp', true);
    await wa.say('agent', ANA);
    expect(wa.adapter.sent.some((a) => a.type === ActivityTypes.Event)).to.equal(false);
    const web = await setup('webchat', true);
    await web.say('agent', ANA);
    const event = web.adapter.sent.find((a) => a.type === ActivityTypes.Event);
    expect(event?.name).to.equal('handoff.initiate');
  });

  it('takes the credit-limit request id from the dialogs’ note, and the card shows the recent turns', async () => {
    const { desk, say } = await setup('webchat', true);
    await say('hello', ANA);
    await say('limit', ANA);
    expect(desk.opened).to.have.length(1);
    const card = desk.opened[0];
    expect(card.reason).to.equal('credit_limit_review');
    expect(card.customer.maskedMsisdn).to.equal('+1555•••0001');
    expect(card.lastTurns.map((t) => `${t.from}:${t.text}`)).to.deep.equal([
      'customer:hello',
      'bot:echo hello',
      'customer:limit',
    ]);
  });

  it('marks agent replies on Messenger as a human agent’s (HUMAN_AGENT tag after 24 h)', async () => {
    const { adapter, service, desk, say } = await setup('messenger', true);
    await say('agent');
    const id = (await service.getConversationState('messenger/conv1')).activeHandoffId!;
    expect(desk.opened[0].customer.maskedMsisdn).to.equal(undefined); // unidentified: no number on the card
    expect((await service.claim(id, 'U1')).ok).to.equal(true);
    const reply = await service.deliverAgentReply(id, 'U1', 'Hello from a person');
    expect(reply.ok).to.equal(true);
    const sent = adapter.sent.find((a) => a.text === 'Hello from a person');
    expect((sent?.channelData as { humanAgent?: boolean }).humanAgent).to.equal(true);
    const other = await service.deliverAgentReply(id, 'U2', 'not mine');
    expect(other.ok ? 'ok' : other.error.code).to.equal('HANDOFF.NOT_OWNER');
    expect((await service.grant(id, 'U1', { amount: 100 }, 'k1')).ok).to.equal(false); // no account to act on
  });

  it('a second request while queued does not open a second case', async () => {
    const { desk, say, bot } = await setup('webchat', true);
    await say('agent', ANA);
    await say('agent', ANA);
    expect(desk.opened).to.have.length(1);
    expect(bot.heard).to.deep.equal(['agent']);
    expect(desk.posts.map((p) => p.text)).to.deep.equal(['agent']);
  });

  it('reads ratings, masks numbers and picks the trigger reason', () => {
    expect(parseRating('4')).to.equal(4);
    expect(parseRating(' 5 stars ')).to.equal(5);
    expect(parseRating('3/5')).to.equal(3);
    expect(parseRating('6')).to.equal(undefined);
    expect(parseRating('4 because')).to.equal(undefined);
    expect(maskMsisdn('+15550100001')).to.equal('+1555•••0001');
    expect(maskMsisdn('+123')).to.equal('•••');
    expect(handoffReasonFor({ intent: 'agent.handoff' })).to.equal('customer_request');
    expect(handoffReasonFor({ misunderstandingsInARow: 2, acceptedHumanOffer: true })).to.equal('misunderstood');
    expect(handoffReasonFor({ misunderstandingsInARow: 1, acceptedHumanOffer: true })).to.equal(undefined);
    expect(handoffReasonFor({ sentiment: { score: -0.8 } })).to.equal('negative_sentiment');
    expect(handoffReasonFor({ sentiment: { score: -0.1 } })).to.equal(undefined);
    expect(handoffReasonFor({ creditLimitPending: true })).to.equal('credit_limit_review');
  });
});
