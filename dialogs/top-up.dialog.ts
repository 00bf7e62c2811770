/** Top-up (prepaid): the amount from the utterance or picked from common amounts, then the payment link. */
import { type DialogTurnResult, TextPrompt, type WaterfallStepContext } from 'botbuilder-dialogs';
import { conversationKeyOf } from './conversation-key.js';
import type { DialogDeps } from './dialog-deps.js';
import { firstNumber } from './entities.js';
import { money, parseMoney } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { openPayment, paymentUrl, sendPaymentLink } from './payment-link.js';
import { paymentLink, textWithChoices } from './replies.js';
import { sessionOf } from './session.js';

export interface TopUpOptions {
  /** Minor units. */
  amount?: number;
}

const AMOUNT_PROMPT = 'topUp.amount';

function amountOf(text: string, fromEntities: number | undefined): number | undefined {
  return fromEntities ?? parseMoney(text);
}

export class TopUpDialog extends InterruptibleDialog<TopUpOptions> {
  static readonly id = 'topUp';

  constructor(deps: DialogDeps) {
    super(TopUpDialog.id, deps);
    this.addDialog(
      new TextPrompt(AMOUNT_PROMPT, async (prompt) => {
        const text = prompt.recognized.value ?? '';
        return amountOf(text, firstNumber(sessionOf(prompt.context).recognition, 'money')) !== undefined;
      }),
    );
    this.addSteps([this.amountStep.bind(this), this.payStep.bind(this)]);
  }

  private async amountStep(step: WaterfallStepContext<TopUpOptions>): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const subscriber = await this.loadSubscriber(step.context);
    if (!subscriber) return step.endDialog();
    if (subscriber.plan !== 'prepaid') {
      await step.context.sendActivity(texts.topUpNotPrepaid);
      return step.endDialog();
    }
    if (step.options.amount) return step.next(step.options.amount);
    const currency = subscriber.account.balance.currency;
    const choices = texts.topUpAmounts.map((major) => {
      const label = money({ amount: major * 100, currency }, texts);
      return { title: label, value: label };
    });
    return step.prompt(AMOUNT_PROMPT, {
      prompt: textWithChoices(texts.askTopUpAmount, choices),
      retryPrompt: textWithChoices(texts.askTopUpAmountRetry, choices),
    });
  }

  private async payStep(step: WaterfallStepContext<TopUpOptions>): Promise<DialogTurnResult> {
    const session = sessionOf(step.context);
    const { texts } = session;
    const amount =
      typeof step.result === 'number'
        ? step.result
        : amountOf(String(step.result ?? ''), firstNumber(session.recognition, 'money'));
    if (!amount) return step.endDialog();
    const open = await openPayment(step.context, this.deps);
    if (open && open.purpose.type === 'topup' && open.amount.amount === amount) {
      const url = paymentUrl(this.deps.publicUrl, open.id);
      await step.context.sendActivity(
        paymentLink(texts.paymentStillOpen(url), texts.payButton(money(open.amount, texts)), url),
      );
      return step.endDialog();
    }
    const activity = step.context.activity;
    const created = await this.deps.charging.createPayment(
      this.msisdnOf(step.context),
      {
        purpose: { type: 'topup' },
        amount,
        metadata: { channelId: activity.channelId, conversationKey: conversationKeyOf(activity) },
      },
      { idempotencyKey: `payment:${conversationKeyOf(activity)}:${activity.id ?? amount}`, actor: 'subscriber' },
    );
    if (!created.ok) {
      if (created.error.code === 'PAYMENT.AMOUNT_INVALID' || created.error.code === 'REQUEST.INVALID') {
        await step.context.sendActivity(texts.topUpAmountInvalid);
        return step.replaceDialog(TopUpDialog.id, {});
      }
      if (created.error.code === 'TOPUP.NOT_PREPAID') await step.context.sendActivity(texts.topUpNotPrepaid);
      else await this.unwrap(step.context, created);
      return step.endDialog();
    }
    await sendPaymentLink(step.context, this.deps, created.value);
    return step.endDialog(created.value);
  }
}
