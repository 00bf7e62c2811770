/**
 * The human handoff: who owns a customer conversation (the bot, the queue, an agent), the relay between the
 * customer's channel and the agent desk, the queue timeout, resolve and the rating. Every state change is written
 * to botbuilder `Storage` before anyone is told about it, so a restart finds each conversation where it was.
 *
 * Changes touching one customer conversation run one at a time (`KeyedMutex` on the conversation key), whether
 * they come from the customer's turn, an agent's click, or the queue sweep.
 */
import { randomUUID } from 'node:crypto';
import {
  type Activity,
  ActivityTypes,
  type ConversationReference,
  type ResourceResponse,
  type Storage,
  TurnContext,
} from 'botbuilder';
import type { Clock, ChargingService } from '../../charging/ports.js';
import { systemClock } from '../../charging/ports.js';
import type { Subscriber } from '../../charging/model.js';
import type { Logger } from '../logger.js';
import type { Desk, HandoffCard } from './desk.port.js';
import { buildHandoffCard, CARD_TURNS, formatMoney } from './handoff-card.js';
import { handoffMessages } from './handoff-messages.js';
import {
  type ConversationHandoffState,
  HandoffErrorCodes,
  type HandoffRecord,
  type HandoffRequest,
  type HandoffResult,
  handoffFail,
  handoffOk,
  type TranscriptTurn,
} from './handoff.model.js';
import { HandoffStore } from './handoff-store.js';
import { KeyedMutex } from './keyed-mutex.js';

/** The one method of a botbuilder `BotAdapter` the service needs to reach a customer on their channel. */
export interface ChannelAdapter {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

/**
 * The signal a channel adapter gives when it could not send the agent's text as is: WhatsApp outside the 24-hour
 * customer-service window sends an approved template instead and flags the `ResourceResponse` it returns with
 * `templateFallback: true`. The service then tells the agent in the case.
 */
export interface ChannelResourceResponse extends ResourceResponse {
  templateFallback?: boolean;
}

export interface HandoffServiceOptions {
  storage: Storage;
  charging: ChargingService;
  /** Channel id (`whatsapp`, `messenger`, `webchat`, `emulator`...) -> the adapter that reaches that channel. */
  adapters: Record<string, ChannelAdapter>;
  /** `MicrosoftAppId` (empty string locally), passed to `continueConversationAsync`. */
  botAppId?: string;
  /** Seconds a handoff may wait for an agent before the customer is offered a call back. */
  queueTimeoutSeconds: number;
  /** Minutes per customer ahead in the queue, for the wait estimate. Default 3. */
  minutesPerQueuedCustomer?: number;
  clock?: Clock;
  logger: Logger;
  /** The subscriber's MSISDN when the bot knows it by other means than `channelData.identity` (e.g. verified by code). */
  resolveMsisdn?: (context: TurnContext) => Promise<string | undefined>;
  /**
   * True when the customer's channel will not take free text right now (WhatsApp outside its 24-hour window, where
   * the adapter sends a template instead). Asked before each agent reply so the agent can be told. Optional: an
   * adapter may instead flag its `ResourceResponse` with `templateFallback: true`.
   */
  isWindowClosed?: (channelId: string, userId: string) => Promise<boolean>;
}

/** What the middleware learned during one customer turn the dialogs handled. */
export interface TurnSummary {
  customerText?: string;
  botTexts: string[];
  /** The `handoff.initiate` event the bot sent during the turn, if any. */
  initiate?: Partial<Activity>;
}

/** Goodwill an agent grants: money (minor units) or units of an app's sessions. */
export type GoodwillGrant = { amount: number } | { app: string; quantity: number };

/**
 * Turns kept per conversation for the context card: as many as it shows, each line cut like the dialogs'
 * transcript. This state is rewritten on every customer message, so what is not shown is not kept.
 */
const MAX_TURNS = CARD_TURNS;
const TURN_CHARS = 500;

/** True for activities a customer typed (or tapped); proactive continuations and events are not. */
function isCustomerMessage(activity: Partial<Activity>): boolean {
  return activity.type === ActivityTypes.Message;
}

export function conversationKeyOf(activity: Partial<Activity>): string {
  return `${activity.channelId ?? 'unknown'}/${activity.conversation?.id ?? 'unknown'}`;
}

/** Parses a 1 to 5 rating ("4", "5 stars", "3/5"); anything else is not a rating. */
export function parseRating(text: string | undefined): number | undefined {
  const m = /^\s*([1-5])\s*(?:\/\s*5|stars?|★+|⭐+)?\s*[.!]?\s*$/i.exec(text ?? '');
  return m ? Number(m[1]) : undefined;
}

/** Reads turns out of the `Transcript` attachment of a `handoff.initiate` event. */
function turnsFromInitiate(initiate: Partial<Activity>, botId: string | undefined): TranscriptTurn[] {
  const attachment = initiate.attachments?.find((a) => a.name === 'Transcript');
  const content = attachment?.content as { activities?: Partial<Activity>[] } | undefined;
  const turns: TranscriptTurn[] = [];
  for (const a of content?.activities ?? []) {
    if (a.type !== ActivityTypes.Message || !a.text) continue;
    const fromBot = a.from?.role === 'bot' || (botId !== undefined && a.from?.id === botId);
    turns.push({
      from: fromBot ? 'bot' : 'customer',
      text: a.text,
      at: a.timestamp ? new Date(a.timestamp).toISOString() : new Date(0).toISOString(),
    });
  }
  return turns;
}

/**
 * The handoff service. Construct one per process; attach the desk (`attachDesk`) when it is configured; register
 * `new HandoffMiddleware(service)` on every channel adapter so the bot stays silent while a human owns a conversation.
 */
export class HandoffService {
  readonly #store: HandoffStore;
  readonly #charging: ChargingService;
  readonly #adapters: Record<string, ChannelAdapter>;
  readonly #botAppId: string;
  readonly #timeoutMs: number;
  readonly #minutesPerCustomer: number;
  readonly #clock: Clock;
  readonly #logger: Logger;
  readonly #resolveMsisdn?: (context: TurnContext) => Promise<string | undefined>;
  readonly #isWindowClosed?: (channelId: string, userId: string) => Promise<boolean>;
  readonly #mutex = new KeyedMutex();
  #desk: Desk | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: HandoffServiceOptions) {
    this.#store = new HandoffStore(opts.storage);
    this.#charging = opts.charging;
    this.#adapters = opts.adapters;
    this.#botAppId = opts.botAppId ?? '';
    this.#timeoutMs = opts.queueTimeoutSeconds * 1000;
    this.#minutesPerCustomer = opts.minutesPerQueuedCustomer ?? 3;
    this.#clock = opts.clock ?? systemClock;
    this.#logger = opts.logger.child({ component: 'handoff' });
    this.#resolveMsisdn = opts.resolveMsisdn;
    this.#isWindowClosed = opts.isWindowClosed;
  }

  /** Plugs in the agent desk. Without one, a handoff offers a call back at once. */
  attachDesk(desk: Desk): void {
    this.#desk = desk;
  }

  get hasDesk(): boolean {
    return this.#desk !== undefined;
  }

  /** Starts the periodic queue-timeout sweep (unref'd; `stop()` ends it). */
  startQueueSweep(intervalMs = Math.max(1000, Math.min(15_000, this.#timeoutMs / 4))): void {
    this.stop();
    this.#timer = setInterval(() => {
      this.checkQueueTimeouts().catch((error) => this.#logger.error('queue sweep failed', { error }));
    }, intervalMs);
    this.#timer.unref();
  }

  stop(): void {
    if (this.#timer) clearInterval(this.#timer);
    this.#timer = undefined;
  }

  getHandoff(id: string): Promise<HandoffRecord | undefined> {
    return this.#store.getRecord(id);
  }

  handoffIdOfCase(caseRef: string): Promise<string | undefined> {
    return this.#store.handoffIdOfCase(caseRef);
  }

  getConversationState(conversationKey: string): Promise<ConversationHandoffState> {
    return this.#store.getConversation(conversationKey);
  }

  /** The card of a handoff as it is now (fresh balances), e.g. to re-render after an account action. */
  async cardOf(id: string): Promise<HandoffCard | undefined> {
    const record = await this.#store.getRecord(id);
    return record ? buildHandoffCard(record, this.#charging) : undefined;
  }

  // ---------------------------------------------------------------- customer turns (called by the middleware)

  /**
   * First look at a customer's message. `handled: true` means the handoff took it (forwarded to the agent, a
   * call-back message, or a rating) and the dialogs must not run.
   */
  async beginTurn(context: TurnContext): Promise<{ handled: boolean }> {
    const activity = context.activity;
    if (!isCustomerMessage(activity)) return { handled: false };
    const key = conversationKeyOf(activity);
    return this.#mutex.run(key, async () => {
      const conversation = await this.#store.getConversation(key);
      if (conversation.activeHandoffId) {
        const record = await this.#store.getRecord(conversation.activeHandoffId);
        if (record && (record.state === 'queued' || record.state === 'agent')) {
          await this.#customerWritesDuringHandoff(context, record, conversation);
          return { handled: true };
        }
        conversation.activeHandoffId = undefined;
      }
      if (conversation.awaitingRatingFor) {
        const handoffId = conversation.awaitingRatingFor;
        conversation.awaitingRatingFor = undefined;
        const rating = parseRating(activity.text);
        await this.#store.putConversation(key, conversation);
        if (rating !== undefined) {
          await this.#storeRating(handoffId, rating);
          await context.sendActivity(handoffMessages.ratingThanks(rating));
          return { handled: true };
        }
      }
      return { handled: false };
    });
  }

  /** After the dialogs ran: remembers the turn for the context card, and starts a handoff the bot asked for. */
  async endTurn(context: TurnContext, turn: TurnSummary): Promise<void> {
    const activity = context.activity;
    if (!isCustomerMessage(activity)) return;
    const key = conversationKeyOf(activity);
    await this.#mutex.run(key, async () => {
      const conversation = await this.#store.getConversation(key);
      const at = this.#clock.now().toISOString();
      const customerText = turn.customerText ?? activity.text;
      if (customerText) conversation.turns.push({ from: 'customer', text: customerText.slice(0, TURN_CHARS), at });
      for (const text of turn.botTexts) conversation.turns.push({ from: 'bot', text: text.slice(0, TURN_CHARS), at });
      conversation.turns = conversation.turns.slice(-MAX_TURNS);
      if (!turn.initiate) {
        await this.#store.putConversation(key, conversation);
        return;
      }
      const request = (turn.initiate.value ?? {}) as Partial<HandoffRequest>;
      const fromEvent = turnsFromInitiate(turn.initiate, activity.recipient?.id);
      await this.#startHandoff(
        context,
        conversation,
        {
          reason: typeof request.reason === 'string' && request.reason ? request.reason : 'customer_request',
          sentiment: typeof request.sentiment === 'number' ? request.sentiment : undefined,
          // The dialogs pass the pending credit-limit request's id as `note`.
          creditLimitRequestId:
            typeof request.creditLimitRequestId === 'string'
              ? request.creditLimitRequestId
              : request.reason === 'credit_limit_review' && typeof request.note === 'string'
                ? request.note
                : undefined,
        },
        fromEvent.length > 0 ? fromEvent : conversation.turns,
      );
    });
  }

  async #startHandoff(
    context: TurnContext,
    conversation: ConversationHandoffState,
    request: HandoffRequest,
    turns: TranscriptTurn[],
  ): Promise<void> {
    const activity = context.activity;
    const key = conversationKeyOf(activity);
    if (conversation.activeHandoffId) {
      const existing = await this.#store.getRecord(conversation.activeHandoffId);
      if (existing && (existing.state === 'queued' || existing.state === 'agent')) {
        await this.#store.putConversation(key, conversation);
        await context.sendActivity(handoffMessages.alreadyQueued);
        return;
      }
    }
    const identity = (activity.channelData as { identity?: { msisdn?: unknown } } | undefined)?.identity;
    const msisdn =
      (await this.#resolveMsisdn?.(context)) ?? (typeof identity?.msisdn === 'string' ? identity.msisdn : undefined);
    const now = this.#clock.now().toISOString();
    const record: HandoffRecord = {
      id: randomUUID(),
      state: 'queued',
      conversationKey: key,
      channelId: activity.channelId,
      reference: TurnContext.getConversationReference(activity),
      msisdn,
      reason: request.reason,
      sentiment: request.sentiment,
      creditLimitRequestId: request.creditLimitRequestId,
      turns: turns.slice(-CARD_TURNS),
      createdAt: now,
    };
    const queue = await this.#store.queue();
    const position = queue.length + 1;
    const minutes = position * this.#minutesPerCustomer;
    if (!this.#desk) record.callbackOfferedAt = now;
    await this.#store.putRecord(record);
    await this.#store.putQueue([...queue, record.id]);
    conversation.activeHandoffId = record.id;
    await this.#store.putConversation(key, conversation);
    this.#logger.info('handoff queued', { handoffId: record.id, channelId: record.channelId, reason: record.reason });

    if (!this.#desk) {
      await context.sendActivity(handoffMessages.noDesk);
      return;
    }
    await context.sendActivity(handoffMessages.queued(position, minutes));
    try {
      const card = await buildHandoffCard(record, this.#charging, { estimatedWaitMinutes: minutes });
      const caseRef = await this.#desk.openCase(card);
      record.caseRef = caseRef;
      await this.#store.putRecord(record);
      await this.#store.linkCase(caseRef, record.id);
    } catch (error) {
      // The customer stays queued: the timeout sweep will offer a call back, which needs no desk.
      this.#logger.error('desk: opening the case failed', { handoffId: record.id, error });
    }
  }

  async #customerWritesDuringHandoff(
    context: TurnContext,
    record: HandoffRecord,
    conversation: ConversationHandoffState,
  ): Promise<void> {
    const text = context.activity.text?.trim() || '[attachment or empty message]';
    if (record.state === 'queued' && record.callbackOfferedAt) {
      // The queue timed out and the customer was offered a call back: this message is what they leave for it.
      // The conversation goes back to the bot; the case stays open for an agent to call or claim.
      record.callbackMessage = text;
      record.state = 'callback';
      conversation.activeHandoffId = undefined;
      await this.#store.putRecord(record);
      await this.#store.putConversation(record.conversationKey, conversation);
      await this.#removeFromQueue(record.id);
      await this.#deskPost(record, { from: 'customer', text: `Call-back message: ${text}` });
      await this.#deskUpdate(record);
      await context.sendActivity(handoffMessages.callbackTaken);
      return;
    }
    await this.#deskPost(record, { from: 'customer', text });
  }

  async #storeRating(handoffId: string, rating: number): Promise<void> {
    const record = await this.#store.getRecord(handoffId);
    if (!record) return;
    record.rating = rating;
    await this.#store.putRecord(record);
    this.#logger.info('handoff rated', { handoffId, rating });
    await this.#deskPost(record, { from: 'system', text: `The customer rated this conversation ${rating} out of 5.` });
    await this.#deskUpdate(record);
  }

  // ---------------------------------------------------------------- agent actions (called by the desk adapter)

  /** An agent takes the conversation. Queued or call-back cases can be claimed; a claimed one only by its owner again. */
  async claim(handoffId: string, agentId: string): Promise<HandoffResult<HandoffRecord>> {
    return this.#withRecord(handoffId, async (record) => {
      if (record.state === 'agent') {
        if (record.agentId === agentId) return handoffOk(record);
        return handoffFail(HandoffErrorCodes.ALREADY_CLAIMED, 'another agent owns this conversation');
      }
      if (record.state === 'resolved') return handoffFail(HandoffErrorCodes.NOT_ACTIVE, 'this handoff is resolved');
      const conversation = await this.#store.getConversation(record.conversationKey);
      if (conversation.activeHandoffId && conversation.activeHandoffId !== record.id) {
        return handoffFail(HandoffErrorCodes.NOT_ACTIVE, 'the customer has a newer handoff');
      }
      record.state = 'agent';
      record.agentId = agentId;
      record.claimedAt = this.#clock.now().toISOString();
      conversation.activeHandoffId = record.id;
      conversation.awaitingRatingFor = undefined;
      await this.#store.putRecord(record);
      await this.#store.putConversation(record.conversationKey, conversation);
      await this.#removeFromQueue(record.id);
      this.#logger.info('handoff claimed', { handoffId: record.id, agentId });
      await this.#deskUpdate(record);
      await this.#tellCustomer(record, { text: handoffMessages.claimed });
      return handoffOk(record);
    });
  }

  /**
   * Delivers the owning agent's reply to the customer on their channel. Returns whether the channel had to send a
   * template instead (WhatsApp outside the 24-hour window); the agent is then told in the case.
   */
  async deliverAgentReply(
    handoffId: string,
    agentId: string,
    text: string,
  ): Promise<HandoffResult<{ templateFallback: boolean }>> {
    return this.#withRecord(handoffId, async (record) => {
      if (record.state !== 'agent') return handoffFail(HandoffErrorCodes.NOT_ACTIVE, 'nobody owns this conversation');
      if (record.agentId !== agentId)
        return handoffFail(HandoffErrorCodes.NOT_OWNER, 'only the claiming agent replies');
      const userId = record.reference.user?.id;
      const windowClosed =
        userId && this.#isWindowClosed ? await this.#isWindowClosed(record.channelId, userId) : false;
      // `humanAgent` lets Messenger send with the HUMAN_AGENT tag after 24 h, and makes WhatsApp pick its `agent`
      // template if its window is closed.
      const sent = await this.#tellCustomer(record, {
        text,
        channelData: { humanAgent: true },
      });
      if (!sent.ok) return sent;
      const templateFallback = windowClosed || sent.value.templateFallback;
      if (templateFallback) {
        await this.#deskPost(record, {
          from: 'system',
          text:
            "Outside WhatsApp's 24-hour window the customer cannot get free text: an approved template was sent " +
            'asking them to reply. Your message was not delivered as written; send it again once they answer.',
        });
      }
      return handoffOk({ templateFallback });
    });
  }

  /** Hands the conversation back to the bot, tells the customer and asks for a 1 to 5 rating. */
  async resolve(handoffId: string, agentId: string): Promise<HandoffResult<HandoffRecord>> {
    return this.#withRecord(handoffId, async (record) => {
      if (record.state === 'resolved') return handoffOk(record);
      if (record.state === 'agent' && record.agentId !== agentId) {
        return handoffFail(HandoffErrorCodes.NOT_OWNER, 'only the claiming agent resolves');
      }
      record.state = 'resolved';
      record.resolvedAt = this.#clock.now().toISOString();
      record.resolvedBy = agentId;
      const conversation = await this.#store.getConversation(record.conversationKey);
      if (conversation.activeHandoffId === record.id) conversation.activeHandoffId = undefined;
      conversation.awaitingRatingFor = record.id;
      await this.#store.putRecord(record);
      await this.#store.putConversation(record.conversationKey, conversation);
      await this.#removeFromQueue(record.id);
      this.#logger.info('handoff resolved', { handoffId: record.id, agentId });
      await this.#deskUpdate(record);
      await this.#tellCustomer(record, {
        text: handoffMessages.resolved,
        suggestedActions: {
          to: [],
          actions: ['1', '2', '3', '4', '5'].map((v) => ({ type: 'imBack', title: v, value: v })),
        },
      });
      return handoffOk(record);
    });
  }

  /**
   * Goodwill from an agent, through the charging core with the caller's idempotency key (a retried click applies
   * once) and `actor: 'agent:<id>'` in the ledger. Only the owner may act on a claimed conversation.
   */
  async grant(
    handoffId: string,
    agentId: string,
    grant: GoodwillGrant,
    idempotencyKey: string,
  ): Promise<HandoffResult<{ subscriber: Subscriber; description: string }>> {
    return this.#withRecord(handoffId, async (record) => {
      const allowed = this.#mayAct(record, agentId);
      if (!allowed.ok) return allowed;
      const msisdn = record.msisdn;
      if (!msisdn) return handoffFail(HandoffErrorCodes.NO_SUBSCRIBER, 'the customer is not identified');
      const invalid =
        'amount' in grant
          ? !Number.isInteger(grant.amount) || grant.amount <= 0
          : !Number.isInteger(grant.quantity) || grant.quantity <= 0 || !grant.app;
      if (invalid) return handoffFail(HandoffErrorCodes.INVALID, 'the amount must be a positive whole number');
      const result = await this.#charging.grant(
        msisdn,
        { ...grant, reason: `goodwill (handoff ${record.id})` },
        { idempotencyKey, actor: `agent:${agentId}` },
      );
      if (!result.ok) return handoffFail(HandoffErrorCodes.CHARGING, result.error.message, result.error.code);
      const currency = result.value.account.balance.currency;
      const description =
        'amount' in grant
          ? formatMoney({ amount: grant.amount, currency })
          : `${grant.quantity} ${grant.app} session${grant.quantity === 1 ? '' : 's'}`;
      this.#logger.info('goodwill granted', { handoffId: record.id, agentId });
      await this.#deskUpdate(record);
      return handoffOk({ subscriber: result.value, description });
    });
  }

  /** Approves or declines the customer's pending credit-limit request, and tells the customer. */
  async decideCreditLimit(
    handoffId: string,
    agentId: string,
    requestId: string,
    approve: boolean,
    idempotencyKey: string,
  ): Promise<HandoffResult<{ status: string; limit: string }>> {
    return this.#withRecord(handoffId, async (record) => {
      const allowed = this.#mayAct(record, agentId);
      if (!allowed.ok) return allowed;
      if (!record.msisdn) return handoffFail(HandoffErrorCodes.NO_SUBSCRIBER, 'the customer is not identified');
      // The request must be this customer's: a forged button value cannot decide someone else's request.
      const subscriber = await this.#charging.getSubscriber(record.msisdn);
      if (!subscriber.ok)
        return handoffFail(HandoffErrorCodes.CHARGING, subscriber.error.message, subscriber.error.code);
      if (!(subscriber.value.creditLimitRequests ?? []).some((r) => r.id === requestId)) {
        return handoffFail(HandoffErrorCodes.NOT_FOUND, 'no such credit-limit request for this customer');
      }
      const decided = await this.#charging.decideCreditLimit(
        requestId,
        { approve, decidedBy: `agent:${agentId}` },
        { idempotencyKey, actor: `agent:${agentId}` },
      );
      if (!decided.ok) return handoffFail(HandoffErrorCodes.CHARGING, decided.error.message, decided.error.code);
      const limit = formatMoney(decided.value.status === 'approved' ? decided.value.requested : decided.value.previous);
      await this.#deskUpdate(record);
      await this.#tellCustomer(record, {
        text:
          decided.value.status === 'approved'
            ? handoffMessages.creditLimitApproved(limit)
            : handoffMessages.creditLimitDeclined,
      });
      return handoffOk({ status: decided.value.status, limit });
    });
  }

  // ---------------------------------------------------------------- queue

  /** Offers a call back to every queued customer nobody claimed in time; returns how many were offered. */
  async checkQueueTimeouts(): Promise<number> {
    const now = this.#clock.now().getTime();
    let offered = 0;
    for (const id of await this.#store.queue()) {
      const record = await this.#store.getRecord(id);
      if (!record) continue;
      const conversationKey = record.conversationKey;
      const done = await this.#mutex.run(conversationKey, async () => {
        const fresh = await this.#store.getRecord(id);
        if (!fresh || fresh.state !== 'queued' || fresh.callbackOfferedAt) return false;
        if (new Date(fresh.createdAt).getTime() + this.#timeoutMs > now) return false;
        fresh.callbackOfferedAt = new Date(now).toISOString();
        await this.#store.putRecord(fresh);
        this.#logger.info('handoff queue timeout: call back offered', { handoffId: fresh.id });
        await this.#deskUpdate(fresh);
        await this.#tellCustomer(fresh, { text: handoffMessages.callbackOffer });
        return true;
      });
      if (done) offered++;
    }
    return offered;
  }

  // ---------------------------------------------------------------- helpers

  #mayAct(record: HandoffRecord, agentId: string): HandoffResult<true> {
    if (record.state === 'resolved') return handoffFail(HandoffErrorCodes.NOT_ACTIVE, 'this handoff is resolved');
    if (record.agentId && record.agentId !== agentId) {
      return handoffFail(HandoffErrorCodes.NOT_OWNER, 'only the claiming agent acts on this account');
    }
    return handoffOk(true);
  }

  async #withRecord<T>(
    handoffId: string,
    work: (record: HandoffRecord) => Promise<HandoffResult<T>>,
  ): Promise<HandoffResult<T>> {
    const first = await this.#store.getRecord(handoffId);
    if (!first) return handoffFail(HandoffErrorCodes.NOT_FOUND, 'no such handoff');
    return this.#mutex.run(first.conversationKey, async () => {
      const record = await this.#store.getRecord(handoffId);
      if (!record) return handoffFail(HandoffErrorCodes.NOT_FOUND, 'no such handoff');
      return work(record);
    });
  }

  async #removeFromQueue(id: string): Promise<void> {
    const queue = await this.#store.queue();
    if (queue.includes(id)) await this.#store.putQueue(queue.filter((q) => q !== id));
  }

  async #tellCustomer(
    record: HandoffRecord,
    message: Partial<Activity>,
  ): Promise<HandoffResult<{ templateFallback: boolean }>> {
    const adapter = this.#adapters[record.channelId];
    if (!adapter) {
      this.#logger.warn('no adapter for the customer channel', { handoffId: record.id, channelId: record.channelId });
      return handoffFail(HandoffErrorCodes.NO_CHANNEL, `no adapter for channel ${record.channelId}`);
    }
    let templateFallback = false;
    try {
      await adapter.continueConversationAsync(this.#botAppId, record.reference, async (context) => {
        const response = (await context.sendActivity({ type: ActivityTypes.Message, ...message })) as
          | ChannelResourceResponse
          | undefined;
        templateFallback = response?.templateFallback === true;
      });
    } catch (error) {
      this.#logger.error('sending to the customer failed', {
        handoffId: record.id,
        channelId: record.channelId,
        error,
      });
      return handoffFail(HandoffErrorCodes.NO_CHANNEL, 'the customer channel refused the message');
    }
    return handoffOk({ templateFallback });
  }

  async #deskPost(record: HandoffRecord, message: { from: 'customer' | 'system'; text: string }): Promise<void> {
    if (!this.#desk || !record.caseRef) return;
    try {
      await this.#desk.post(record.caseRef, message);
    } catch (error) {
      this.#logger.error('desk: posting failed', { handoffId: record.id, error });
    }
  }

  async #deskUpdate(record: HandoffRecord): Promise<void> {
    if (!this.#desk || !record.caseRef) return;
    try {
      await this.#desk.updateCase(record.caseRef, await buildHandoffCard(record, this.#charging));
    } catch (error) {
      this.#logger.error('desk: updating the case failed', { handoffId: record.id, error });
    }
  }
}
