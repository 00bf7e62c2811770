/**
 * One call for the composition root: everything the bot side of payments needs, built from its parts.
 * Register `guard` as the FIRST middleware of every channel adapter and `recorder` on each adapter too; call
 * `notifier.start()` once; dialogs may call `rememberPaymentConversation` after creating a payment (the
 * recorder already does it for any message carrying a `{PUBLIC_URL}/pay/{id}` link).
 */
import type { ConversationReference, Storage } from 'botbuilder';
import type { ChargingService } from '../../charging/ports.js';
import type { Logger } from '../logger.js';
import { CardNumberGuard, type CardNumberGuardOptions } from './card-number-guard.js';
import { PaymentConversations } from './payment-conversations.js';
import { PaymentLinkRecorder } from './payment-link-recorder.js';
import { PaymentNotifier, type ProactiveChannel } from './payment-notifier.js';

export interface ChatPaymentsDeps {
  charging: ChargingService;
  storage: Storage;
  channelFor: (channelId: string) => ProactiveChannel | undefined;
  botAppId: string;
  publicUrl: string;
  /** The provider's link for a payment id (`registerSandboxPayments(...).checkoutUrl`). */
  checkoutUrl: (paymentId: string) => string;
  logger: Logger;
  guard?: CardNumberGuardOptions;
}

export interface ChatPayments {
  guard: CardNumberGuard;
  recorder: PaymentLinkRecorder;
  conversations: PaymentConversations;
  notifier: PaymentNotifier;
  rememberPaymentConversation(paymentId: string, reference: Partial<ConversationReference>): Promise<void>;
}

export function createChatPayments(deps: ChatPaymentsDeps): ChatPayments {
  const conversations = new PaymentConversations(deps.storage);
  return {
    guard: new CardNumberGuard(deps.guard),
    recorder: new PaymentLinkRecorder(conversations, deps.publicUrl),
    conversations,
    notifier: new PaymentNotifier({
      charging: deps.charging,
      storage: deps.storage,
      conversations,
      channelFor: deps.channelFor,
      botAppId: deps.botAppId,
      checkoutUrl: deps.checkoutUrl,
      logger: deps.logger,
    }),
    rememberPaymentConversation: (paymentId, reference) => conversations.remember(paymentId, reference),
  };
}
