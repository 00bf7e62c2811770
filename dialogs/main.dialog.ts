/**
 * The router. Every message that no dialog is waiting for lands here: it is mapped to an intent (a tapped
 * menu entry, "undo", or the recogniser's answer when it is sure enough), identity is established first when
 * the intent needs an account, and the matching dialog runs. Nothing is said about an account before the
 * identity is known, and no transaction starts from an utterance that was not understood.
 */
import type { DialogContext, DialogTurnResult, WaterfallStepContext } from 'botbuilder-dialogs';
import type { IntentName } from '../nlu/recognizer.js';
import { TRANSACTIONAL_INTENTS } from '../nlu/recognizer.js';
import { BalancesDialog, type BalancesOptions } from './balances.dialog.js';
import { BillExplainDialog } from './bill-explain.dialog.js';
import { BillPayDialog } from './bill-pay.dialog.js';
import { BillStatusDialog } from './bill-status.dialog.js';
import { BuyAddOnDialog, type BuyAddOnOptions } from './buy-addon.dialog.js';
import { CreditLimitDialog, type CreditLimitOptions } from './credit-limit.dialog.js';
import type { DialogDeps } from './dialog-deps.js';
import { entitiesOf, firstNumber, swapApps } from './entities.js';
import { HumanOfferDialog } from './human-offer.dialog.js';
import { InterruptibleDialog } from './interruptible.dialog.js';
import { OffersDialog } from './offers.dialog.js';
import { openPayment, paymentUrl } from './payment-link.js';
import { menu, paymentLink } from './replies.js';
import { type Session, sessionOf } from './session.js';
import { SwapBundleDialog, type SwapBundleOptions } from './swap-bundle.dialog.js';
import { TopUpDialog, type TopUpOptions } from './top-up.dialog.js';
import { UndoSwapDialog } from './undo-swap.dialog.js';
import { VerifyIdentityDialog, type VerifyIdentityResult } from './verify-identity.dialog.js';
import { money } from './format.js';

export type Route = IntentName | 'undo';

/** Below this score nothing is routed (the recogniser already answers None below its calibrated threshold). */
export const MIN_SCORE = 0.5;
/** A transaction needs more certainty than a question. */
export const TRANSACTION_MIN_SCORE = 0.7;
/** A "yes" this soon after a completed transaction is a repeated confirmation. */
const REPEATED_CONFIRMATION_MS = 5 * 60_000;

const NO_ACCOUNT_NEEDED: readonly Route[] = [
  'greeting',
  'goodbye',
  'thanks',
  'help',
  'cancel',
  'agent.handoff',
  'None',
];

function letterWords(text: string): number {
  return text.split(/\s+/).filter((w) => /\p{L}/u.test(w)).length;
}

/** The text without the numbers and amounts the recogniser found in it. */
function withoutAmounts(session: Session): string {
  let text = session.recognition.text || session.text;
  const spans = session.recognition.entities
    .filter((e) => e.type === 'quantity' || e.type === 'money')
    .sort((a, b) => b.start - a.start);
  for (const e of spans) text = text.slice(0, e.start) + ' ' + text.slice(e.end);
  return text;
}

/** Pure: what this message asks for. */
export function routeOf(session: Session): Route {
  const text = session.text.toLowerCase();
  const { texts, recognition } = session;
  const tapped = [...texts.menu, ...texts.menuNoAccount, ...texts.billMenu].find((m) => m.value.toLowerCase() === text);
  if (tapped) return tapped.intent;
  if (texts.undoWords.includes(text)) return 'undo';
  const { intent, score } = recognition;
  if (intent === 'None' || score < MIN_SCORE) return 'None';
  if (
    TRANSACTIONAL_INTENTS.includes(intent) &&
    (score < TRANSACTION_MIN_SCORE || letterWords(withoutAmounts(session)) === 0)
  ) {
    // A bare number ("10", "twenty") or a low score says too little to start a transaction.
    return 'None';
  }
  return intent;
}

/**
 * While a dialog waits for an answer, a confident request for something else switches topic (the open
 * dialog is dropped and the new request routed). Requests in the same topic stay with the dialog; identity
 * verification is never dropped this way (the request that started it runs once verified).
 */
const TOPIC_SWITCH_MIN_SCORE = 0.9;
const SAME_TOPIC: Record<string, readonly Route[]> = {
  swapBundle: ['bundle.swap'],
  buyAddOn: ['bundle.buy', 'offers.recommend'],
  offers: ['offers.recommend', 'bundle.buy'],
  topUp: ['credit.topup'],
  creditLimit: ['credit_limit.increase'],
  humanOffer: [],
};
const SMALL_TALK: readonly Route[] = [
  'greeting',
  'goodbye',
  'thanks',
  'help',
  'cancel',
  'agent.handoff',
  'None',
  'undo',
];

interface MainValues {
  route: Route;
}

/** Sentiment score at or below which a message counts as strongly negative (node-nlp's scale; below 0 is negative). */
export const STRONGLY_NEGATIVE_SCORE = -0.5;
/** Routes with no task to carry out: there, strong negativity is the message. */
const NOTHING_TO_DO: readonly string[] = ['None', 'greeting', 'help', 'thanks', 'goodbye'];

export class MainDialog extends InterruptibleDialog {
  static readonly id = 'main';

  constructor(deps: DialogDeps) {
    super(MainDialog.id, deps);
    for (const child of [
      new VerifyIdentityDialog(deps),
      new BalancesDialog(deps),
      new SwapBundleDialog(deps),
      new UndoSwapDialog(deps),
      new BuyAddOnDialog(deps),
      new OffersDialog(deps),
      new BillStatusDialog(deps),
      new BillExplainDialog(deps),
      new BillPayDialog(deps),
      new TopUpDialog(deps),
      new CreditLimitDialog(deps),
      new HumanOfferDialog(deps),
    ]) {
      this.addDialog(child);
    }
    this.addSteps([this.identityStep.bind(this), this.actStep.bind(this)]);
  }

  protected override async onContinueDialog(innerDc: DialogContext): Promise<DialogTurnResult> {
    const active = innerDc.activeDialog?.id;
    const sameTopic = active ? SAME_TOPIC[active] : undefined;
    if (sameTopic && innerDc.context.activity.type === 'message') {
      const session = sessionOf(innerDc.context);
      const route = routeOf(session);
      const tapped = route !== session.recognition.intent;
      // A word or two ("lots", "a lot", "fb") is an answer to the open question, never a new request.
      const confident =
        tapped || (session.recognition.score >= TOPIC_SWITCH_MIN_SCORE && letterWords(session.text) >= 3);
      if (confident && !SMALL_TALK.includes(route) && !sameTopic.includes(route)) {
        await innerDc.cancelAllDialogs();
        return innerDc.beginDialog(`${MainDialog.id}.steps`);
      }
    }
    return super.onContinueDialog(innerDc);
  }

  private async identityStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const session = sessionOf(step.context);
    const route = routeOf(session);
    (step.values as MainValues).route = route;
    if (NO_ACCOUNT_NEEDED.includes(route) || session.profile.msisdn) return step.next();
    const { texts } = session;
    if (session.channelIdentity && !session.channelIdentity.isSubscriber) {
      // A number the channel proved but that is not ours: say so, offer what needs no account.
      await step.context.sendActivity(menu(texts.notSubscriber, texts.menuNoAccount));
      return step.endDialog();
    }
    return step.beginDialog(VerifyIdentityDialog.id, {});
  }

  private async actStep(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const verification = step.result as VerifyIdentityResult | undefined;
    if (verification && !verification.verified) return step.endDialog();
    const session = sessionOf(step.context);
    const route = (step.values as MainValues).route;
    const { texts, recognition, profile, data } = session;
    if (route !== 'None') data.misunderstandings = 0;
    const app = entitiesOf(recognition, 'app')[0]?.value;
    const unit = entitiesOf(recognition, 'unit')[0]?.value;
    const fullMenu = profile.msisdn || !session.channelIdentity ? texts.menu : texts.menuNoAccount;

    // A customer who is clearly upset and asks for nothing the bot can do goes to a person rather than a menu.
    if (NOTHING_TO_DO.includes(route) && recognition.sentiment.score <= STRONGLY_NEGATIVE_SCORE) {
      await this.deps.handoff.initiate(step.context, { reason: 'negative_sentiment' });
      return step.endDialog();
    }

    switch (route) {
      case 'greeting': {
        const notOurs = session.channelIdentity && !session.channelIdentity.isSubscriber;
        const hello = notOurs ? `${texts.greetingAnonymous} ${texts.notSubscriber}` : texts.greeting(profile.name);
        await step.context.sendActivity(menu(hello, fullMenu));
        await this.remindOpenPayment(step);
        return step.endDialog();
      }
      case 'help':
        await step.context.sendActivity(menu(texts.helpIntro, fullMenu));
        return step.endDialog();
      case 'thanks':
        await step.context.sendActivity(texts.thanks);
        return step.endDialog();
      case 'goodbye':
        await step.context.sendActivity(texts.goodbye);
        return step.endDialog();
      case 'cancel':
        await step.context.sendActivity(texts.nothingToCancel);
        return step.endDialog();
      case 'agent.handoff':
        await this.deps.handoff.initiate(step.context, { reason: 'customer_request' });
        return step.endDialog();
      case 'None':
        return this.misunderstood(step);
      case 'undo':
        return step.replaceDialog(UndoSwapDialog.id);
      case 'balance.check':
        return step.replaceDialog(BalancesDialog.id, {
          app: app === undefined ? undefined : String(app),
          unit: unit === undefined ? undefined : String(unit),
        } satisfies BalancesOptions);
      case 'bundle.swap':
        return step.replaceDialog(SwapBundleDialog.id, {
          ...swapApps(recognition),
          quantity: firstNumber(recognition, 'quantity'),
        } satisfies SwapBundleOptions);
      case 'bundle.buy':
        return step.replaceDialog(BuyAddOnDialog.id, {
          app: app === undefined ? undefined : String(app),
          unit: unit === undefined || unit === 'session' ? undefined : String(unit),
        } satisfies BuyAddOnOptions);
      case 'offers.recommend':
        return step.replaceDialog(OffersDialog.id);
      case 'bill.status':
        return step.replaceDialog(BillStatusDialog.id);
      case 'bill.explain':
        return step.replaceDialog(BillExplainDialog.id);
      case 'bill.pay':
        return step.replaceDialog(BillPayDialog.id);
      case 'credit.topup':
        return step.replaceDialog(TopUpDialog.id, { amount: firstNumber(recognition, 'money') } satisfies TopUpOptions);
      case 'credit_limit.increase':
        return step.replaceDialog(CreditLimitDialog.id, {
          amount: firstNumber(recognition, 'money'),
        } satisfies CreditLimitOptions);
    }
  }

  /** Fallback: a rephrase prompt with suggestions; the second miss in a row offers a person. */
  private async misunderstood(step: WaterfallStepContext): Promise<DialogTurnResult> {
    const session = sessionOf(step.context);
    const { texts, data } = session;
    const text = session.text.toLowerCase();
    const repeatedYes = [...texts.yesSynonyms, texts.yes.toLowerCase()].includes(text);
    const since = data.lastCompletedAt ? this.deps.clock.now().getTime() - Date.parse(data.lastCompletedAt) : Infinity;
    if (repeatedYes && since < REPEATED_CONFIRMATION_MS) {
      // A second "yes" to a confirmation that already ran: nothing is done twice.
      await step.context.sendActivity(texts.alreadyDone);
      return step.endDialog();
    }
    data.misunderstandings += 1;
    if (data.misunderstandings >= 2) return step.replaceDialog(HumanOfferDialog.id);
    const suggestions =
      session.profile.msisdn || !session.channelIdentity ? texts.menu.slice(0, 4) : texts.menuNoAccount;
    await step.context.sendActivity(menu(`${texts.fallback} ${texts.fallbackSuggestions}`, suggestions));
    await this.remindOpenPayment(step);
    return step.endDialog();
  }

  /** A message while a payment link is open gets a reminder with the same link (no new payment). */
  private async remindOpenPayment(step: WaterfallStepContext): Promise<void> {
    if (!sessionOf(step.context).profile.msisdn) return;
    const open = await openPayment(step.context, this.deps);
    if (!open) return;
    const { texts } = sessionOf(step.context);
    const url = paymentUrl(this.deps.publicUrl, open.id);
    await step.context.sendActivity(
      paymentLink(
        `${texts.paymentPendingReminder} ${texts.paymentStillOpen(url)}`,
        texts.payButton(money(open.amount, texts)),
        url,
      ),
    );
  }
}
