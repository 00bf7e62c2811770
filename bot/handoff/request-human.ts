/**
 * How the bot asks for a human: it sends Bot Framework's `handoff.initiate` event (botbuilder's `EventFactory`),
 * whose `value` is a `HandoffRequest`. `HandoffMiddleware` sees the event leave and queues the handoff at the end of
 * the turn, with the conversation's recent turns (or the event's `Transcript` attachment) as context, and tells
 * the customer they are queued and for how long. So `requestHuman` itself says nothing to the customer.
 */
import { EventFactory, type Transcript, type TurnContext } from 'botbuilder';
import type { HandoffRequester } from '../../dialogs/dialog-deps.js';
import type { HandoffRequest } from './handoff.model.js';

export async function requestHuman(
  context: TurnContext,
  request: HandoffRequest,
  transcript?: Transcript,
): Promise<void> {
  await context.sendActivity(EventFactory.createHandoffInitiation(context, request, transcript));
}

/**
 * The dialogs' `HandoffRequester` port (dialogs/dialog-deps.ts) backed by the handoff service: pass it as
 * `deps.handoff` so that "agent", two misunderstandings, strong negativity or a pending credit limit queue a handoff.
 * `announce` is ignored: the service always tells the customer they are queued, since the bot then goes silent.
 */
export const handoffRequester: HandoffRequester = {
  initiate: (context, request) => requestHuman(context, { reason: request.reason, note: request.note }),
};
