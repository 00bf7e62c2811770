/**
 * Paying the open bill: the core creates the payment and the customer gets the checkout link. While a link
 * for this conversation is still open, asking again sends the same link (no second payment).
 */
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import { billsNewestFirst } from './bill-status.dialog.js';
import { conversationKeyOf } from './conversation-key.js';
import type { DialogDeps } from './dialog-deps.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { openPayment, paymentUrl, sendPaymentLink } from './payment-link.js';
import { paymentLink } from './replies.js';
import { sessionOf } from './session.js';
import { money } from './format.js';

export class BillPayDialog extends InterruptibleDialog {
  static readonly id = 'billPay';

  constructor(deps: DialogDeps) {
    super(BillPayDialog.id, deps);
    this.addSteps([this.payStep.bind(this)]);
  }

  private async payStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const open = await openPayment(step.context, this.deps);
    if (open && open.purpose.type === 'bill') {
      const url = paymentUrl(this.deps.publicUrl, open.id);
      const amount = money(open.amount, texts);
      await step.context.sendActivity(paymentLink(texts.paymentStillOpen(url), texts.payButton(amount), url));
      return step.endDialog();
    }
    const msisdn = this.msisdnOf(step.context);
    const bills = await this.unwrap(step.context, await this.deps.charging.getBills(msisdn));
    if (!bills) return step.endDialog();
    const due = billsNewestFirst(bills).find((b) => b.state !== 'settled' && b.remainingAmount.amount > 0);
    if (!due) {
      await step.context.sendActivity(texts.billNothingDue);
      return step.endDialog();
    }
    const activity = step.context.activity;
    const created = await this.deps.charging.createPayment(
      msisdn,
      {
        purpose: { type: 'bill', billId: due.id },
        amount: due.remainingAmount.amount,
        metadata: { channelId: activity.channelId, conversationKey: conversationKeyOf(activity) },
      },
      // The channel's message id: a redelivered "pay my bill" creates no second payment.
      { idempotencyKey: `payment:${conversationKeyOf(activity)}:${activity.id ?? due.id}`, actor: 'subscriber' },
    );
    if (!created.ok) {
      if (created.error.code === 'BILL.ALREADY_PAID') await step.context.sendActivity(texts.billNothingDue);
      else await this.unwrap(step.context, created);
      return step.endDialog();
    }
    await sendPaymentLink(step.context, this.deps, created.value);
    return step.endDialog(created.value);
  }
}
