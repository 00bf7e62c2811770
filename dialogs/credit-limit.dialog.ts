/**
 * Credit-limit increase (postpaid): the amount, then the core's decision. When the rule cannot decide, the
 * request stays pending for a person and the handoff hook is told (an agent approves or declines it).
 */
import { randomUUID } from 'node:crypto';
import { type DialogTurnResult, TextPrompt, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { DialogDeps } from './dialog-deps.js';
import { firstNumber } from './entities.js';
import { money, parseMoney } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { sessionOf } from './session.js';

export interface CreditLimitOptions {
  /** Minor units. */
  amount?: number;
}

const AMOUNT_PROMPT = 'creditLimit.amount';

export class CreditLimitDialog extends InterruptibleDialog<CreditLimitOptions> {
  static readonly id = 'creditLimit';

  constructor(deps: DialogDeps) {
    super(CreditLimitDialog.id, deps);
    this.addDialog(
      new TextPrompt(AMOUNT_PROMPT, async (prompt) => {
        const fromEntities = firstNumber(sessionOf(prompt.context).recognition, 'money');
        return (fromEntities ?? parseMoney(prompt.recognized.value ?? '')) !== undefined;
      }),
    );
    this.addSteps([this.amountStep.bind(this), this.requestStep.bind(this)]);
  }

  private async amountStep(step: WaterfallStepContext<CreditLimitOptions>): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    (step.values as { requestId?: string }).requestId = randomUUID();
    const subscriber = await this.loadSubscriber(step.context);
    if (!subscriber) return step.endDialog();
    if (subscriber.plan !== 'postpaid') {
      await step.context.sendActivity(texts.creditLimitNotPostpaid);
      return step.endDialog();
    }
    if (step.options.amount) return step.next(step.options.amount);
    const current = subscriber.account.creditLimit ?? { amount: 0, currency: subscriber.account.balance.currency };
    return step.prompt(AMOUNT_PROMPT, {
      prompt: texts.askCreditLimitAmount(money(current, texts)),
      retryPrompt: texts.askCreditLimitAmountRetry,
    });
  }

  private async requestStep(step: WaterfallStepContext<CreditLimitOptions>): Promise<DialogTurnResult> {
    const session = sessionOf(step.context);
    const { texts } = session;
    const amount =
      typeof step.result === 'number'
        ? step.result
        : (firstNumber(session.recognition, 'money') ?? parseMoney(String(step.result ?? '')));
    if (!amount) return step.endDialog();
    const requestId = (step.values as { requestId: string }).requestId;
    const asked = await this.deps.charging.requestCreditLimit(
      this.msisdnOf(step.context),
      { amount },
      { idempotencyKey: `credit-limit:${requestId}`, actor: 'subscriber' },
    );
    if (!asked.ok) {
      if (asked.error.code === 'CREDIT_LIMIT.NOT_POSTPAID')
        await step.context.sendActivity(texts.creditLimitNotPostpaid);
      else if (asked.error.code === 'REQUEST.INVALID') await step.context.sendActivity(texts.askCreditLimitAmountRetry);
      else await this.unwrap(step.context, asked);
      return step.endDialog();
    }
    const request = asked.value;
    const requested = money(request.requested, texts);
    if (request.status === 'approved') await step.context.sendActivity(texts.creditLimitApproved(requested));
    else if (request.status === 'declined') await step.context.sendActivity(texts.creditLimitDeclined(request.reason));
    else {
      await step.context.sendActivity(texts.creditLimitPending(requested));
      await this.deps.handoff.initiate(step.context, {
        reason: 'credit_limit_review',
        note: request.id,
        announce: false,
      });
    }
    session.data.lastCompletedAt = this.deps.clock.now().toISOString();
    return step.endDialog(request);
  }
}
