/**
 * Card numbers never get past the door. Register this middleware FIRST (before transcript, handoff mirroring,
 * dialogs): when an inbound message holds a card number (already replaced by the channel adapter with
 * `CARD_PLACEHOLDER`, or still present, which this re-checks), the text is redacted in place, the customer is
 * told never to send card details in chat and offered the payment-link path, and by default the turn ends there
 * so nothing else runs on it. On every turn, outbound text is redacted too, so a card number is never echoed.
 */
import type { Activity, Middleware, TurnContext } from 'botbuilder';
import { CARD_PLACEHOLDER, redactCardNumbers } from '../card-redaction.js';

export interface CardNumberGuardOptions {
  /** Let the rest of the pipeline run on the redacted text after the warning. Default false: the turn ends. */
  continueTurn?: boolean;
  /**
   * Send the warning. Default true. With false the guard only redacts (inbound and outbound) and the turn goes
   * on, so the bot can warn in the customer's language and point to their open payment link.
   */
  speak?: boolean;
  /** The warning; default in English. */
  warning?: string;
  /** Choices offered with the warning (button taps arrive as their `value` text). */
  choices?: { title: string; value: string }[];
}

export const CARD_WARNING =
  'For your safety, please never send card details in a chat. I removed the number from your message and did not keep it. ' +
  'To pay, I can send you a secure payment link instead: choose below or say "top up" or "pay my bill".';

const DEFAULT_CHOICES = [
  { title: 'Top up credit', value: 'top up' },
  { title: 'Pay my bill', value: 'pay my bill' },
];

/** Redacts card numbers from the string fields a message can carry; reports whether any was found. */
function redactActivity(activity: Partial<Activity>): boolean {
  let found = false;
  if (typeof activity.text === 'string') {
    const r = redactCardNumbers(activity.text);
    found = r.found || activity.text.includes(CARD_PLACEHOLDER);
    activity.text = r.text;
  }
  // Button values and card submissions can carry text too.
  if (typeof activity.value === 'string') {
    const r = redactCardNumbers(activity.value);
    found ||= r.found;
    activity.value = r.text;
  }
  return found;
}

export class CardNumberGuard implements Middleware {
  readonly #opts: Required<CardNumberGuardOptions>;

  constructor(opts: CardNumberGuardOptions = {}) {
    this.#opts = {
      continueTurn: opts.continueTurn ?? false,
      speak: opts.speak ?? true,
      warning: opts.warning ?? CARD_WARNING,
      choices: opts.choices ?? DEFAULT_CHOICES,
    };
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // Outbound: whatever a dialog, an agent or an echo puts in a reply, a card number does not leave.
    context.onSendActivities(async (_ctx, activities, send) => {
      for (const a of activities) {
        if (typeof a.text === 'string') a.text = redactCardNumbers(a.text).text;
        if (typeof a.speak === 'string') a.speak = redactCardNumbers(a.speak).text;
      }
      return send();
    });

    const activity = context.activity;
    const flagged = (activity.channelData as { cardNumberRedacted?: unknown } | undefined)?.cardNumberRedacted === true;
    const found = activity.type === 'message' && (redactActivity(activity) || flagged);
    if (!found) return next();
    if (!this.#opts.speak) return next();

    await context.sendActivity({
      type: 'message',
      text: this.#opts.warning,
      suggestedActions: {
        to: [],
        actions: this.#opts.choices.map((c) => ({ type: 'imBack', title: c.title, value: c.value })),
      },
    });
    if (this.#opts.continueTurn) await next();
  }
}
