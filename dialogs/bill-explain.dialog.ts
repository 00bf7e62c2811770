/** Bill explanation: the latest bill line by line against the previous one. */
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { Bill } from '../charging/model.js';
import { billsNewestFirst } from './bill-status.dialog.js';
import type { DialogDeps } from './dialog-deps.js';
import { money } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { sessionOf } from './session.js';
import type { Texts } from './texts/index.js';

/** Pure: the explanation lines of `current` against `previous` (matched by description). */
export function explainBill(current: Bill, previous: Bill | undefined, texts: Texts): string[] {
  const lines = [
    previous
      ? texts.billExplainHeader(money(current.amountDue, texts), money(previous.amountDue, texts))
      : texts.billExplainFirst(money(current.amountDue, texts)),
  ];
  const before = new Map((previous?.lines ?? []).map((l) => [l.description, l]));
  for (const line of current.lines) {
    const old = before.get(line.description);
    before.delete(line.description);
    const now = money(line.amount, texts);
    if (!previous) lines.push(texts.billLine(line.description, now));
    else if (!old) lines.push(texts.billLineNew(line.description, now));
    else if (old.amount.amount !== line.amount.amount)
      lines.push(texts.billLineChanged(line.description, money(old.amount, texts), now));
    else lines.push(texts.billLineSame(line.description, now));
  }
  for (const gone of before.values()) lines.push(texts.billLineGone(gone.description, money(gone.amount, texts)));
  return lines;
}

export class BillExplainDialog extends InterruptibleDialog {
  static readonly id = 'billExplain';

  constructor(deps: DialogDeps) {
    super(BillExplainDialog.id, deps);
    this.addSteps([this.explainStep.bind(this)]);
  }

  private async explainStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const subscriber = await this.loadSubscriber(step.context);
    const bills = subscriber && (await this.unwrap(step.context, await this.deps.charging.getBills(subscriber.msisdn)));
    if (!subscriber || !bills) return step.endDialog();
    const [current, previous] = billsNewestFirst(bills);
    if (!current) {
      await step.context.sendActivity(subscriber.plan === 'prepaid' ? texts.notPostpaidBills : texts.noBills);
      return step.endDialog();
    }
    await step.context.sendActivity(explainBill(current, previous, texts).join('\n'));
    return step.endDialog();
  }
}
