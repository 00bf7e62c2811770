/**
 * The base of every dialog (core-bot's CancelAndHelpDialog): "help", "cancel" and asking for a person work
 * from any step of any dialog. The outermost dialog handles the interruption first, so it happens once.
 */
import type { TurnContext } from 'botbuilder';
import {
  ComponentDialog,
  type DialogContext,
  type DialogTurnResult,
  DialogTurnStatus,
  WaterfallDialog,
  type WaterfallStep,
} from 'botbuilder-dialogs';
import type { ChargingError, Result } from '../charging/errors.js';
import type { Catalog, Subscriber } from '../charging/model.js';
import type { DialogDeps } from './dialog-deps.js';
import { menu } from './replies.js';
import { type Session, sessionOf } from './session.js';

/** Below this score an interruption intent is not trusted (the text may be a prompt's answer). */
const INTERRUPT_MIN_SCORE = 0.6;

export type Interruption = 'help' | 'cancel' | 'agent';

/** Which interruption, if any, this message asks for. Answers to prompts (numbers, codes, yes/no) never are. */
export function interruptionOf(session: Session): Interruption | undefined {
  const text = session.text.toLowerCase();
  if (text === '' || /^[\d\s+.,-]+$/.test(text)) return undefined;
  const t = session.texts;
  if ([...t.yesSynonyms, ...t.noSynonyms, t.yes.toLowerCase(), t.no.toLowerCase()].includes(text)) return undefined;
  const tapped = [...t.menu, ...t.menuNoAccount].find((m) => m.value.toLowerCase() === text);
  if (tapped?.intent === 'agent.handoff') return 'agent';
  const { intent, score } = session.recognition;
  if (score < INTERRUPT_MIN_SCORE) return undefined;
  if (intent === 'help') return 'help';
  if (intent === 'cancel') return 'cancel';
  if (intent === 'agent.handoff') return 'agent';
  return undefined;
}

export abstract class InterruptibleDialog<O extends object = object> extends ComponentDialog<O> {
  protected constructor(
    dialogId: string,
    protected readonly deps: DialogDeps,
  ) {
    super(dialogId);
  }

  /** Adds the dialog's waterfall and makes it the step the dialog starts with (prompts are added first). */
  protected addSteps(steps: WaterfallStep<O>[]): void {
    const stepsId = `${this.id}.steps`;
    this.addDialog(new WaterfallDialog<O>(stepsId, steps));
    this.initialDialogId = stepsId;
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    if (innerDc.context.activity.type === 'message') {
      const handled = await this.interrupt(innerDc);
      if (handled) return handled;
    }
    return super.onContinueDialog(innerDc);
  }

  private async interrupt(innerDc: DialogContext): Promise<DialogTurnResult | undefined> {
    const session = sessionOf(innerDc.context);
    const interruption = interruptionOf(session);
    if (!interruption) return undefined;
    const { texts } = session;
    switch (interruption) {
      case 'help': {
        // Someone the channel proved is not a subscriber only gets what needs no account.
        const notOurs = session.channelIdentity && !session.channelIdentity.isSubscriber;
        await innerDc.context.sendActivity(menu(texts.helpIntro, notOurs ? texts.menuNoAccount : texts.menu));
        await innerDc.repromptDialog();
        return { status: DialogTurnStatus.waiting };
      }
      case 'cancel':
        await innerDc.cancelAllDialogs();
        await innerDc.context.sendActivity(texts.cancelled);
        return { status: DialogTurnStatus.complete };
      case 'agent':
        await innerDc.cancelAllDialogs();
        await this.deps.handoff.initiate(innerDc.context, { reason: 'customer_request' });
        return { status: DialogTurnStatus.complete };
    }
  }

  /** Tells the customer about an expected failure of the core that the dialog has no specific answer for. */
  protected async sayCoreError(context: TurnContext, error: ChargingError): Promise<void> {
    const { texts } = sessionOf(context);
    await context.sendActivity(error.code === 'CHARGING.UNAVAILABLE' ? texts.coreUnavailable : texts.errorApology);
  }

  /** The verified MSISDN of this conversation (the router starts account dialogs only once it is known). */
  protected msisdnOf(context: TurnContext): string {
    const msisdn = sessionOf(context).profile.msisdn;
    if (!msisdn) throw new Error('account dialog started without a verified identity');
    return msisdn;
  }

  /**
   * Unwraps a core result, or tells the customer what went wrong and returns undefined. A subscriber that no
   * longer exists loses its remembered identity, so the next request verifies again.
   */
  protected async unwrap<T>(context: TurnContext, result: Result<T>): Promise<T | undefined> {
    if (result.ok) return result.value;
    const session = sessionOf(context);
    if (result.error.code === 'SUBSCRIBER.NOT_FOUND') {
      session.profile.msisdn = undefined;
      session.profile.verifiedBy = undefined;
      await context.sendActivity(session.texts.identityLost);
      return undefined;
    }
    await this.sayCoreError(context, result.error);
    return undefined;
  }

  protected async loadSubscriber(context: TurnContext): Promise<Subscriber | undefined> {
    return this.unwrap(context, await this.deps.charging.getSubscriber(this.msisdnOf(context)));
  }

  protected async loadCatalog(context: TurnContext): Promise<Catalog | undefined> {
    return this.unwrap(context, await this.deps.charging.getCatalog());
  }
}
