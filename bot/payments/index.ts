/** Payments on the bot side: tell the outcome in the chat, keep card numbers out of it. */
export { CardNumberGuard, CARD_WARNING, type CardNumberGuardOptions } from './card-number-guard.js';
export { PaymentConversations } from './payment-conversations.js';
export { PaymentLinkRecorder } from './payment-link-recorder.js';
export {
  PaymentNotifier,
  type NotifyOutcome,
  type PaymentNotifierDeps,
  type ProactiveChannel,
} from './payment-notifier.js';
export { type ChatPayments, type ChatPaymentsDeps, createChatPayments } from './chat-payments.js';
