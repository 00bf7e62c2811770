/**
 * The bot: an `ActivityHandler` that every channel adapter runs (`bot.run(context)`). Per message it removes
 * card numbers, loads the customer's state, establishes identity from the channel, recognises the text once,
 * lets the handoff gate take the turn if a human owns the conversation, and otherwise runs the dialogs.
 * Turns of one conversation are serialised; state is saved at the end of every turn.
 */
import {
  type Activity,
  ActivityHandler,
  ActivityTypes,
  type ConversationState,
  type StatePropertyAccessor,
  type TurnContext,
  type UserState,
} from 'botbuilder';
import { DialogSet, type DialogState, DialogTurnStatus } from 'botbuilder-dialogs';
import type { ChargingService, Clock } from '../charging/ports.js';
import type { DialogDeps } from '../dialogs/dialog-deps.js';
import { MainDialog } from '../dialogs/main.dialog.js';
import { money } from '../dialogs/format.js';
import { openPayment, paymentUrl } from '../dialogs/payment-link.js';
import { menu, paymentLink, textWithChoices } from '../dialogs/replies.js';
import {
  type ConversationData,
  SESSION,
  type Session,
  type SubscriberProfile,
  type VerifiedBy,
} from '../dialogs/session.js';
import { textsFor } from '../dialogs/texts/index.js';
import type { Recognition, Recognizer } from '../nlu/recognizer.js';
import { CARD_PLACEHOLDER, redactCardNumbers } from './card-redaction.js';
import type { ConversationReferenceStore } from './conversation-references.js';
import type { HandoffGate } from './handoff-hooks.js';
import type { Logger } from './logger.js';
import { TurnQueue } from './turn-queue.js';

/** Longer messages are not interpreted (the recogniser reads 1,000 characters; nobody asks for a swap in 5,000). */
export const MAX_TEXT_CHARS = 1000;
/** Turns kept for the handoff transcript. */
const TRANSCRIPT_TURNS = 30;
const TRANSCRIPT_LINE_CHARS = 500;

export interface TelcoBotParts {
  charging: ChargingService;
  clock: Clock;
  recognizer: Recognizer;
  conversationState: ConversationState;
  userState: UserState;
  main: MainDialog;
  /** What the dialogs were built with (the card-number warning re-sends an open payment link). */
  dialogDeps: DialogDeps;
  references: ConversationReferenceStore;
  logger: Logger;
  /** The handoff gate in force (replaceable at run time). */
  gate: () => HandoffGate | undefined;
  onTurnError: (context: TurnContext, error: unknown) => Promise<void>;
}

interface ChannelIdentity {
  msisdn: string;
  verifiedBy: VerifiedBy;
}

/** The identity an adapter proved (docs/ARCHITECTURE.md: only adapters set `channelData.identity`). */
export function channelIdentityOf(activity: Partial<Activity>): ChannelIdentity | undefined {
  const identity = (activity.channelData as { identity?: Partial<ChannelIdentity> } | undefined)?.identity;
  if (!identity || typeof identity.msisdn !== 'string' || !/^\+\d{8,15}$/.test(identity.msisdn)) return undefined;
  if (identity.verifiedBy !== 'whatsapp' && identity.verifiedBy !== 'webchat-token') return undefined;
  return { msisdn: identity.msisdn, verifiedBy: identity.verifiedBy };
}

const emptyRecognition = (text: string, locale: string): Recognition => ({
  text,
  locale,
  intent: 'None',
  score: 1,
  entities: [],
  sentiment: { score: 0, vote: 'neutral' },
});

export class TelcoBot extends ActivityHandler {
  readonly dialogState: StatePropertyAccessor<DialogState>;
  readonly conversationData: StatePropertyAccessor<ConversationData>;
  readonly profile: StatePropertyAccessor<SubscriberProfile>;
  private readonly dialogs: DialogSet;
  private readonly queue = new TurnQueue();

  constructor(private readonly parts: TelcoBotParts) {
    super();
    this.dialogState = parts.conversationState.createProperty<DialogState>('dialogState');
    this.conversationData = parts.conversationState.createProperty<ConversationData>('conversationData');
    this.profile = parts.userState.createProperty<SubscriberProfile>('profile');
    this.dialogs = new DialogSet(this.dialogState);
    this.dialogs.add(parts.main);

    this.onMessage(async (context, next) => {
      await this.handleMessage(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      const newcomers = (context.activity.membersAdded ?? []).filter((m) => m.id !== context.activity.recipient?.id);
      if (newcomers.length > 0) {
        const session = await this.loadSession(context, '');
        if (!(await this.parts.gate()?.intercept(context))) {
          const { texts, profile } = session;
          await context.sendActivity(menu(texts.greeting(profile.name), texts.menu));
        }
      }
      await next();
    });
    this.onEvent(async (context, next) => {
      // `handoff.status` and other events: the gate may use them; the bot must not reject them.
      await this.loadSession(context, '');
      await this.parts.gate()?.intercept(context);
      await next();
    });
  }

  override async run(context: TurnContext): Promise<void> {
    const key = `${context.activity.channelId}/${context.activity.conversation?.id ?? ''}`;
    await this.queue.run(key, async () => {
      try {
        await super.run(context);
        // Together: both join the same storage write when both changed.
        await Promise.all([
          this.parts.conversationState.saveChanges(context),
          this.parts.userState.saveChanges(context),
        ]);
      } catch (error) {
        await this.parts.onTurnError(context, error);
        // A turn that failed must not leave the dialog stuck on the step that failed.
        try {
          await this.dialogState.delete(context);
          await this.parts.conversationState.saveChanges(context, true);
          await this.parts.userState.saveChanges(context);
        } catch {
          // The storage itself may be what failed; the error was already reported.
        }
      }
    });
  }

  /** Loads profile and conversation data, establishes identity, recognises the text; puts it all in turn state. */
  private async loadSession(context: TurnContext, text: string): Promise<Session> {
    const profile = await this.profile.get(context, {});
    const data = await this.conversationData.get(context, { misunderstandings: 0, transcript: [] });
    data.transcript ??= [];
    data.misunderstandings ??= 0;
    const channelIdentity = await this.applyChannelIdentity(context, profile);

    const recognition =
      text === '' || text.length > MAX_TEXT_CHARS
        ? emptyRecognition(text, profile.locale ?? 'en')
        : await this.parts.recognizer.recognize(text, profile.locale);
    const words = text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
    // Language detection from the first messages: only a message that was understood and is long enough
    // (or a greeting, "hola") says which language someone writes in.
    const reliable = recognition.intent !== 'None' && (words >= 2 || recognition.intent === 'greeting');
    if (!profile.locale && reliable) profile.locale = recognition.locale;
    const texts = textsFor(profile.locale ?? (reliable ? recognition.locale : 'en'));

    const session: Session = { text, recognition, profile, data, texts, channelIdentity };
    context.turnState.set(SESSION, session);
    await this.parts.references.remember(context.activity, profile.msisdn);
    return session;
  }

  /** `channelData.identity` is proof from the adapter: it wins over anything remembered. */
  private async applyChannelIdentity(
    context: TurnContext,
    profile: SubscriberProfile,
  ): Promise<Session['channelIdentity']> {
    const claimed = channelIdentityOf(context.activity);
    if (!claimed) return undefined;
    if (profile.msisdn === claimed.msisdn && profile.verifiedBy === claimed.verifiedBy) {
      return { verifiedBy: claimed.verifiedBy, isSubscriber: true };
    }
    const found = await this.parts.charging.getSubscriber(claimed.msisdn);
    if (found.ok) {
      profile.msisdn = claimed.msisdn;
      profile.verifiedBy = claimed.verifiedBy;
      profile.name = found.value.name;
      profile.locale = found.value.language || profile.locale;
      return { verifiedBy: claimed.verifiedBy, isSubscriber: true };
    }
    if (found.error.code === 'SUBSCRIBER.NOT_FOUND') {
      profile.msisdn = undefined;
      profile.verifiedBy = undefined;
      profile.name = undefined;
      return { verifiedBy: claimed.verifiedBy, isSubscriber: false };
    }
    return undefined;
  }

  private record(data: ConversationData, from: 'user' | 'bot', text: string, at: Date): void {
    if (!text) return;
    data.transcript.push({ from, text: text.slice(0, TRANSCRIPT_LINE_CHARS), at: at.toISOString() });
    if (data.transcript.length > TRANSCRIPT_TURNS) data.transcript.splice(0, data.transcript.length - TRANSCRIPT_TURNS);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    // Defence in depth: channel adapters redact card numbers already; the Bot Framework endpoint has no adapter.
    const redacted = redactCardNumbers(activity.text ?? '');
    activity.text = redacted.text;
    const text = redacted.text.trim();
    const cardNumber = redacted.found || text.includes(CARD_PLACEHOLDER);

    const session = await this.loadSession(context, cardNumber ? '' : text);
    session.text = text;
    this.record(session.data, 'user', text, this.parts.clock.now());
    context.onSendActivities(async (_ctx, activities, next) => {
      for (const a of activities) {
        if (a.type === ActivityTypes.Message && a.text)
          this.record(session.data, 'bot', a.text, this.parts.clock.now());
      }
      return next();
    });

    if (await this.parts.gate()?.intercept(context)) return;

    const { texts } = session;
    const hasAttachments = (activity.attachments ?? []).length > 0;
    const problem = cardNumber
      ? texts.cardNumberWarning
      : text === ''
        ? hasAttachments
          ? texts.attachmentOnly
          : texts.emptyMessage
        : text.length > MAX_TEXT_CHARS
          ? texts.tooLong
          : undefined;

    const dc = await this.dialogs.createContext(context);
    if (problem) {
      // Not something to interpret: say why, and repeat the open question if there is one.
      // Card details never go through the chat: point to the open checkout link, or to the ways of getting one.
      const open = cardNumber && session.profile.msisdn ? await openPayment(context, this.parts.dialogDeps) : undefined;
      await context.sendActivity(cardNumber && !open ? textWithChoices(problem, texts.cardNumberChoices) : problem);
      if (open) {
        const url = paymentUrl(this.parts.dialogDeps.publicUrl, open.id);
        await context.sendActivity(
          paymentLink(texts.paymentStillOpen(url), texts.payButton(money(open.amount, texts)), url),
        );
      }
      if (dc.activeDialog) await dc.repromptDialog();
      return;
    }
    const result = await dc.continueDialog();
    if (result.status === DialogTurnStatus.empty) await dc.beginDialog(MainDialog.id);
  }
}
