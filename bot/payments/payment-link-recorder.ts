import { type Activity, type Middleware, TurnContext } from 'botbuilder';
import type { PaymentConversations } from './payment-conversations.js';

/**
 * Remembers the conversation of every payment link the bot sends, so dialogs need no extra call: when an
 * outbound activity carries `{PUBLIC_URL}/pay/{paymentId}` (in its text or an `openUrl` action), the
 * conversation it goes to is stored for that payment before the message leaves.
 */
export class PaymentLinkRecorder implements Middleware {
  readonly #conversations: PaymentConversations;
  readonly #linkPattern: RegExp;

  constructor(conversations: PaymentConversations, publicUrl: string) {
    this.#conversations = conversations;
    const base = publicUrl.replace(/\/+$/, '').replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    this.#linkPattern = new RegExp(`${base}/pay/([A-Za-z0-9_-]+)`, 'g');
  }

  /** Payment ids linked from an activity. */
  paymentIdsIn(activity: Partial<Activity>): string[] {
    const texts = [activity.text ?? ''];
    for (const action of activity.suggestedActions?.actions ?? []) {
      if (typeof action.value === 'string') texts.push(action.value);
    }
    const ids = new Set<string>();
    for (const text of texts) for (const m of text.matchAll(this.#linkPattern)) ids.add(m[1]);
    return [...ids];
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    context.onSendActivities(async (ctx, activities, send) => {
      const ids = activities.flatMap((a) => this.paymentIdsIn(a));
      if (ids.length > 0) {
        const reference = TurnContext.getConversationReference(ctx.activity);
        await Promise.all(ids.map((id) => this.#conversations.remember(id, reference)));
      }
      return send();
    });
    await next();
  }
}
