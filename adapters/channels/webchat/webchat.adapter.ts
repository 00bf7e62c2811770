/**
 * The web chat channel's `BotAdapter`: in-process, no HTTP hop to `/api/messages`. An inbound activity runs
 * through the middleware and the bot with a `TurnContext`; everything the bot sends is appended to the
 * conversation's log (so polling clients and reloaded pages see it) and pushed to the conversation's WebSocket.
 * `typing` is pushed only (Direct Line sends typing on the stream only); `trace` is dropped; `delay` waits.
 */
import {
  type Activity,
  ActivityTypes,
  BotAdapter,
  type ConversationReference,
  type ResourceResponse,
  TurnContext,
} from 'botbuilder';
import type { ClaimsIdentity } from 'botframework-connector';
import type { Logger } from '../../../bot/logger.js';
import type { ConversationRecord, ConversationStore } from './conversation-store.js';
import type { StreamHub } from './stream-hub.js';

export type TurnLogic = (context: TurnContext) => Promise<void>;

/** turnState key: the writes of the activities a turn sent, awaited when the turn ends. */
const PENDING_WRITES = Symbol('webchat.pendingWrites');

export type TurnOutcome = { ok: true } | { ok: false; code: 'WEBCHAT.BOT_FAILED' };

export interface WebChatAdapterOptions {
  conversations: ConversationStore;
  hub: StreamHub;
  logger: Logger;
  clock: () => number;
  /** Base of links and `serviceUrl` (PUBLIC_URL), read at call time. */
  serviceUrl: () => string;
  bot: { id: string; name: string };
  /** Longest `delay` activity honoured, in ms. */
  maxDelayMs?: number;
}

/** A Bot Framework adapter for our self-hosted Direct Line web chat (channelId `webchat`). */
export class WebChatAdapter extends BotAdapter {
  readonly #turns = new Map<string, Promise<unknown>>();
  #typingCount = 0;

  constructor(private readonly opts: WebChatAdapterOptions) {
    super();
  }

  get botAccount(): { id: string; name: string } {
    return this.opts.bot;
  }

  async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
      if (!conversationId) throw new Error('WebChatAdapter: activity without a conversation');
      switch (activity.type) {
        case 'delay':
          await new Promise((r) =>
            setTimeout(r, Math.min(Number(activity.value) || 1000, this.opts.maxDelayMs ?? 5000)),
          );
          responses.push({ id: '' });
          break;
        case ActivityTypes.Trace:
        case ActivityTypes.InvokeResponse:
          responses.push({ id: '' });
          break;
        case ActivityTypes.Typing: {
          const id = `${conversationId}|typing-${++this.#typingCount}`;
          this.opts.hub.push(conversationId, { ...this.#outbound(activity, conversationId, context), id });
          responses.push({ id });
          break;
        }
        default: {
          // In the log and on the socket now; durable by the end of the turn (see #runLogged).
          const { logged, persisted } = await this.#log(
            conversationId,
            this.#outbound(activity, conversationId, context),
          );
          const pending = context.turnState.get(PENDING_WRITES) as Promise<void>[] | undefined;
          if (pending) pending.push(persisted);
          else await persisted; // a context this adapter did not start: durable before returning
          responses.push({ id: logged.id ?? '' });
        }
      }
    }
    return responses;
  }

  async updateActivity(context: TurnContext, activity: Partial<Activity>): Promise<ResourceResponse | undefined> {
    const conversationId = activity.conversation?.id ?? context.activity.conversation?.id;
    if (!conversationId || !activity.id)
      throw new Error('WebChatAdapter.updateActivity: needs a conversation and an id');
    const replaced = await this.opts.conversations.replace(conversationId, activity);
    if (!replaced) throw new Error('WebChatAdapter.updateActivity: no such activity');
    this.opts.hub.push(conversationId, activity);
    return { id: activity.id };
  }

  async deleteActivity(_context: TurnContext, reference: Partial<ConversationReference>): Promise<void> {
    const conversationId = reference.conversation?.id;
    if (!conversationId || !reference.activityId) throw new Error('WebChatAdapter.deleteActivity: needs an id');
    await this.opts.conversations.remove(conversationId, reference.activityId);
  }

  async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const conversationId = reference.conversation?.id;
    const record = conversationId ? await this.opts.conversations.get(conversationId) : undefined;
    if (!record) throw new Error('WebChatAdapter.continueConversation: unknown web chat conversation');
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'ContinueConversation', channelId: 'webchat' },
      { ...reference, channelId: 'webchat', serviceUrl: this.opts.serviceUrl() },
      true,
    );
    activity.channelData = record.msisdn ? { identity: { msisdn: record.msisdn, verifiedBy: 'webchat-token' } } : {};
    await this.#runLogged(new TurnContext(this, activity), logic);
  }

  /**
   * Runs the middleware and `logic`; what the turn sent is durable when this resolves. Replies are logged at once
   * but written once, at the end of the turn, instead of one durable write each before the dialog may go on.
   */
  async #runLogged(context: TurnContext, logic: TurnLogic): Promise<void> {
    const pending: Promise<void>[] = [];
    context.turnState.set(PENDING_WRITES, pending);
    try {
      await this.runMiddleware(context, logic);
    } finally {
      context.turnState.delete(PENDING_WRITES);
      await Promise.all(pending);
    }
  }

  /**
   * Proactive messages (payment confirmations, agent replies): the bot's sends land in the conversation's log and
   * on its socket if one is open; a page opened or reloaded later replays them. The app id / claims are ignored:
   * this adapter serves one bot.
   */
  override async continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: TurnLogic,
  ): Promise<void>;
  override async continueConversationAsync(
    claimsIdentity: ClaimsIdentity,
    reference: Partial<ConversationReference>,
    logic: TurnLogic,
  ): Promise<void>;
  override async continueConversationAsync(
    claimsIdentity: ClaimsIdentity,
    reference: Partial<ConversationReference>,
    audience: string,
    logic: TurnLogic,
  ): Promise<void>;
  override async continueConversationAsync(
    _botAppIdOrClaims: string | ClaimsIdentity,
    reference: Partial<ConversationReference>,
    logicOrAudience: TurnLogic | string,
    maybeLogic?: TurnLogic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error('WebChatAdapter.continueConversationAsync: logic is required');
    await this.continueConversation(reference, logic);
  }

  /**
   * Runs one inbound activity through the middleware and `logic`. Turns of one conversation run one after the
   * other (dialog state is read and written per turn). A throw from the bot, even one an `onTurnError` handler
   * swallowed, is reported as `WEBCHAT.BOT_FAILED` so the HTTP caller can answer 502 as Direct Line does.
   */
  async processActivity(activity: Partial<Activity>, logic: TurnLogic): Promise<TurnOutcome> {
    const conversationId = activity.conversation?.id ?? '';
    const previous = this.#turns.get(conversationId) ?? Promise.resolve();
    const turn = previous.then(() => this.#runTurn(activity, logic));
    const tail = turn.catch(() => {});
    this.#turns.set(conversationId, tail);
    void tail.then(() => {
      if (this.#turns.get(conversationId) === tail) this.#turns.delete(conversationId);
    });
    return turn;
  }

  /** Logs an activity and pushes it to the conversation's socket (the echo of what the visitor sent). */
  async logActivity(conversationId: string, activity: Partial<Activity>): Promise<Partial<Activity>> {
    const { logged, persisted } = await this.#log(conversationId, activity);
    await persisted;
    return logged;
  }

  /** Pushes an activity that is not logged (the echo of a visitor's typing indicator). */
  pushTransient(conversationId: string, activity: Partial<Activity>): void {
    this.opts.hub.push(conversationId, activity);
  }

  async #runTurn(activity: Partial<Activity>, logic: TurnLogic): Promise<TurnOutcome> {
    let failed = false;
    const context = new TurnContext(this, activity);
    try {
      await this.#runLogged(context, async (ctx) => {
        try {
          await logic(ctx);
        } catch (err) {
          failed = true;
          throw err;
        }
      });
    } catch (err) {
      failed = true;
      this.opts.logger.error('webchat turn failed', { activityType: activity.type, error: err });
    }
    return failed ? { ok: false, code: 'WEBCHAT.BOT_FAILED' } : { ok: true };
  }

  /** Logs `activity` and pushes it to the conversation's socket; `persisted` settles once it is durable. */
  #log(
    conversationId: string,
    activity: Partial<Activity>,
  ): Promise<{ logged: Partial<Activity>; persisted: Promise<void> }> {
    return this.opts.conversations.append(conversationId, activity, (logged, watermark) =>
      this.opts.hub.push(conversationId, logged, watermark),
    );
  }

  #outbound(activity: Partial<Activity>, conversationId: string, context: TurnContext): Partial<Activity> {
    const record: ConversationRecord | undefined = this.opts.conversations.peek(conversationId);
    const userId = record?.userId ?? context.activity.from?.id ?? '';
    return {
      ...activity,
      channelId: 'webchat',
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: this.opts.bot.id, name: this.opts.bot.name, role: 'bot' },
      recipient: { id: userId, name: '', role: 'user' },
      serviceUrl: this.opts.serviceUrl(),
      timestamp: new Date(this.opts.clock()),
    };
  }
}
