/**
 * Facebook Messenger as a botbuilder `BotAdapter` (CONTRACTS.md 3.2, protocols.md 3).
 * Inbound: messages, quick replies and postbacks become message activities whose text is the tapped value
 * (dedup by mid, persisted); echoes and standby events are ignored. Messenger users carry no identity (the
 * bot verifies them by one-time code). Outbound: text, quick replies (up to 13), button templates for links,
 * with `messaging_type` RESPONSE (a reply in the 24-hour window), UPDATE (proactive in the window), or
 * `MESSAGE_TAG` + `HUMAN_AGENT` outside it, for an agent's reply only; anything else outside it is not sent.
 */
import { type Activity, ActivityTypes, TurnContext } from 'botbuilder';
import { redactCardNumbers } from '../../../bot/card-redaction.js';
import { decodeChoiceId } from '../render/choice-ids.js';
import { type MessengerDelivery, type MessengerPayload, renderMessenger } from '../render/messenger.renderer.js';
import { toNeutralMessage } from '../render/neutral-message.js';
import { resolveNumberedReply } from '../render/numbered-text.renderer.js';
import { MetaChannelAdapter, type MetaChannelAdapterOptions } from '../meta/meta-channel.adapter.js';
import type { TurnLogic } from '../shared/channel-bot-adapter.js';
import type { ChannelUserState } from '../shared/channel-user-state.js';
import { flattenMessengerWebhook, type MessengerEvent, type MessengerItem } from './messenger.webhook.js';

export interface MessengerSettings {
  graphApiUrl: string;
  pageAccessToken: string;
}

export type MessengerAdapterOptions = MetaChannelAdapterOptions<MessengerSettings>;

/** What a dialog may put in an outbound activity's `channelData` for Messenger. */
export interface MessengerOutboundChannelData {
  /** An agent's reply: may go out with the HUMAN_AGENT tag up to 7 days after the user's last message. */
  humanAgent?: boolean;
  idempotencyKey?: string;
}

const WINDOW_MS = 24 * 3600 * 1000;
const HUMAN_AGENT_WINDOW_MS = 7 * 24 * 3600 * 1000;
const TURN_INBOUND = Symbol('messenger.inboundTurn');

/** Proactive messages go out as UPDATE within the window (`continueConversationAsync`, ChannelBotAdapter). */
export class MessengerAdapter extends MetaChannelAdapter<MessengerSettings> {
  constructor(opts: MessengerAdapterOptions) {
    super('messenger', 'Messenger', opts);
  }

  /** Handles one verified webhook payload; each user's events run as turns in order. */
  async processWebhook(payload: unknown, logic: TurnLogic): Promise<void> {
    await Promise.all(
      flattenMessengerWebhook(payload).map((item) => this.inUserOrder(item.psid, () => this.onEvent(item, logic))),
    );
  }

  private async onEvent(item: MessengerItem, logic: TurnLogic): Promise<void> {
    const { event, psid } = item;
    const id = messageId(event, psid);
    const now = this.clock();
    if (!(await this.users.claimInbound(psid, id, now))) {
      this.opts.logger.debug('messenger duplicate ignored');
      return;
    }
    const state = await this.users.get(psid);
    const said = inboundText(event, state);
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      id,
      timestamp: new Date(now),
      channelId: this.channelId,
      serviceUrl: this.opts.settings.graphApiUrl,
      from: { id: psid, name: '', role: 'user' },
      recipient: { id: item.pageId, name: '', role: 'bot' },
      conversation: { id: psid, isGroup: false, conversationType: 'personal', name: '' },
      text: '',
      textFormat: 'plain',
      // No identity: a PSID proves no number; the bot links it by one-time code (CONTRACTS.md 3.5).
      channelData: {
        messenger: { kind: event.postback ? 'postback' : event.message?.quick_reply ? 'quick_reply' : 'message' },
      },
    };
    const context = new TurnContext(this, activity);
    context.turnState.set(TURN_INBOUND, true);
    if (said === undefined) {
      await context.sendActivity(
        this.opts.mediaReply ?? 'Sorry, I can only read text messages. Please type your question.',
      );
      return;
    }
    const redacted = redactCardNumbers(said);
    activity.text = redacted.text;
    if (redacted.found) (activity.channelData as Record<string, unknown>).cardNumberRedacted = true;
    await this.runMiddleware(context, logic);
  }

  private delivery(context: TurnContext, state: ChannelUserState, humanAgent: boolean): MessengerDelivery | undefined {
    const since = state.lastInboundAt === undefined ? Number.POSITIVE_INFINITY : this.clock() - state.lastInboundAt;
    if (since < WINDOW_MS) return { messaging_type: context.turnState.get(TURN_INBOUND) ? 'RESPONSE' : 'UPDATE' };
    if (humanAgent && since < HUMAN_AGENT_WINDOW_MS) return { messaging_type: 'MESSAGE_TAG', tag: 'HUMAN_AGENT' };
    return undefined;
  }

  protected override async sendMessage(context: TurnContext, activity: Partial<Activity>): Promise<string> {
    const psid = activity.recipient?.id ?? context.activity.from?.id;
    if (!psid) return '';
    const data = (activity.channelData ?? {}) as MessengerOutboundChannelData;
    const state = await this.users.get(psid);
    if (data.idempotencyKey) {
      const earlier = state.sent.find(([k]) => k === data.idempotencyKey);
      if (earlier) return earlier[1];
    }
    const delivery = this.delivery(context, state, data.humanAgent === true);
    if (!delivery) {
      this.opts.logger.warn('messenger window closed: message not sent', { humanAgent: data.humanAgent === true });
      return '';
    }
    const neutral = toNeutralMessage(activity);
    const rendering = renderMessenger(neutral, psid, delivery);
    if (neutral.choices.length)
      await this.users.rememberOffered(psid, neutral.choices, rendering.numbered, this.clock());
    let id = '';
    for (const payload of rendering.payloads) {
      const r = await this.post(payload);
      if (!r.ok) break;
      id = r.body.message_id ?? id;
    }
    if (id && data.idempotencyKey) await this.users.rememberSent(psid, data.idempotencyKey, id);
    return id;
  }

  private post(payload: MessengerPayload) {
    return this.graph.post<{ recipient_id?: string; message_id?: string }>(
      'me/messages',
      this.opts.settings.pageAccessToken,
      payload,
    );
  }
}

/** The dedup key: `message.mid` / `postback.mid` (older postbacks have no mid: sender + time + payload). */
function messageId(event: MessengerEvent, psid: string): string {
  return (
    event.message?.mid ??
    event.postback?.mid ??
    `postback:${psid}:${event.timestamp ?? 0}:${event.postback?.payload ?? ''}`
  );
}

/** What the user said (a tapped quick reply or postback gives its payload's value); undefined for media only. */
function inboundText(event: MessengerEvent, state: ChannelUserState): string | undefined {
  const values = state.offered?.choices.map((c) => c.value);
  if (event.postback) return decodeChoiceId(event.postback.payload ?? '', values) ?? event.postback.title ?? '';
  const m = event.message ?? {};
  if (m.quick_reply?.payload) return decodeChoiceId(m.quick_reply.payload, values) ?? m.text ?? '';
  if (m.text !== undefined && m.text !== '') {
    const picked = state.offered?.numbered ? resolveNumberedReply(m.text, state.offered.choices) : undefined;
    return picked ?? m.text;
  }
  return m.attachments?.length ? undefined : '';
}
