/**
 * When the bot should hand over, as small pure rules the dialogs apply (they then call `requestHuman`, or send
 * `handoff.initiate` themselves, with the matching reason):
 * - the `agent.handoff` intent -> `customer_request`;
 * - two misunderstandings in a row, then the customer accepts the offer of a human -> `misunderstood`;
 * - strongly negative sentiment -> `negative_sentiment`;
 * - a credit-limit request the core left pending -> `credit_limit_review`.
 */
import type { HandoffReason } from './handoff.model.js';

/** Misunderstandings in a row after which the bot offers a human. */
export const MISUNDERSTANDINGS_BEFORE_OFFER = 2;

/** node-nlp sentiment score at or below which a message counts as strongly negative. */
export const STRONGLY_NEGATIVE_SCORE = -0.5;

export function shouldOfferHuman(misunderstandingsInARow: number): boolean {
  return misunderstandingsInARow >= MISUNDERSTANDINGS_BEFORE_OFFER;
}

export function isStronglyNegative(sentiment: { score: number; vote?: string } | undefined): boolean {
  return sentiment !== undefined && sentiment.score <= STRONGLY_NEGATIVE_SCORE;
}

/** The reason for a turn, or undefined when nothing calls for a human. */
export function handoffReasonFor(turn: {
  intent?: string;
  sentiment?: { score: number };
  misunderstandingsInARow?: number;
  acceptedHumanOffer?: boolean;
  creditLimitPending?: boolean;
}): HandoffReason | undefined {
  if (turn.intent === 'agent.handoff') return 'customer_request';
  if (turn.creditLimitPending) return 'credit_limit_review';
  if (turn.acceptedHumanOffer && shouldOfferHuman(turn.misunderstandingsInARow ?? 0)) return 'misunderstood';
  if (isStronglyNegative(turn.sentiment)) return 'negative_sentiment';
  return undefined;
}
