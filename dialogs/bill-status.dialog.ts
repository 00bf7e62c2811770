/** Bill status: amount, due date (in words too), paid or not; next steps offered when not paid. */
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { Bill } from '../charging/model.js';
import type { DialogDeps } from './dialog-deps.js';
import { dateInWords, inWords, money } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { menu } from './replies.js';
import { sessionOf } from './session.js';

/** Newest first. */
export function billsNewestFirst(bills: readonly Bill[]): Bill[] {
  return [...bills].sort((a, b) => Date.parse(b.billDate) - Date.parse(a.billDate));
}

export class BillStatusDialog extends InterruptibleDialog {
  static readonly id = 'billStatus';

  constructor(deps: DialogDeps) {
    super(BillStatusDialog.id, deps);
    this.addSteps([this.showStep.bind(this)]);
  }

  private async showStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const subscriber = await this.loadSubscriber(step.context);
    const bills = subscriber && (await this.unwrap(step.context, await this.deps.charging.getBills(subscriber.msisdn)));
    if (!subscriber || !bills) return step.endDialog();
    const [latest] = billsNewestFirst(bills);
    if (!latest) {
      await step.context.sendActivity(subscriber.plan === 'prepaid' ? texts.notPostpaidBills : texts.noBills);
      return step.endDialog();
    }
    const text = texts.billStatus(
      money(latest.amountDue, texts),
      dateInWords(latest.paymentDueDate, texts),
      inWords(latest.paymentDueDate, this.deps.clock.now(), texts),
      latest.state,
      money(latest.remainingAmount, texts),
    );
    await step.context.sendActivity(latest.state === 'settled' ? text : menu(text, texts.billMenu));
    return step.endDialog();
  }
}
