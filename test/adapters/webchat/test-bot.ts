/**
 * A small bot for the web chat channel's tests and bench: welcomes on conversationUpdate, echoes with a typing
 * indicator first, offers suggested actions (imBack and openUrl), reports `channelData.identity`, and fails on
 * demand (for the 502 path).
 */
import { ActionTypes, ActivityHandler, ActivityTypes, MessageFactory } from 'botbuilder';

export const WELCOME_TEXT = 'Welcome to the test bot!';

export class WebChatTestBot extends ActivityHandler {
  constructor() {
    super();
    this.onMembersAdded(async (context, next) => {
      for (const member of context.activity.membersAdded ?? []) {
        if (member.id !== context.activity.recipient.id) await context.sendActivity(WELCOME_TEXT);
      }
      await next();
    });
    this.onMessage(async (context, next) => {
      const text = (context.activity.text ?? '').trim();
      const identity = (context.activity.channelData as { identity?: { msisdn: string; verifiedBy: string } })
        ?.identity;
      if (text === 'menu') {
        await context.sendActivity(
          MessageFactory.suggestedActions(
            [
              { type: ActionTypes.ImBack, title: 'Balance', value: 'balance' },
              { type: ActionTypes.ImBack, title: 'Swap', value: 'swap' },
              { type: ActionTypes.OpenUrl, title: 'Pay', value: 'http://127.0.0.1/pay/p1' },
            ],
            'What would you like to do?',
          ),
        );
      } else if (text === 'balance') {
        await context.sendActivity('Your balance is 10.00');
      } else if (text === 'who') {
        await context.sendActivity(
          identity ? `you are ${identity.msisdn} via ${identity.verifiedBy}` : 'you are anonymous',
        );
      } else if (text === 'fail') {
        throw new Error('the test bot failed on purpose');
      } else {
        await context.sendActivity({ type: ActivityTypes.Typing });
        await context.sendActivity(`echo: ${text}`);
      }
      await next();
    });
  }
}
