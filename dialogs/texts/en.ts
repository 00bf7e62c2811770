import type { Texts } from './texts.js';

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** English wording. */
export const en: Texts = {
  locale: 'en',
  dayjsLocale: 'en',
  intlLocale: 'en-US',

  yes: 'Yes',
  no: 'No',
  yesSynonyms: ['yes', 'y', 'yeah', 'yep', 'ok', 'okay', 'sure', 'confirm', 'do it', 'go ahead', 'si', 'sí'],
  noSynonyms: ['no', 'n', 'nope', 'not now', 'no thanks', 'dont', "don't", 'stop'],
  undoWords: ['undo', 'undo it', 'undo that', 'undo the swap', 'reverse it', 'revert', 'deshacer'],
  newCodeWords: ['new code', 'resend', 'send again', 'send a new code', 'another code', 'nuevo codigo', 'nuevo código'],

  greeting: (name) => (name ? `Hi ${name}! How can I help you today?` : 'Hi! How can I help you today?'),
  greetingAnonymous: "Hi! I'm the self-service assistant.",
  helpIntro: 'Here is what I can do:',
  menu: [
    { title: 'My balance', value: 'My balance', intent: 'balance.check' },
    { title: 'Swap sessions', value: 'Swap sessions', intent: 'bundle.swap' },
    { title: 'Buy an add-on', value: 'Buy an add-on', intent: 'bundle.buy' },
    { title: 'Offers for me', value: 'Offers for me', intent: 'offers.recommend' },
    { title: 'My bill', value: 'My bill', intent: 'bill.status' },
    { title: 'Top up', value: 'Top up', intent: 'credit.topup' },
    { title: 'Talk to a person', value: 'Talk to a person', intent: 'agent.handoff' },
  ],
  menuNoAccount: [{ title: 'Talk to a person', value: 'Talk to a person', intent: 'agent.handoff' }],
  billMenu: [
    { title: 'Pay now', value: 'Pay my bill', intent: 'bill.pay' },
    { title: 'Explain it', value: 'Explain my bill', intent: 'bill.explain' },
  ],
  topUpAmounts: [5, 10, 20, 50],
  thanks: "You're welcome!",
  goodbye: 'Goodbye, have a great day!',
  cancelled: 'OK, I have cancelled that.',
  nothingToCancel: 'There is nothing to cancel. What else can I do for you?',
  fallback: "Sorry, I didn't get that. Could you say it another way?",
  fallbackSuggestions: 'For example:',
  offerHuman: "I'm still not getting it, sorry. Would you like me to ask a person to help you?",
  humanDeclined: 'OK. Here is what I can do:',
  handoffStarted: "I'm asking one of our people to join this chat. They will see what we talked about.",
  emptyMessage: "I didn't receive any text. What can I do for you?",
  attachmentOnly: 'I can only read text messages. Please tell me in words what you need.',
  tooLong: 'That message is very long. Please tell me in a sentence what you need.',
  alreadyDone: 'That is already done, nothing more was changed.',
  errorApology: 'Sorry, something went wrong on my side. Please try again in a moment.',
  coreUnavailable: "Sorry, I can't reach our account system right now. Please try again in a few minutes.",
  cardNumberChoices: [
    { title: 'Top up credit', value: 'top up' },
    { title: 'Pay my bill', value: 'pay my bill' },
  ],
  cardNumberWarning:
    'Please never send card details in the chat. I removed them. To pay, use the secure payment link I send you.',

  askNumber: 'First I need to know who you are. What is your mobile number (with country code, e.g. +15550100001)?',
  askNumberRetry: 'Please send your mobile number with the country code, for example +15550100001.',
  codeSentIfSubscriber: 'If that number is one of ours, a 6-digit code is on its way by SMS.',
  askCode: 'Please type the 6-digit code (or "new code" to get another one).',
  askCodeRetry: 'Please type the 6 digits of the code, or "new code".',
  codeWrong: (left) => `That code is not right. ${left} ${plural(left, 'attempt', 'attempts')} left.`,
  codeExpired: 'That code has expired. Say "new code" and I will send another one.',
  codeTooManyAttempts: 'Too many wrong attempts. Say "new code" and I will send another one.',
  codeResent: 'I sent a new code.',
  codeRateLimited: 'I sent several codes already. Please wait a few minutes before asking for another one.',
  smsCode: (code) => `Your verification code is ${code}. It expires in 5 minutes. Never share it with anyone.`,
  verified: (name) => `Thanks, ${name}, you are verified.`,
  notSubscriber:
    "This number isn't one of our subscribers, so I can't show any account details. I can still put you in touch with a person.",
  identityLost: "I couldn't find your account any more. Let's verify your number again.",

  balancesHeader: 'Here is what you have:',
  moneyBalance: (amount) => `Credit: ${amount}`,
  creditLimit: (amount) => `Credit limit: ${amount}`,
  bucketLine: (q, what, expires) => `${capitalize(what)}: ${q} left, expires ${expires}`,
  bucketExpired: (what) => `${what}: expired`,
  noBucketFor: (what) => `You don't have any ${what} right now.`,
  runningOut: (what) => `Heads up: your ${what} ${what === 'data' ? 'is' : 'are'} running out.`,
  expiringSoon: (what, inWords) => `Heads up: your ${what} ${what === 'data' ? 'expires' : 'expire'} ${inWords}.`,
  bucketName: (unitWord, app) => (app ? `${app} ${unitWord}` : unitWord),
  unitName: (unit, q) => {
    switch (unit) {
      case 'session':
        return plural(q, 'session', 'sessions');
      case 'minute':
        return plural(q, 'minute', 'minutes');
      case 'SMS':
        return 'SMS';
      case 'MB':
        return 'data';
      default:
        return unit;
    }
  },

  askSwapFrom: 'Which sessions do you want to give up?',
  askSwapTo: 'Which app do you want sessions for?',
  askSwapQuantity: (from) => `How many ${from} sessions do you want to swap?`,
  askSwapQuantityRetry: 'Please give me a whole number, like 10.',
  swapQuote: (debit, from, credit, to, rate) =>
    `Swap ${debit} ${from} ${plural(debit, 'session', 'sessions')} for ${credit} ${to} ${plural(credit, 'session', 'sessions')} (rate ${rate}).`,
  swapConfirm: 'Shall I do it?',
  swapDone: (debit, from, credit, to, fromLeft, toNow, undoIn) =>
    `Done: ${debit} ${from} swapped for ${credit} ${to}. You now have ${fromLeft} ${from} and ${toNow} ${to} sessions. Changed your mind? Say "undo" ${undoIn}.`,
  swapNotConfirmed: 'OK, I did not swap anything.',
  swapInsufficient: (from, available) => `You only have ${available} ${from} sessions, not enough for that.`,
  swapOfferMax: (max, from) => `The most you can swap is ${max} ${from} sessions. Shall I quote that?`,
  swapNothingToSwap: (from) => `You have no ${from} sessions left to swap.`,
  swapQuoteExpired: 'That price expired, here is a fresh one.',
  swapSameApp: 'Those are the same app. Pick two different apps.',
  swapNoRate: (from, to) => `Sorry, ${from} sessions can't be swapped for ${to} sessions.`,
  swapTooSmall: 'That is too few sessions to swap at this rate. Try a larger number.',
  undoDone: (from, to) => `Undone: your ${from} and ${to} sessions are back as they were.`,
  undoNothing: 'There is no recent swap to undo.',
  undoWindowClosed: 'Sorry, that swap can no longer be undone.',
  undoCreditUsed: 'Sorry, that swap cannot be undone because some of the new sessions were already used.',

  askAddOn: 'Which add-on would you like?',
  addOnLine: (name, price, days, description) => `${name}: ${price}, valid ${days} days. ${description}`,
  addOnConfirm: (name, price, days) => `${name} costs ${price} and is valid for ${days} days. Buy it?`,
  addOnBought: (name, balance) => `Done, ${name} is active.${balance ? ` Your credit is now ${balance}.` : ''}`,
  addOnBoughtPostpaid: (name) => `Done, ${name} is active. It will appear on your next bill.`,
  addOnNotBought: 'OK, I did not buy anything.',
  noAddOns: 'There are no add-ons available right now.',
  insufficientCredit: "You don't have enough credit for that. You can top up first.",
  offersIntro: 'Based on how you use your plan, these would suit you:',
  offerStreaming: (app, price) =>
    `You watch a lot of ${app}: at this pace your plan will charge you extra. The streaming add-on (${price}) covers it.`,
  offerRunningOut: (what) => `Your ${what} will run out before they renew.`,
  offerButton: (name) => `Buy ${name}`,
  noThanks: 'No thanks',
  noOffers: 'Your plan fits how you use it, no add-on needed right now.',

  noBills: 'You have no bills yet.',
  billStatus: (amount, due, dueInWords, state, remaining) =>
    state === 'settled'
      ? `Your last bill of ${amount} is paid. Thank you!`
      : state === 'partiallyPaid'
        ? `Your bill of ${amount} is partly paid: ${remaining} is still due on ${due} (${dueInWords}).`
        : `Your bill is ${amount}, due on ${due} (${dueInWords}). It is not paid yet.`,
  billExplainHeader: (current, previous) => `Your bill is ${current}, last time it was ${previous}. Line by line:`,
  billExplainFirst: (current) => `This is your first bill, ${current}. Line by line:`,
  billLineChanged: (d, before, now) => `- ${d}: ${now} (was ${before})`,
  billLineNew: (d, now) => `- ${d}: ${now} (new)`,
  billLineGone: (d, before) => `- ${d}: none this time (was ${before})`,
  billLineSame: (d, now) => `- ${d}: ${now} (same)`,
  billLine: (d, now) => `- ${d}: ${now}`,
  billNothingDue: 'Your bills are all paid, nothing is due.',
  payLink: (amount, url, minutes) =>
    `Here is your secure payment link for ${amount} (valid ${minutes} minutes): ${url}`,
  payButton: (amount) => `Pay ${amount}`,
  paymentStillOpen: (url) => `Your payment link is still open: ${url}`,
  paymentPendingReminder: 'Your payment is still waiting to be completed; I will tell you here when it arrives.',
  notPostpaidBills: 'You are on a prepaid plan, so you have no bills. You can ask for your balance or top up.',

  askTopUpAmount: 'How much would you like to top up?',
  askTopUpAmountRetry: 'Please pick an amount or type one, like 10.',
  topUpNotPrepaid: 'Top-ups are for prepaid plans. Your usage goes on your monthly bill.',
  topUpAmountInvalid: "That amount can't be used. Please pick another one.",

  askCreditLimitAmount: (current) => `Your credit limit is ${current}. What limit would you like?`,
  askCreditLimitAmountRetry: 'Please type the new limit as an amount, like 150.',
  creditLimitApproved: (amount) => `Good news: your credit limit is now ${amount}.`,
  creditLimitPending: (amount) =>
    `I've asked for a credit limit of ${amount}. An agent will decide and you'll hear back here.`,
  creditLimitDeclined: (reason) => `Sorry, we can't raise your credit limit right now (${reason}).`,
  creditLimitNotPostpaid: 'Credit limits are for postpaid plans. On prepaid you can top up any time.',
};
