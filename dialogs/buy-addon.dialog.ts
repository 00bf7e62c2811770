/** Buying an add-on from the catalog: pick (unless known), see price and validity, confirm, buy once. */
import { randomUUID } from 'node:crypto';
import { ChoicePrompt, type DialogTurnResult, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { AddOn } from '../charging/model.js';
import type { DialogDeps } from './dialog-deps.js';
import { money } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { choicesOf, menu, pick, YES, yesNo } from './replies.js';
import { sessionOf } from './session.js';

export interface BuyAddOnOptions {
  productId?: string;
  /** Narrows the list to add-ons for this app or unit. */
  app?: string;
  unit?: string;
  /** The customer already accepted the price (one tap on an offer that showed it). */
  confirmed?: boolean;
}

interface BuyValues {
  /** One purchase attempt = one idempotency key, kept in dialog state so a restart or a repeat buys once. */
  requestId: string;
  productId?: string;
}

/** Add-ons the text names: by full name, else by a tag ("the data add-on", "a streaming pack"). */
function mentioned(text: string, addOns: readonly AddOn[]): AddOn[] {
  const words = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  const byName = addOns.filter((a) => words.includes(` ${a.name.toLowerCase()} `));
  if (byName.length > 0) return byName;
  return addOns.filter((a) => (a.tags ?? []).some((t) => words.includes(` ${t.toLowerCase()} `)));
}

const PICK_PROMPT = 'buyAddOn.pick';
const CONFIRM_PROMPT = 'buyAddOn.confirm';

export class BuyAddOnDialog extends InterruptibleDialog<BuyAddOnOptions> {
  static readonly id = 'buyAddOn';

  constructor(deps: DialogDeps) {
    super(BuyAddOnDialog.id, deps);
    this.addDialog(new ChoicePrompt(PICK_PROMPT, undefined, 'en-us'));
    this.addDialog(new ChoicePrompt(CONFIRM_PROMPT, undefined, 'en-us'));
    this.addSteps([this.pickStep.bind(this), this.confirmStep.bind(this), this.buyStep.bind(this)]);
  }

  private async addOns(step: WaterfallStepContext<BuyAddOnOptions>): Promise<AddOn[] | undefined> {
    return this.unwrap(step.context, await this.deps.charging.listAddOns());
  }

  private async pickStep(step: WaterfallStepContext<BuyAddOnOptions>): Promise<DialogTurnResult> {
    const values = step.values as BuyValues;
    values.requestId = randomUUID();
    if (step.options.productId) return step.next(step.options.productId);
    const { texts } = sessionOf(step.context);
    const all = await this.addOns(step);
    if (!all) return step.endDialog();
    if (all.length === 0) {
      await step.context.sendActivity(texts.noAddOns);
      return step.endDialog();
    }
    const { app, unit } = step.options;
    const matching = all.filter((a) => (!app || a.bundle.app === app) && (!unit || a.bundle.unit === unit));
    const named = mentioned(sessionOf(step.context).text, matching);
    const shown = named.length > 0 ? named : matching.length > 0 ? matching : all;
    if (shown.length === 1) return step.next(shown[0].id);
    const lines = shown.map((a) =>
      texts.addOnLine(a.name, money(a.price, texts), a.bundle.validityDays, a.description),
    );
    await step.context.sendActivity(lines.join('\n'));
    const choices = choicesOf(shown.map((a) => ({ title: a.name, value: a.id, synonyms: [a.name, a.id] })));
    return step.prompt(PICK_PROMPT, pick(texts.askAddOn, texts.askAddOn, choices));
  }

  private async confirmStep(step: WaterfallStepContext<BuyAddOnOptions>): Promise<DialogTurnResult> {
    const values = step.values as BuyValues;
    values.productId = typeof step.result === 'string' ? step.result : (step.result as FoundChoice).value;
    if (step.options.confirmed) return step.next({ value: YES, index: 0, score: 1 } satisfies FoundChoice);
    const { texts } = sessionOf(step.context);
    const addOn = (await this.addOns(step))?.find((a) => a.id === values.productId);
    if (!addOn) return step.endDialog();
    return step.prompt(
      CONFIRM_PROMPT,
      yesNo(texts.addOnConfirm(addOn.name, money(addOn.price, texts), addOn.bundle.validityDays), texts),
    );
  }

  private async buyStep(step: WaterfallStepContext<BuyAddOnOptions>): Promise<DialogTurnResult> {
    const values = step.values as BuyValues;
    const session = sessionOf(step.context);
    const { texts } = session;
    if ((step.result as FoundChoice | undefined)?.value !== YES || !values.productId) {
      await step.context.sendActivity(texts.addOnNotBought);
      return step.endDialog();
    }
    const bought = await this.deps.charging.buyAddOn(
      this.msisdnOf(step.context),
      { productId: values.productId },
      { idempotencyKey: `addon:${values.requestId}`, actor: 'subscriber' },
    );
    if (!bought.ok) {
      if (bought.error.code === 'BILLING.INSUFFICIENT_BALANCE') {
        const topUp = texts.menu.filter((m) => m.intent === 'credit.topup');
        await step.context.sendActivity(menu(texts.insufficientCredit, topUp));
      } else await this.unwrap(step.context, bought);
      return step.endDialog();
    }
    const { addOn, balance } = bought.value;
    await step.context.sendActivity(
      bought.value.billId
        ? texts.addOnBoughtPostpaid(addOn.name)
        : texts.addOnBought(addOn.name, balance ? money(balance, texts) : undefined),
    );
    session.data.lastCompletedAt = this.deps.clock.now().toISOString();
    return step.endDialog(bought.value);
  }
}
