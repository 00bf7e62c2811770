/**
 * Offers: recommendations from the subscriber's usage and plan. A bucket that, at the current pace, runs out
 * before it renews gets the add-on that covers it; for streaming apps that is the streaming add-on, and on a
 * postpaid plan the customer is told the plan would charge extra. One tap on an offer buys it (the offer
 * already showed the price and validity).
 */
import { ChoicePrompt, type DialogTurnResult, type FoundChoice, type WaterfallStepContext } from 'botbuilder-dialogs';
import type { AddOn, Bucket, Catalog, Subscriber } from '../charging/model.js';
import { BuyAddOnDialog, type BuyAddOnOptions } from './buy-addon.dialog.js';
import type { DialogDeps } from './dialog-deps.js';
import { appName, bucketWhat, money } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { choicesOf, NO, pick } from './replies.js';
import { sessionOf } from './session.js';
import type { Texts } from './texts/index.js';

const PICK_PROMPT = 'offers.pick';
/** Projected use over the bucket's period above this share of the allowance means "will run out". */
const OVERUSE_FACTOR = 1;
/** Half or more of a kind of allowance left: no need for more. */
const PLENTY_LEFT = 0.5;
/** Too early in a period to project from (a few hours of data). */
const MIN_ELAPSED_FRACTION = 0.03;

export interface Recommendation {
  addOn: AddOn;
  bucket: Bucket;
  streaming: boolean;
}

function isStreamingAddOn(a: AddOn): boolean {
  return (a.tags ?? []).includes('streaming');
}

/** Pure: which add-ons suit this subscriber now. */
export function recommend(subscriber: Subscriber, addOns: readonly AddOn[], now: Date): Recommendation[] {
  const out: Recommendation[] = [];
  const streamingApps = new Set(
    addOns
      .filter(isStreamingAddOn)
      .map((a) => a.bundle.app)
      .filter(Boolean),
  );
  const live = subscriber.buckets.filter((b) => Date.parse(b.validFor.endDateTime) > now.getTime());
  const group = (b: Bucket) => live.filter((x) => x.unit === b.unit && x.app === b.app);
  for (const bucket of live) {
    // Plenty left across all buckets of this kind (e.g. an emptied bucket beside a full one): nothing to offer.
    const same = group(bucket);
    const groupLeft = same.reduce((s, b) => s + b.remainingValue, 0);
    const groupInitial = same.reduce((s, b) => s + b.initialValue, 0);
    if (groupLeft >= groupInitial * PLENTY_LEFT) continue;
    const start = Date.parse(bucket.validFor.startDateTime);
    const end = Date.parse(bucket.validFor.endDateTime);
    if (!(end > now.getTime()) || bucket.initialValue <= 0) continue;
    const elapsed = (now.getTime() - start) / (end - start);
    const used = bucket.initialValue - bucket.remainingValue;
    const projected = elapsed >= MIN_ELAPSED_FRACTION ? used / elapsed : used;
    if (projected <= bucket.initialValue * OVERUSE_FACTOR && bucket.remainingValue > 0) continue;
    const streaming = !!bucket.app && streamingApps.has(bucket.app);
    const candidates = addOns.filter(
      (a) => a.bundle.unit === bucket.unit && (bucket.app ? a.bundle.app === bucket.app : !a.bundle.app),
    );
    const addOn = (streaming ? candidates.find(isStreamingAddOn) : undefined) ?? candidates[0];
    if (addOn && !out.some((r) => r.addOn.id === addOn.id)) out.push({ addOn, bucket, streaming });
  }
  return out.sort((a, b) => Number(b.streaming) - Number(a.streaming));
}

export class OffersDialog extends InterruptibleDialog {
  static readonly id = 'offers';

  constructor(deps: DialogDeps) {
    super(OffersDialog.id, deps);
    this.addDialog(new ChoicePrompt(PICK_PROMPT, undefined, 'en-us'));
    this.addSteps([this.offerStep.bind(this), this.buyStep.bind(this)]);
  }

  private async offerStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const subscriber = await this.loadSubscriber(step.context);
    const addOns = subscriber && (await this.unwrap(step.context, await this.deps.charging.listAddOns()));
    const catalog = addOns && (await this.loadCatalog(step.context));
    if (!subscriber || !addOns || !catalog) return step.endDialog();
    const recs = recommend(subscriber, addOns, this.deps.clock.now()).slice(0, 3);
    if (recs.length === 0) {
      await step.context.sendActivity(texts.noOffers);
      return step.endDialog();
    }
    const lines = [texts.offersIntro];
    for (const r of recs) {
      lines.push(this.reason(r, subscriber, catalog, texts));
      lines.push(
        texts.addOnLine(r.addOn.name, money(r.addOn.price, texts), r.addOn.bundle.validityDays, r.addOn.description),
      );
    }
    await step.context.sendActivity(lines.join('\n'));
    const choices = choicesOf([
      ...recs.map((r) => ({
        title: texts.offerButton(r.addOn.name),
        value: r.addOn.id,
        synonyms: [r.addOn.name, texts.offerButton(r.addOn.name)],
      })),
      { title: texts.noThanks, value: NO, synonyms: [texts.noThanks, ...texts.noSynonyms] },
    ]);
    const question = choices.map((c) => c.action?.title).join(' / ');
    return step.prompt(PICK_PROMPT, pick(question, question, choices));
  }

  private reason(r: Recommendation, subscriber: Subscriber, catalog: Catalog, texts: Texts): string {
    if (r.streaming && subscriber.plan === 'postpaid' && r.bucket.app) {
      return texts.offerStreaming(appName(r.bucket.app, catalog), money(r.addOn.price, texts));
    }
    return texts.offerRunningOut(bucketWhat(r.bucket, catalog, texts));
  }

  private async buyStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const choice = (step.result as FoundChoice | undefined)?.value;
    if (!choice || choice === NO) {
      await step.context.sendActivity(texts.addOnNotBought);
      return step.endDialog();
    }
    return step.replaceDialog(BuyAddOnDialog.id, { productId: choice, confirmed: true } satisfies BuyAddOnOptions);
  }
}
