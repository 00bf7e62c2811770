/**
 * WhatsApp Business Cloud API as a botbuilder `BotAdapter` (CONTRACTS.md 3.2, protocols.md 1).
 * Inbound: webhook messages become message activities (dedup by wamid, persisted; window reopened; marked
 * read); statuses are only logged. Outbound: activities are rendered natively (text, reply buttons, lists,
 * numbered text) and sent through the Graph API; outside the 24-hour customer-service window only an approved
 * template goes out. Transport only: no business logic here.
 */
import { type Activity, ActivityTypes, TurnContext } from 'botbuilder';
import { redactCardNumbers } from '../../../bot/card-redaction.js';
import { decodeChoiceId } from '../render/choice-ids.js';
import { toNeutralMessage } from '../render/neutral-message.js';
import { resolveNumberedReply } from '../render/numbered-text.renderer.js';
import { renderWhatsApp, renderWhatsAppTemplate, type WhatsAppPayload } from '../render/whatsapp.renderer.js';
import type { GraphResult } from '../meta/graph-api.client.js';
import { MetaChannelAdapter, type MetaChannelAdapterOptions } from '../meta/meta-channel.adapter.js';
import type { TurnLogic } from '../shared/channel-bot-adapter.js';
import type { ChannelUserState } from '../shared/channel-user-state.js';
import {
  flattenWhatsAppWebhook,
  type WaInboundMessage,
  type WaMessageItem,
  type WaStatusItem,
} from './whatsapp-cloud.webhook.js';

export interface WhatsAppCloudSettings {
  graphApiUrl: string;
  accessToken: string;
  phoneNumberId: string;
  /** Approved template names by purpose (`reengage`, `agent`, `payment`, `alert`, ...). */
  templates: Record<string, string>;
  templateLanguage: string;
}

export type WhatsAppCloudAdapterOptions = MetaChannelAdapterOptions<WhatsAppCloudSettings>;

/**
 * What a dialog may put in an outbound activity's `channelData` for WhatsApp:
 * `template` picks the approved template used when the window is closed; `humanAgent` marks an agent's
 * reply (template purpose `agent`); `idempotencyKey` makes a proactive send happen at most once.
 */
export interface WhatsAppOutboundChannelData {
  template?: { purpose?: string; name?: string; parameters?: string[] };
  humanAgent?: boolean;
  idempotencyKey?: string;
}

/** The identity the channel proves: the Cloud API sender's wa_id is the subscriber's MSISDN. */
export interface ChannelIdentity {
  msisdn: string;
  verifiedBy: 'whatsapp';
}

const WINDOW_MS = 24 * 3600 * 1000;
/** Sending right at the edge of the window races Meta's clock: treat the last minute as closed. */
const WINDOW_MARGIN_MS = 60 * 1000;
const RE_ENGAGEMENT_REQUIRED = 131047;
const MEDIA_TYPES = new Set(['image', 'video', 'document', 'audio', 'sticker', 'location', 'contacts', 'unsupported']);
const TURN_SEQ = Symbol('whatsapp.outboundSeq');
const TURN_TEMPLATE = Symbol('whatsapp.templateSent');

/** Proactive messages: payment confirmations, alerts, agent replies (`continueConversationAsync`). */
export class WhatsAppCloudAdapter extends MetaChannelAdapter<WhatsAppCloudSettings> {
  private readonly background = new Set<Promise<unknown>>();
  private readonly serviceUrl: string;

  constructor(opts: WhatsAppCloudAdapterOptions) {
    super('whatsapp', 'WhatsApp', opts);
    this.serviceUrl = `${opts.settings.graphApiUrl}/${opts.settings.phoneNumberId}`;
  }

  /** Handles one verified webhook payload: statuses logged, each message run as a turn (per user in order). */
  async processWebhook(payload: unknown, logic: TurnLogic): Promise<void> {
    const { messages, statuses } = flattenWhatsAppWebhook(payload);
    for (const s of statuses) this.onStatus(s);
    await Promise.all(messages.map((item) => this.inUserOrder(item.message.from, () => this.onMessage(item, logic))));
  }

  /** Resolves once every queued turn and background call (mark-as-read) has finished. */
  override async idle(): Promise<void> {
    await super.idle();
    while (this.background.size) await Promise.all([...this.background]);
  }

  private onStatus({ phoneNumberId, status }: WaStatusItem): void {
    if (phoneNumberId && phoneNumberId !== this.opts.settings.phoneNumberId) return;
    if (status.status !== 'failed') return;
    // Only codes and titles: the recipient and the message are personal data.
    this.opts.logger.warn('whatsapp message delivery failed', {
      status: status.status,
      errors: (status.errors ?? []).map((e) => ({ code: e.code, title: e.title })),
    });
  }

  private async onMessage(item: WaMessageItem, logic: TurnLogic): Promise<void> {
    const { message: m } = item;
    if (item.phoneNumberId && item.phoneNumberId !== this.opts.settings.phoneNumberId) return;
    const now = this.clock();
    if (!(await this.users.claimInbound(m.from, m.id, now))) {
      this.opts.logger.debug('whatsapp duplicate ignored');
      return;
    }
    this.track(
      this.graph.post(
        `${this.opts.settings.phoneNumberId}/messages`,
        this.opts.settings.accessToken,
        { messaging_product: 'whatsapp', status: 'read', message_id: m.id },
        false,
      ),
    );
    const state = await this.users.get(m.from);
    const inbound = inboundText(m, state);
    if (inbound.kind === 'ignore') return;
    const activity = this.toActivity(item, now, inbound.kind === 'text' ? inbound.text : '');
    if (inbound.kind === 'media') {
      const context = new TurnContext(this, activity);
      await context.sendActivity(
        this.opts.mediaReply ?? 'Sorry, I can only read text messages. Please type your question.',
      );
      return;
    }
    const redacted = redactCardNumbers(activity.text ?? '');
    activity.text = redacted.text;
    if (redacted.found) (activity.channelData as Record<string, unknown>).cardNumberRedacted = true;
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  private toActivity(item: WaMessageItem, now: number, text: string): Partial<Activity> {
    const { message: m } = item;
    const channelData: Record<string, unknown> = { whatsapp: { messageType: m.type } };
    // Only the adapter sets identity: the Cloud API sender's wa_id is its number (E.164 without '+').
    if (/^\d{6,15}$/.test(m.from))
      channelData.identity = { msisdn: `+${m.from}`, verifiedBy: 'whatsapp' } satisfies ChannelIdentity;
    return {
      type: ActivityTypes.Message,
      id: m.id,
      timestamp: new Date(now),
      channelId: this.channelId,
      serviceUrl: this.serviceUrl,
      from: { id: m.from, name: item.profileName ?? '', role: 'user' },
      recipient: { id: this.opts.settings.phoneNumberId, name: item.displayPhoneNumber ?? '', role: 'bot' },
      conversation: { id: m.from, isGroup: false, conversationType: 'personal', name: '' },
      replyToId: m.context?.id,
      text,
      textFormat: 'plain',
      channelData,
    };
  }

  /** Sends one message activity; returns the wamid of its last payload, or '' when nothing could be sent. */
  protected override async sendMessage(context: TurnContext, activity: Partial<Activity>): Promise<string> {
    const to = activity.recipient?.id ?? context.activity.from?.id;
    if (!to) return '';
    const data = (activity.channelData ?? {}) as WhatsAppOutboundChannelData;
    const seq = ((context.turnState.get(TURN_SEQ) as number | undefined) ?? 0) + 1;
    context.turnState.set(TURN_SEQ, seq);
    const state = await this.users.get(to);
    if (data.idempotencyKey) {
      const earlier = state.sent.find(([k]) => k === data.idempotencyKey);
      if (earlier) return earlier[1];
    }
    const now = this.clock();
    const open = state.lastInboundAt !== undefined && now - state.lastInboundAt < WINDOW_MS - WINDOW_MARGIN_MS;
    let id = '';
    if (!open) {
      id = await this.sendTemplate(context, to, data);
    } else {
      const neutral = toNeutralMessage(activity);
      const rendering = renderWhatsApp(neutral, to);
      if (neutral.choices.length) await this.users.rememberOffered(to, neutral.choices, rendering.numbered, now);
      for (const payload of rendering.payloads) {
        const r = await this.post(payload);
        if (r.ok) {
          id = r.body.messages?.[0]?.id ?? id;
          continue;
        }
        if (r.code === 'GRAPH.ERROR' && r.graphCode === RE_ENGAGEMENT_REQUIRED) {
          // Meta's clock says the window is closed (e.g. a late redelivery reopened ours): re-engage instead.
          id = await this.sendTemplate(context, to, data);
        }
        break;
      }
    }
    if (id && data.idempotencyKey) await this.users.rememberSent(to, data.idempotencyKey, id);
    return id;
  }

  /** Sends the approved template once per turn; free-form content never goes out of the window. */
  private async sendTemplate(context: TurnContext, to: string, data: WhatsAppOutboundChannelData): Promise<string> {
    const already = context.turnState.get(TURN_TEMPLATE) as string | undefined;
    if (already !== undefined) return already;
    const { templates, templateLanguage } = this.opts.settings;
    const purpose = data.template?.purpose ?? (data.humanAgent ? 'agent' : 'reengage');
    const name = data.template?.name ?? templates[purpose] ?? templates.reengage;
    if (!name) {
      this.opts.logger.warn('whatsapp window closed and no template configured: message not sent', { purpose });
      context.turnState.set(TURN_TEMPLATE, '');
      return '';
    }
    const r = await this.post(renderWhatsAppTemplate(to, name, templateLanguage, data.template?.parameters));
    const id = r.ok ? (r.body.messages?.[0]?.id ?? '') : '';
    this.opts.logger.info('whatsapp window closed: template sent instead', { template: name, sent: r.ok });
    context.turnState.set(TURN_TEMPLATE, id);
    return id;
  }

  private post(payload: WhatsAppPayload): Promise<GraphResult<{ messages?: { id: string }[] }>> {
    return this.graph.post(`${this.opts.settings.phoneNumberId}/messages`, this.opts.settings.accessToken, payload);
  }

  private track(p: Promise<unknown>): void {
    const tracked = p.catch(() => undefined).finally(() => this.background.delete(tracked));
    this.background.add(tracked);
  }
}

type Inbound = { kind: 'text'; text: string } | { kind: 'media' } | { kind: 'ignore' };

/** What the user said: typed text, the value behind a tapped button/row, a numbered choice, or media. */
function inboundText(m: WaInboundMessage, state: ChannelUserState): Inbound {
  const offered = state.offered?.choices;
  const values = offered?.map((c) => c.value);
  switch (m.type) {
    case 'text': {
      const body = m.text?.body ?? '';
      const picked = state.offered?.numbered ? resolveNumberedReply(body, offered ?? []) : undefined;
      return { kind: 'text', text: picked ?? body };
    }
    case 'interactive': {
      const reply = m.interactive?.button_reply ?? m.interactive?.list_reply;
      if (!reply) return { kind: 'ignore' };
      return { kind: 'text', text: decodeChoiceId(reply.id, values) ?? reply.title ?? '' };
    }
    case 'button': // a template's quick-reply button: the payload is ours, the text its label
      return { kind: 'text', text: m.button?.payload || m.button?.text || '' };
    case 'image':
    case 'video':
    case 'document': {
      const caption = m[m.type]?.caption?.trim();
      return caption ? { kind: 'text', text: caption } : { kind: 'media' };
    }
    default:
      return MEDIA_TYPES.has(m.type) ? { kind: 'media' } : { kind: 'ignore' }; // reactions, system notices
  }
}
