/**
 * The handoff's data: one record per escalation, and one small state per customer conversation that says who
 * owns it right now. Both live in botbuilder `Storage`, so a restart finds every conversation where it was.
 */
import type { ConversationReference } from 'botbuilder';

/** Why the bot handed over. Free text is allowed for reasons a dialog invents; these four are the built-in triggers. */
export type HandoffReason =
  | 'customer_request'
  | 'misunderstood'
  | 'negative_sentiment'
  | 'credit_limit_review'
  | (string & {});

/** The `value` of a `handoff.initiate` event sent by the bot (and by `requestHuman`). */
export interface HandoffRequest {
  reason: HandoffReason;
  /** node-nlp sentiment score of the message that triggered it (below 0 is negative). */
  sentiment?: number;
  /** The pending credit-limit request an agent must decide, when the reason is `credit_limit_review`. */
  creditLimitRequestId?: string;
  /** Safe context from the dialog (the dialogs put the credit-limit request id here). */
  note?: string;
}

/**
 * Life of one handoff: `queued` (waiting for an agent), `agent` (an agent owns it), `callback` (nobody claimed in
 * time and the customer left a message to be called back; the bot talks again), `resolved` (back to the bot).
 */
export type HandoffState = 'queued' | 'agent' | 'callback' | 'resolved';

export interface TranscriptTurn {
  from: 'customer' | 'bot' | 'agent';
  text: string;
  at: string;
}

export interface HandoffRecord {
  id: string;
  state: HandoffState;
  /** Storage key of the customer's conversation (`channelId/conversationId`). */
  conversationKey: string;
  channelId: string;
  reference: Partial<ConversationReference>;
  msisdn?: string;
  reason: HandoffReason;
  sentiment?: number;
  creditLimitRequestId?: string;
  /** The last turns before the handoff, oldest first. */
  turns: TranscriptTurn[];
  createdAt: string;
  /** Opaque reference of the desk's case (Slack: `channel/ts` of the parent message). */
  caseRef?: string;
  agentId?: string;
  claimedAt?: string;
  /** Set when nobody claimed within the queue timeout and the customer was offered a call back. */
  callbackOfferedAt?: string;
  callbackMessage?: string;
  resolvedAt?: string;
  resolvedBy?: string;
  /** The customer's 1 to 5 rating after resolve. */
  rating?: number;
}

/** Per customer conversation: who owns it and the recent turns the context card shows. */
export interface ConversationHandoffState {
  /** The handoff that currently owns the conversation (queued or with an agent): the bot stays silent. */
  activeHandoffId?: string;
  /** After resolve: the handoff whose 1 to 5 rating the bot just asked for. */
  awaitingRatingFor?: string;
  turns: TranscriptTurn[];
}

/** Expected failures of the handoff service, as values with stable codes. */
export const HandoffErrorCodes = {
  NOT_FOUND: 'HANDOFF.NOT_FOUND',
  ALREADY_CLAIMED: 'HANDOFF.ALREADY_CLAIMED',
  NOT_OWNER: 'HANDOFF.NOT_OWNER',
  NOT_ACTIVE: 'HANDOFF.NOT_ACTIVE',
  NO_CHANNEL: 'HANDOFF.NO_CHANNEL',
  NO_SUBSCRIBER: 'HANDOFF.NO_SUBSCRIBER',
  INVALID: 'HANDOFF.INVALID',
  CHARGING: 'HANDOFF.CHARGING_FAILED',
} as const;

export type HandoffErrorCode = (typeof HandoffErrorCodes)[keyof typeof HandoffErrorCodes];

export type HandoffResult<T> =
  | { ok: true; value: T }
  | { ok: false; error: { code: HandoffErrorCode; message: string; cause?: string } };

export const handoffOk = <T>(value: T): HandoffResult<T> => ({ ok: true, value });
export const handoffFail = <T = never>(code: HandoffErrorCode, message: string, cause?: string): HandoffResult<T> => ({
  ok: false,
  error: { code, message, ...(cause ? { cause } : {}) },
});
