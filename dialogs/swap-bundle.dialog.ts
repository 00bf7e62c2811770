/**
 * Swapping session bundles between apps. From-app, to-app and quantity come from the utterance; only what is
 * missing is asked. The core's quote (rate, debit, credit) is shown and confirmed; confirming executes it once
 * (the quote id is the idempotency key, so a repeated confirmation changes nothing).
 */
import {
  ChoicePrompt,
  type DialogTurnResult,
  type FoundChoice,
  TextPrompt,
  type WaterfallStepContext,
} from 'botbuilder-dialogs';
import type { ChargingError } from '../charging/errors.js';
import type { Catalog, Subscriber, SwapQuote } from '../charging/model.js';
import type { DialogDeps } from './dialog-deps.js';
import { firstNumber } from './entities.js';
import { appName, findApp, inWords } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { choicesOf, pick, YES, yesNo } from './replies.js';
import { sessionOf } from './session.js';

export interface SwapBundleOptions {
  from?: string;
  to?: string;
  quantity?: number;
}

interface SwapValues {
  from?: string;
  to?: string;
  quantity?: number;
  quote?: SwapQuote;
  /** Set when the quote failed for lack of sessions and the most that can be swapped was offered. */
  offeredMax?: number;
}

const FROM_PROMPT = 'swap.from';
const TO_PROMPT = 'swap.to';
const QUANTITY_PROMPT = 'swap.quantity';
const CONFIRM_PROMPT = 'swap.confirm';

function sessionsOf(subscriber: Subscriber, app: string, now: Date): number {
  return subscriber.buckets
    .filter((b) => b.unit === 'session' && b.app === app && new Date(b.validFor.endDateTime) > now)
    .reduce((sum, b) => sum + b.remainingValue, 0);
}

export class SwapBundleDialog extends InterruptibleDialog<SwapBundleOptions> {
  static readonly id = 'swapBundle';

  constructor(deps: DialogDeps) {
    super(SwapBundleDialog.id, deps);
    this.addDialog(new ChoicePrompt(FROM_PROMPT, undefined, 'en-us'));
    this.addDialog(new ChoicePrompt(TO_PROMPT, undefined, 'en-us'));
    this.addDialog(new ChoicePrompt(CONFIRM_PROMPT, undefined, 'en-us'));
    this.addDialog(
      new TextPrompt(QUANTITY_PROMPT, async (prompt) => {
        const value = prompt.recognized.value ?? '';
        const n = /^\s*\d+\s*$/.test(value)
          ? Number(value)
          : firstNumber(sessionOf(prompt.context).recognition, 'quantity');
        return n !== undefined && Number.isInteger(n) && n > 0;
      }),
    );
    this.addSteps([
      this.fromStep.bind(this),
      this.toStep.bind(this),
      this.quantityStep.bind(this),
      this.quoteStep.bind(this),
      this.confirmStep.bind(this),
    ]);
  }

  private values(step: WaterfallStepContext<SwapBundleOptions>): SwapValues {
    return step.values as SwapValues;
  }

  private async fromStep(step: WaterfallStepContext<SwapBundleOptions>): Promise<DialogTurnResult> {
    const values = this.values(step);
    Object.assign(values, { from: step.options.from, to: step.options.to, quantity: step.options.quantity });
    if (values.from) return step.next(values.from);
    const { texts } = sessionOf(step.context);
    const subscriber = await this.loadSubscriber(step.context);
    const catalog = subscriber && (await this.loadCatalog(step.context));
    if (!subscriber || !catalog) return step.endDialog();
    const now = this.deps.clock.now();
    const owned = catalog.apps.filter(
      (a) => sessionsOf(subscriber, a.id, now) > 0 && catalog.exchangeRates.some((r) => r.from === a.id),
    );
    if (owned.length === 0) {
      await step.context.sendActivity(texts.swapNothingToSwap(texts.unitName('session', 2)));
      return step.endDialog();
    }
    return step.prompt(FROM_PROMPT, pick(texts.askSwapFrom, texts.askSwapFrom, this.appChoices(owned, catalog)));
  }

  private async toStep(step: WaterfallStepContext<SwapBundleOptions>): Promise<DialogTurnResult> {
    const values = this.values(step);
    values.from = this.chosen(step.result, values.from);
    if (values.to) return step.next(values.to);
    const { texts } = sessionOf(step.context);
    const catalog = await this.loadCatalog(step.context);
    if (!catalog) return step.endDialog();
    const targets = catalog.apps.filter((a) =>
      catalog.exchangeRates.some((r) => r.from === values.from && r.to === a.id),
    );
    if (targets.length === 0) {
      await step.context.sendActivity(texts.swapNoRate(appName(values.from ?? '', catalog), '…'));
      return step.endDialog();
    }
    return step.prompt(TO_PROMPT, pick(texts.askSwapTo, texts.askSwapTo, this.appChoices(targets, catalog)));
  }

  private async quantityStep(step: WaterfallStepContext<SwapBundleOptions>): Promise<DialogTurnResult> {
    const values = this.values(step);
    values.to = this.chosen(step.result, values.to);
    if (values.quantity) return step.next(values.quantity);
    const { texts } = sessionOf(step.context);
    const catalog = await this.loadCatalog(step.context);
    const from = appName(values.from ?? '', catalog);
    return step.prompt(QUANTITY_PROMPT, {
      prompt: texts.askSwapQuantity(from),
      retryPrompt: texts.askSwapQuantityRetry,
    });
  }

  private async quoteStep(step: WaterfallStepContext<SwapBundleOptions>): Promise<DialogTurnResult> {
    const values = this.values(step);
    if (typeof step.result === 'number') values.quantity = step.result;
    else if (typeof step.result === 'string') {
      values.quantity = /^\s*\d+\s*$/.test(step.result)
        ? Number(step.result)
        : firstNumber(sessionOf(step.context).recognition, 'quantity');
    }
    const { texts } = sessionOf(step.context);
    const catalog = await this.loadCatalog(step.context);
    if (!catalog || !values.from || !values.to || !values.quantity) return step.endDialog();
    const from = appName(values.from, catalog);
    const to = appName(values.to, catalog);
    const msisdn = this.msisdnOf(step.context);
    const quoted = await this.deps.charging.quoteSwap(msisdn, {
      from: values.from,
      to: values.to,
      quantity: values.quantity,
    });
    if (!quoted.ok) return this.quoteFailed(step, quoted.error, catalog);
    values.quote = quoted.value;
    const q = quoted.value;
    await step.context.sendActivity(texts.swapQuote(q.debit, from, q.credit, to, q.rate));
    return step.prompt(CONFIRM_PROMPT, yesNo(texts.swapConfirm, texts));
  }

  private async quoteFailed(
    step: WaterfallStepContext<SwapBundleOptions>,
    error: ChargingError,
    catalog: Catalog,
  ): Promise<DialogTurnResult> {
    const values = this.values(step);
    const { texts } = sessionOf(step.context);
    const from = appName(values.from ?? '', catalog);
    const to = appName(values.to ?? '', catalog);
    switch (error.code) {
      case 'BILLING.INSUFFICIENT_BALANCE': {
        const max = await this.mostSwappable(step, error);
        if (max === undefined) return step.endDialog();
        if (max <= 0) {
          await step.context.sendActivity(texts.swapNothingToSwap(from));
          return step.endDialog();
        }
        values.offeredMax = max;
        const available = Number(error.details?.available ?? max);
        await step.context.sendActivity(texts.swapInsufficient(from, available));
        return step.prompt(CONFIRM_PROMPT, yesNo(texts.swapOfferMax(max, from), texts));
      }
      case 'SWAP.SAME_APP':
        await step.context.sendActivity(texts.swapSameApp);
        return step.endDialog();
      case 'SWAP.NO_EXCHANGE_RATE':
      case 'CATALOG.UNKNOWN_APP':
        await step.context.sendActivity(texts.swapNoRate(from, to));
        return step.endDialog();
      case 'SWAP.QUANTITY_TOO_SMALL':
        await step.context.sendActivity(texts.swapTooSmall);
        return step.endDialog();
      default:
        await this.unwrap(step.context, { ok: false, error });
        return step.endDialog();
    }
  }

  /** The most sessions that can be swapped: from the core's error details, else what the bucket holds. */
  private async mostSwappable(
    step: WaterfallStepContext<SwapBundleOptions>,
    error: ChargingError,
  ): Promise<number | undefined> {
    for (const key of ['maxQuantity', 'max', 'maxSwappable']) {
      const v = error.details?.[key];
      if (typeof v === 'number') return Math.floor(v);
    }
    const subscriber = await this.loadSubscriber(step.context);
    if (!subscriber) return undefined;
    return sessionsOf(subscriber, this.values(step).from ?? '', this.deps.clock.now());
  }

  private async confirmStep(step: WaterfallStepContext<SwapBundleOptions>): Promise<DialogTurnResult> {
    const values = this.values(step);
    const yes = (step.result as FoundChoice | undefined)?.value === YES;
    const session = sessionOf(step.context);
    const { texts } = session;
    if (values.offeredMax !== undefined) {
      if (!yes) {
        await step.context.sendActivity(texts.swapNotConfirmed);
        return step.endDialog();
      }
      return step.replaceDialog(SwapBundleDialog.id, { from: values.from, to: values.to, quantity: values.offeredMax });
    }
    const quote = values.quote;
    if (!yes || !quote) {
      await step.context.sendActivity(texts.swapNotConfirmed);
      return step.endDialog();
    }
    // The quote id is the idempotency key: a second "yes", a redelivered message or a restart mid-turn
    // returns the first result and moves no sessions again.
    const done = await this.deps.charging.confirmSwap(quote.id, {
      idempotencyKey: `swap.confirm:${quote.id}`,
      actor: 'subscriber',
    });
    if (!done.ok) {
      if (done.error.code === 'SWAP.QUOTE_EXPIRED' || done.error.code === 'SWAP.QUOTE_NOT_FOUND') {
        await step.context.sendActivity(texts.swapQuoteExpired);
        return step.replaceDialog(SwapBundleDialog.id, { from: quote.from, to: quote.to, quantity: values.quantity });
      }
      if (done.error.code === 'BILLING.INSUFFICIENT_BALANCE') {
        return step.replaceDialog(SwapBundleDialog.id, { from: quote.from, to: quote.to, quantity: values.quantity });
      }
      await this.unwrap(step.context, done);
      return step.endDialog();
    }
    const result = done.value;
    const catalog = await this.loadCatalog(step.context);
    // Totals over every bucket of the two apps (the result lists only the buckets the swap touched).
    const after = await this.deps.charging.getSubscriber(result.msisdn);
    const now = this.deps.clock.now();
    const left = (app: string) =>
      after.ok
        ? sessionsOf(after.value, app, now)
        : result.buckets.filter((b) => b.app === app).reduce((s, b) => s + b.remainingValue, 0);
    await step.context.sendActivity(
      texts.swapDone(
        result.debit,
        appName(result.from, catalog),
        result.credit,
        appName(result.to, catalog),
        left(result.from),
        left(result.to),
        inWords(result.undoableUntil, now, texts),
      ),
    );
    session.data.lastSwap = { id: result.id, from: result.from, to: result.to, undoableUntil: result.undoableUntil };
    session.data.lastCompletedAt = now.toISOString();
    return step.endDialog(result);
  }

  private appChoices(apps: Catalog['apps'], catalog: Catalog) {
    return choicesOf(
      apps.map((a) => ({ title: appName(a.id, catalog), value: a.id, synonyms: [a.name, a.id, ...a.aliases] })),
    );
  }

  /** The app picked in a prompt (a FoundChoice) or already known. */
  private chosen(result: unknown, known: string | undefined): string | undefined {
    const found = result as FoundChoice | string | undefined;
    if (found && typeof found === 'object' && 'value' in found) return found.value;
    if (typeof found === 'string') return findApp(found, undefined) ?? found;
    return known;
  }
}
