/**
 * How the bot asks for a human: it sends Bot Framework's `handoff.initiate` event (botbuilder's `EventFactory`),
 * whose `value` is a `HandoffRequest`. `HandoffMiddleware` sees the event leave and queues the handoff at the end of
 * the turn, with the conversation's recent turns as context. Dialogs (which may not import `bot/`) can send the
 * same event themselves: `context.sendActivity(EventFactory.createHandoffInitiation(context, { reason, sentiment }))`.
 */
import { EventFactory, type ResourceResponse, type Transcript, type TurnContext } from 'botbuilder';
import type { HandoffRequest } from './handoff.model.js';

export async function requestHuman(
  context: TurnContext,
  request: HandoffRequest,
  transcript?: Transcript,
): Promise<ResourceResponse | undefined> {
  return context.sendActivity(EventFactory.createHandoffInitiation(context, request, transcript));
}
