/**
 * botbuilder `Middleware` that makes the bot stay silent while a human owns a conversation: the customer's
 * messages go to the desk and the dialogs never see them. On other turns it lets the dialogs run, remembers the
 * turn for the context card, and turns a `handoff.initiate` event the bot sent into a queued handoff.
 *
 * Register it on every channel adapter before the bot runs: `adapter.use(new HandoffMiddleware(service))`.
 */
import { type Activity, ActivityTypes, HandoffEventNames, type Middleware, type TurnContext } from 'botbuilder';
import type { HandoffService } from './handoff.service.js';

/** Channels that cannot render an event activity: the `handoff.initiate` event stays inside the bot there. */
const EVENTLESS_CHANNELS = new Set(['whatsapp', 'messenger']);

export class HandoffMiddleware implements Middleware {
  readonly #service: HandoffService;

  constructor(service: HandoffService) {
    this.#service = service;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    if (context.activity.type !== ActivityTypes.Message) return next();
    const begin = await this.#service.beginTurn(context);
    if (begin.handled) return;

    const botTexts: string[] = [];
    let initiate: Partial<Activity> | undefined;
    context.onSendActivities(async (ctx, activities, nextSend) => {
      for (let i = activities.length - 1; i >= 0; i--) {
        const a = activities[i];
        if (a.type === ActivityTypes.Event && a.name === HandoffEventNames.InitiateHandoff) {
          initiate ??= a;
          if (EVENTLESS_CHANNELS.has(ctx.activity.channelId)) activities.splice(i, 1);
        }
      }
      for (const a of activities) if (a.type === ActivityTypes.Message && a.text) botTexts.push(a.text);
      if (activities.length === 0) return [];
      return nextSend();
    });
    await next();
    await this.#service.endTurn(context, { botTexts, initiate });
  }
}
