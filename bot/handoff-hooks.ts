/**
 * Seams for the human handoff (issue 6 plugs the Slack desk in here without touching the dialogs):
 * - a `HandoffGate` sees every inbound activity first and can take it (a human owns the conversation, so the
 *   bot stays silent and the message goes to the agent);
 * - a `HandoffRequester` is what "talk to a person" calls. The default tells the customer and emits Bot
 *   Framework's `handoff.initiate` event with the transcript (EventFactory.createHandoffInitiation).
 */
import { type Activity, EventFactory, type TurnContext } from 'botbuilder';
import type { HandoffRequest, HandoffRequester } from '../dialogs/dialog-deps.js';
import { sessionOf } from '../dialogs/session.js';

export interface HandoffGate {
  /**
   * Called on every inbound activity after the session is loaded (`sessionOf(context)` works: profile,
   * transcript, recognition with sentiment) and before any dialog. Return true when it handled the turn.
   */
  intercept(context: TurnContext): Promise<boolean>;
}

/** What the `handoff.initiate` event carries as `value` (hub-specific context; no personal data). */
export interface HandoffContextValue {
  reason: HandoffRequest['reason'];
  note?: string;
  channelId: string;
  locale: string;
  verified: boolean;
}

/** The conversation's last turns as Bot Framework activities, for the handoff event's transcript. */
export function transcriptActivities(context: TurnContext): Partial<Activity>[] {
  const { data } = sessionOf(context);
  const user = context.activity.from;
  const bot = context.activity.recipient;
  return data.transcript.map((line) => ({
    type: 'message',
    text: line.text,
    timestamp: new Date(line.at),
    from:
      line.from === 'user'
        ? { id: user?.id ?? 'user', name: user?.name ?? 'user', role: 'user' }
        : { id: bot?.id ?? 'bot', name: bot?.name ?? 'bot', role: 'bot' },
  }));
}

export class EventHandoffRequester implements HandoffRequester {
  async initiate(context: TurnContext, request: HandoffRequest): Promise<void> {
    const session = sessionOf(context);
    if (request.announce !== false) await context.sendActivity(session.texts.handoffStarted);
    const value: HandoffContextValue = {
      reason: request.reason,
      ...(request.note ? { note: request.note } : {}),
      channelId: context.activity.channelId,
      locale: session.texts.locale,
      verified: !!session.profile.msisdn,
    };
    const event = EventFactory.createHandoffInitiation(context, value, {
      activities: transcriptActivities(context) as Activity[],
    });
    await context.sendActivity(event);
  }
}
