/**
 * Per-turn view of the state the dialogs share. The bot loads the user profile (UserState, per channel
 * user) and the conversation data (ConversationState) at the start of every turn, recognises the text once,
 * and puts all of it in the turn state under `SESSION`; dialogs mutate these objects and the bot saves them.
 */
import type { TurnContext } from 'botbuilder';
import type { Recognition } from '../nlu/recognizer.js';
import type { Texts } from './texts/index.js';

export type VerifiedBy = 'whatsapp' | 'webchat-token' | 'otp';

/** Remembered per channel user (UserState). */
export interface SubscriberProfile {
  msisdn?: string;
  verifiedBy?: VerifiedBy;
  /** The subscriber's language once known (from the account, else detected from the first messages). */
  locale?: string;
  name?: string;
}

export interface TranscriptLine {
  from: 'user' | 'bot';
  text: string;
  at: string;
}

/** Remembered per conversation (ConversationState). */
export interface ConversationData {
  /** Misunderstood messages in a row (reset by any understood one). */
  misunderstandings: number;
  lastSwap?: { id: string; from: string; to: string; undoableUntil: string };
  pendingPayment?: { id: string; url: string; expiresAt: string };
  /** When a confirmed transaction last completed: a second "yes" right after gets "already done". */
  lastCompletedAt?: string;
  /** Last turns (text only, card numbers already removed by the channel), for the handoff transcript. */
  transcript: TranscriptLine[];
}

export interface Session {
  /** The message text after trimming ('' for none). */
  text: string;
  recognition: Recognition;
  profile: SubscriberProfile;
  data: ConversationData;
  texts: Texts;
  /** The number the channel itself proved (WhatsApp sender, signed web identity), and whether it is ours. */
  channelIdentity?: { verifiedBy: VerifiedBy; isSubscriber: boolean };
}

export const SESSION = Symbol('telco.session');

export function sessionOf(context: TurnContext): Session {
  const session = context.turnState.get(SESSION) as Session | undefined;
  if (!session) throw new Error('session not loaded: the bot must load it before running dialogs');
  return session;
}

/** Key of the channel user, for one-time-code requesters (not personal data by itself, but never logged). */
export function requesterOf(context: TurnContext): string {
  return `${context.activity.channelId}:${context.activity.from?.id ?? 'unknown'}`;
}
