/**
 * botbuilder `Middleware` of proactive care, on every channel adapter:
 * - "stop alerts" / "start alerts" (and Spanish) are handled here, before the dialogs (the recogniser would take
 *   "stop alerts" for a cancel): the choice is recorded for the subscriber and confirmed in the chat;
 * - after every customer turn, the channel and conversation are remembered as the subscriber's last used, which
 *   is where alerts go;
 * - while a customer turn runs, alerts give way (`turnStarted` / `turnEnded`), so the bot answers first.
 */
import { type Middleware, type TurnContext, ActivityTypes } from 'botbuilder';
import type { Clock } from '../../charging/ports.js';
import { systemClock } from '../../charging/ports.js';
import { type ConversationReferenceStore, conversationKeyOf } from '../conversation-references.js';
import type { Logger } from '../logger.js';
import { channelIdentityOf } from '../telco-bot.js';
import { alertCommandOf, CONFIRMATIONS } from './alert-commands.js';
import type { ProactiveCare } from './proactive-care.js';

export interface CareMiddlewareDeps {
  care: ProactiveCare;
  references: ConversationReferenceStore;
  /** The verified MSISDN the bot holds for this channel user, if any (`BotApp.profileOf`). */
  msisdnOf: (context: TurnContext) => Promise<string | undefined>;
  logger: Logger;
  clock?: Clock;
}

export class CareMiddleware implements Middleware {
  readonly #deps: CareMiddlewareDeps;
  readonly #clock: Clock;

  constructor(deps: CareMiddlewareDeps) {
    this.#deps = deps;
    this.#clock = deps.clock ?? systemClock;
  }

  async onTurn(context: TurnContext, next: () => Promise<void>): Promise<void> {
    // Proactive turns (ContinueConversation events), typing, conversation updates: not the customer speaking.
    if (context.activity.type !== ActivityTypes.Message) return next();
    const { care } = this.#deps;
    care.turnStarted();
    try {
      const command = alertCommandOf(context.activity.text);
      if (command) {
        const msisdn = await this.#msisdn(context);
        const texts = CONFIRMATIONS[command.locale];
        if (!msisdn) {
          await context.sendActivity(texts.unknown);
          return;
        }
        await care.setOptIn(msisdn, command.optIn);
        await context.sendActivity(command.optIn ? texts.started : texts.stopped);
        // The bot did not run this turn: keep its conversation reachable all the same.
        await this.#deps.references.remember(context.activity, msisdn);
        await this.#remember(context, msisdn);
        return;
      }
      await next();
      const msisdn = await this.#msisdn(context);
      if (msisdn) await this.#remember(context, msisdn);
    } finally {
      care.turnEnded();
    }
  }

  async #msisdn(context: TurnContext): Promise<string | undefined> {
    try {
      return channelIdentityOf(context.activity)?.msisdn ?? (await this.#deps.msisdnOf(context));
    } catch {
      return undefined;
    }
  }

  async #remember(context: TurnContext, msisdn: string): Promise<void> {
    try {
      const key = conversationKeyOf(context.activity);
      await this.#deps.care.state.rememberChannel(msisdn, context.activity.channelId, key, this.#clock.now());
    } catch (error) {
      // Losing track of the last channel must not fail the customer's turn; alerts fall back to any channel.
      this.#deps.logger.warn('care: last channel not recorded', { error });
    }
  }
}
