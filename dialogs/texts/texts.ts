/**
 * Everything the bot says, as one typed table per locale (`en.ts`, `es.ts`). Dialogs never hold wording:
 * they pick a line from here, so a new language is one new file.
 */
export interface MenuEntry {
  title: string;
  /** What a tap sends back (button taps arrive as text); the router maps it to `intent` without the NLU. */
  value: string;
  intent:
    | 'balance.check'
    | 'bundle.swap'
    | 'bundle.buy'
    | 'credit.topup'
    | 'bill.status'
    | 'bill.explain'
    | 'bill.pay'
    | 'offers.recommend'
    | 'agent.handoff'
    | 'credit_limit.increase';
}

export interface Texts {
  locale: string;
  /** dayjs locale name for "in 3 days". */
  dayjsLocale: string;
  /** Intl locale for money and dates. */
  intlLocale: string;

  yes: string;
  no: string;
  yesSynonyms: string[];
  noSynonyms: string[];
  /** Whole-message words that mean "reverse the last swap". */
  undoWords: string[];
  /** Whole-message words that ask for a new one-time code. */
  newCodeWords: string[];

  greeting(name?: string): string;
  greetingAnonymous: string;
  helpIntro: string;
  menu: MenuEntry[];
  /** A short menu for someone who is not (yet) a known subscriber: nothing that needs an account. */
  menuNoAccount: MenuEntry[];
  /** Next steps offered under a bill that is not paid. */
  billMenu: MenuEntry[];
  /** Quick amounts offered for a top-up (major units). */
  topUpAmounts: number[];
  thanks: string;
  goodbye: string;
  cancelled: string;
  nothingToCancel: string;
  fallback: string;
  fallbackSuggestions: string;
  offerHuman: string;
  humanDeclined: string;
  handoffStarted: string;
  emptyMessage: string;
  attachmentOnly: string;
  tooLong: string;
  alreadyDone: string;
  errorApology: string;
  coreUnavailable: string;
  cardNumberWarning: string;
  /** Offered with the card warning when no payment link is open: the ways to a secure link. */
  cardNumberChoices: { title: string; value: string }[];

  // identity
  askNumber: string;
  askNumberRetry: string;
  codeSentIfSubscriber: string;
  askCode: string;
  askCodeRetry: string;
  codeWrong(attemptsLeft: number): string;
  codeExpired: string;
  codeTooManyAttempts: string;
  codeResent: string;
  codeRateLimited: string;
  smsCode(code: string): string;
  verified(name: string): string;
  notSubscriber: string;
  identityLost: string;

  // balances
  balancesHeader: string;
  moneyBalance(amount: string): string;
  creditLimit(amount: string): string;
  bucketLine(quantity: number | string, what: string, expiresInWords: string): string;
  bucketExpired(what: string): string;
  noBucketFor(what: string): string;
  runningOut(what: string): string;
  expiringSoon(what: string, inWords: string): string;
  unitName(unit: string, quantity: number): string;
  /** "YouTube sessions" / "sesiones de YouTube". */
  bucketName(unitWord: string, app?: string): string;

  // swap
  askSwapFrom: string;
  askSwapTo: string;
  askSwapQuantity(from: string): string;
  askSwapQuantityRetry: string;
  swapQuote(debit: number, from: string, credit: number, to: string, rate: string): string;
  swapConfirm: string;
  swapDone(
    debit: number,
    from: string,
    credit: number,
    to: string,
    fromLeft: number,
    toNow: number,
    undoIn: string,
  ): string;
  swapNotConfirmed: string;
  swapInsufficient(from: string, available: number): string;
  swapOfferMax(max: number, from: string): string;
  swapNothingToSwap(from: string): string;
  swapQuoteExpired: string;
  swapSameApp: string;
  swapNoRate(from: string, to: string): string;
  swapTooSmall: string;
  undoDone(from: string, to: string): string;
  undoNothing: string;
  undoWindowClosed: string;
  undoCreditUsed: string;

  // add-ons and offers
  askAddOn: string;
  addOnLine(name: string, price: string, validityDays: number, description: string): string;
  addOnConfirm(name: string, price: string, validityDays: number): string;
  addOnBought(name: string, balance?: string): string;
  addOnBoughtPostpaid(name: string): string;
  addOnNotBought: string;
  noAddOns: string;
  insufficientCredit: string;
  offersIntro: string;
  offerStreaming(app: string, price: string): string;
  offerRunningOut(what: string): string;
  offerButton(name: string): string;
  noThanks: string;
  noOffers: string;

  // bills
  noBills: string;
  billStatus(
    amount: string,
    due: string,
    dueInWords: string,
    state: 'new' | 'partiallyPaid' | 'settled',
    remaining: string,
  ): string;
  billExplainHeader(current: string, previous: string): string;
  billExplainFirst(current: string): string;
  billLineChanged(description: string, before: string, now: string): string;
  billLineNew(description: string, now: string): string;
  billLineGone(description: string, before: string): string;
  billLineSame(description: string, now: string): string;
  billLine(description: string, now: string): string;
  billNothingDue: string;
  payLink(amount: string, url: string, minutes: number): string;
  payButton(amount: string): string;
  paymentStillOpen(url: string): string;
  paymentPendingReminder: string;
  notPostpaidBills: string;

  // top-up
  askTopUpAmount: string;
  askTopUpAmountRetry: string;
  topUpNotPrepaid: string;
  topUpAmountInvalid: string;

  // credit limit
  askCreditLimitAmount(current: string): string;
  askCreditLimitAmountRetry: string;
  creditLimitApproved(amount: string): string;
  creditLimitPending(amount: string): string;
  creditLimitDeclined(reason: string): string;
  creditLimitNotPostpaid: string;
}
