/**
 * A small bot for the channel tests: answers text, offers 2, 3, 5 and 12 choices as `imBack` suggested
 * actions, sends an `openUrl` link, reports whether the channel proved an identity, and echoes anything else
 * (so a tapped choice shows the value it came back with).
 */
import { ActivityHandler, type CardAction, MessageFactory } from 'botbuilder';

function choices(n: number, prefix: string): CardAction[] {
  return Array.from({ length: n }, (_, i) => ({
    type: 'imBack',
    title: `${prefix} option number ${i + 1} with a long title`,
    value: `${prefix}:${i + 1}`,
  }));
}

export class ChannelTestBot extends ActivityHandler {
  /** Texts the bot received, in order (to assert what the adapter delivered). */
  readonly received: { text: string; channelData: unknown; fromId: string }[] = [];

  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const text = context.activity.text ?? '';
      this.received.push({ text, channelData: context.activity.channelData, fromId: context.activity.from.id });
      const identity = (context.activity.channelData as { identity?: { msisdn: string } } | undefined)?.identity;
      switch (text.trim().toLowerCase()) {
        case 'hi':
          await context.sendActivity('Hello! How can I help?');
          break;
        case 'who am i':
          await context.sendActivity(identity ? `verified ${identity.msisdn}` : 'not verified');
          break;
        case 'two':
          await context.sendActivity(
            MessageFactory.suggestedActions(
              [
                { type: 'imBack', title: 'Yes', value: 'swap:confirm:Q1' },
                { type: 'imBack', title: 'No', value: 'swap:cancel:Q1' },
              ],
              'Confirm the swap?',
            ),
          );
          break;
        case 'three':
          await context.sendActivity(MessageFactory.suggestedActions(choices(3, 'three'), 'Pick one of three'));
          break;
        case 'five':
          await context.sendActivity(MessageFactory.suggestedActions(choices(5, 'five'), 'Pick one of five'));
          break;
        case 'twelve':
          await context.sendActivity(MessageFactory.suggestedActions(choices(12, 'twelve'), 'Pick one of twelve'));
          break;
        case 'fourteen':
          await context.sendActivity(MessageFactory.suggestedActions(choices(14, 'fourteen'), 'Pick one of fourteen'));
          break;
        case 'link':
          await context.sendActivity(
            MessageFactory.suggestedActions(
              [{ type: 'openUrl', title: 'Pay now', value: 'https://pay.example.test/pay/p1' }],
              'Pay your bill here',
            ),
          );
          break;
        default:
          await context.sendActivity(`You said: ${text}`);
      }
      await next();
    });
  }
}
