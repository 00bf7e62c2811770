/** Balances: everything, or one bucket ("how many YouTube sessions"), with expiry in words and warnings. */
import type { DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { Bucket } from '../charging/model.js';
import type { DialogDeps } from './dialog-deps.js';
import { bucketWhat, dataAmount, inWords, money } from './format.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { sessionOf } from './session.js';

export interface BalancesOptions {
  /** Only this app's sessions. */
  app?: string;
  /** Only this unit ('MB', 'minute', 'SMS', 'session'). */
  unit?: string;
}

/** A bucket runs out soon when a fifth or less is left. */
const LOW_FRACTION = 0.2;
/** A bucket expires soon within this many days. */
const EXPIRY_WARNING_DAYS = 3;

export class BalancesDialog extends InterruptibleDialog<BalancesOptions> {
  static readonly id = 'balances';

  constructor(deps: DialogDeps) {
    super(BalancesDialog.id, deps);
    this.addSteps([this.showStep.bind(this)]);
  }

  private async showStep(step: WaterfallStepContext<BalancesOptions>): Promise<DialogTurnResult> {
    const { texts } = sessionOf(step.context);
    const subscriber = await this.loadSubscriber(step.context);
    const catalog = subscriber && (await this.loadCatalog(step.context));
    if (!subscriber || !catalog) return step.endDialog();
    const now = this.deps.clock.now();
    const { app, unit } = step.options;
    const live = subscriber.buckets.filter((b) => new Date(b.validFor.endDateTime) > now);
    const wanted = live.filter((b) => (!app || b.app === app) && (!unit || b.unit === unit));

    if ((app || unit) && wanted.length === 0) {
      const what = bucketWhat({ unit: (unit as Bucket['unit']) ?? 'session', app }, catalog, texts);
      await step.context.sendActivity(texts.noBucketFor(what));
      return step.endDialog();
    }

    // One item per line as a list ('- '), which WhatsApp and Messenger show as is and Web Chat's markdown
    // renders as a list (a single newline alone would be folded into one paragraph there).
    const lines: string[] = [];
    if (!app && !unit) {
      lines.push(texts.moneyBalance(money(subscriber.account.balance, texts)));
      if (subscriber.account.creditLimit) lines.push(texts.creditLimit(money(subscriber.account.creditLimit, texts)));
    }
    const warnings: string[] = [];
    for (const group of sameAllowance(wanted, (b) => inWords(b.validFor.endDateTime, now, texts))) {
      const { bucket, remainingValue, initialValue } = group;
      const what = bucketWhat(bucket, catalog, texts);
      const left = bucket.unit === 'MB' ? dataAmount(remainingValue) : remainingValue;
      lines.push(texts.bucketLine(left, what, group.expiry));
      const daysLeft = (new Date(bucket.validFor.endDateTime).getTime() - now.getTime()) / 86_400_000;
      if (initialValue > 0 && remainingValue <= initialValue * LOW_FRACTION) {
        warnings.push(texts.runningOut(what));
      } else if (daysLeft <= EXPIRY_WARNING_DAYS && remainingValue > 0) {
        warnings.push(texts.expiringSoon(what, group.expiry));
      }
    }
    const list = lines.length > 1 ? lines.map((line) => `- ${line}`).join('\n') : lines.join('');
    const header = !app && !unit ? `${texts.balancesHeader}\n` : '';
    await step.context.sendActivity([header + list, ...warnings].join('\n\n'));
    return step.endDialog();
  }
}

/**
 * Buckets a subscriber cannot tell apart (same unit and app, expiring on the same day in words) as one line with
 * their sum: every swap and add-on credits a bucket of its own, and a list of "YouTube sessions: 1 left" repeated
 * ten times answers nobody's question.
 */
function sameAllowance(
  buckets: readonly Bucket[],
  expiryOf: (bucket: Bucket) => string,
): { bucket: Bucket; remainingValue: number; initialValue: number; expiry: string }[] {
  const groups = new Map<string, { bucket: Bucket; remainingValue: number; initialValue: number; expiry: string }>();
  for (const bucket of buckets) {
    const expiry = expiryOf(bucket);
    const key = `${bucket.unit}|${bucket.app ?? ''}|${expiry}`;
    const group = groups.get(key);
    if (group) {
      group.remainingValue += bucket.remainingValue;
      group.initialValue += bucket.initialValue;
    } else {
      groups.set(key, { bucket, remainingValue: bucket.remainingValue, initialValue: bucket.initialValue, expiry });
    }
  }
  return [...groups.values()];
}
