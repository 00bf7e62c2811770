/**
 * Tells the customer, in the conversation the payment came from, how it ended: the new balance or the bill
 * paid, or the reason and a fresh link. Listens to the core's `payment.settled` / `payment.failed` events and
 * sends proactively through the channel's adapter (`continueConversationAsync`); WhatsApp's 24-hour window is
 * the adapter's business (this only names the template purpose).
 *
 * Exactly once per payment: a per-process queue judges two sightings of one payment one after the other, and
 * a marker in `Storage` remembers what was sent across restarts. The marker is written before sending and
 * removed if the send fails, so a redelivered event can try again but a sent notice is never repeated.
 */
import type { Activity, ConversationReference, Storage, TurnContext } from 'botbuilder';
import type { ChargingEvent, Payment } from '../../charging/model.js';
import type { ChargingService } from '../../charging/ports.js';
import type { Logger } from '../logger.js';
import type { PaymentConversations } from './payment-conversations.js';
import { billSettledText, failedText, formatMoney, topUpSettledText } from './payment-messages.js';

/** The one thing the notifier needs from a channel adapter (botbuilder's `BotAdapter` has it). */
export interface ProactiveChannel {
  continueConversationAsync(
    botAppId: string,
    reference: Partial<ConversationReference>,
    logic: (context: TurnContext) => Promise<void>,
  ): Promise<void>;
}

export interface PaymentNotifierDeps {
  charging: ChargingService;
  storage: Storage;
  conversations: PaymentConversations;
  /** The adapter serving a channel id (`whatsapp`, `messenger`, `webchat`, `emulator`...), if enabled. */
  channelFor: (channelId: string) => ProactiveChannel | undefined;
  /** `MicrosoftAppId` (empty in local mode). */
  botAppId: string;
  /** The provider's checkout link for a payment id. */
  checkoutUrl: (paymentId: string) => string;
  logger: Logger;
}

export type NotifyOutcome = 'sent' | 'already_sent' | 'no_conversation' | 'no_channel' | 'ignored' | 'send_failed';

interface NoticeMarker {
  state: 'sending' | 'sent';
  eventId: string;
  retryPaymentId?: string;
  eTag?: string;
}

interface Notice {
  activity: Partial<Activity>;
  retryPaymentId?: string;
}

const markerKey = (paymentId: string) => `payments/notified/${paymentId}`;

export class PaymentNotifier {
  readonly #deps: PaymentNotifierDeps;
  readonly #log: Logger;
  readonly #tails = new Map<string, Promise<unknown>>();
  readonly #running = new Set<Promise<unknown>>();

  constructor(deps: PaymentNotifierDeps) {
    this.#deps = deps;
    this.#log = deps.logger.child({ component: 'payment-notifier' });
  }

  /** Subscribes to the core's events; returns the unsubscribe function. */
  start(): () => void {
    return this.#deps.charging.onEvent((event) => {
      if (event.type !== 'payment.settled' && event.type !== 'payment.failed') return;
      const work = this.handle(event).catch((err: unknown) => {
        this.#log.error('payment notice crashed', { eventId: event.id, error: err });
      });
      this.#running.add(work);
      void work.finally(() => this.#running.delete(work));
    });
  }

  /** Resolves when every notice started so far has finished (tests, shutdown). */
  async idle(): Promise<void> {
    while (this.#running.size > 0) await Promise.all([...this.#running]);
  }

  /** Handles one payment event; safe to call with the same event any number of times. */
  handle(event: ChargingEvent): Promise<NotifyOutcome> {
    const paymentId = typeof event.data.paymentId === 'string' ? event.data.paymentId : '';
    if (!paymentId || (event.type !== 'payment.settled' && event.type !== 'payment.failed')) {
      return Promise.resolve('ignored');
    }
    const previous = this.#tails.get(paymentId) ?? Promise.resolve();
    const next = previous.then(
      () => this.#notifyOnce(paymentId, event),
      () => this.#notifyOnce(paymentId, event),
    );
    const tail = next.catch(() => undefined);
    this.#tails.set(paymentId, tail);
    void tail.then(() => {
      if (this.#tails.get(paymentId) === tail) this.#tails.delete(paymentId);
    });
    return next;
  }

  async #notifyOnce(paymentId: string, event: ChargingEvent): Promise<NotifyOutcome> {
    const { storage, conversations, channelFor, botAppId } = this.#deps;
    const key = markerKey(paymentId);
    const existing = (await storage.read([key]))[key] as NoticeMarker | undefined;
    if (existing) return 'already_sent';

    const reference = await conversations.find(paymentId);
    if (!reference?.channelId) {
      this.#log.info('payment outcome not told: no conversation remembered', { paymentId });
      return 'no_conversation';
    }
    const channel = channelFor(reference.channelId);
    if (!channel) {
      this.#log.warn('payment outcome not told: channel not enabled', { paymentId, channelId: reference.channelId });
      return 'no_channel';
    }
    const found = await this.#deps.charging.getPayment(paymentId);
    if (!found.ok) {
      this.#log.warn('payment outcome not told: payment unreadable', { paymentId, code: found.error.code });
      return 'send_failed';
    }
    const payment = found.value;
    await storage.write({ [key]: { state: 'sending', eventId: event.id } satisfies NoticeMarker });
    try {
      const { activity, retryPaymentId } =
        event.type === 'payment.settled' ? await this.#settledNotice(payment) : await this.#failedNotice(payment);
      await channel.continueConversationAsync(botAppId, reference, async (context) => {
        await context.sendActivity(activity);
      });
      await storage.write({ [key]: { state: 'sent', eventId: event.id, retryPaymentId } satisfies NoticeMarker });
      this.#log.info('payment outcome told', { paymentId, event: event.type, channelId: reference.channelId });
      return 'sent';
    } catch (err) {
      await storage.delete([key]);
      this.#log.error('payment outcome not told: send failed', { paymentId, error: err });
      return 'send_failed';
    }
  }

  #activity(text: string, paymentId: string, link?: { title: string; url: string }): Partial<Activity> {
    return {
      type: 'message',
      text,
      ...(link
        ? { suggestedActions: { to: [], actions: [{ type: 'openUrl', title: link.title, value: link.url }] } }
        : {}),
      // WhatsApp: outside the 24-hour window the adapter sends the approved `payment` template instead, and
      // the idempotency key keeps a retried proactive send from reaching the customer twice.
      channelData: { template: { purpose: 'payment' }, idempotencyKey: `payment-notice:${paymentId}` },
    };
  }

  async #settledNotice(payment: Payment): Promise<Notice> {
    const { charging } = this.#deps;
    if (payment.purpose.type === 'topup') {
      const sub = await charging.getSubscriber(payment.msisdn);
      const balance = sub.ok ? sub.value.account.balance : undefined;
      return { activity: this.#activity(topUpSettledText(payment.amount, balance), payment.id) };
    }
    const billId = payment.purpose.billId;
    const bills = await charging.getBills(payment.msisdn);
    const bill = bills.ok ? bills.value.find((b) => b.id === billId) : undefined;
    return { activity: this.#activity(billSettledText(payment.amount, bill), payment.id) };
  }

  async #failedNotice(payment: Payment): Promise<Notice> {
    // A fresh link for the same purpose and amount; the idempotency key makes a second sighting reuse it.
    const retry = await this.#deps.charging.createPayment(
      payment.msisdn,
      {
        purpose: payment.purpose,
        amount: payment.amount.amount,
        ...(payment.metadata ? { metadata: payment.metadata } : {}),
      },
      { idempotencyKey: `payment-retry:${payment.id}`, actor: 'system' },
    );
    if (!retry.ok) {
      // E.g. the bill got paid meanwhile: say what happened, offer no link.
      return { activity: this.#activity(failedText(payment.amount, payment.failureReason, undefined), payment.id) };
    }
    const url = this.#deps.checkoutUrl(retry.value.id);
    const reference = await this.#deps.conversations.find(payment.id);
    if (reference) await this.#deps.conversations.remember(retry.value.id, reference);
    return {
      activity: this.#activity(failedText(payment.amount, payment.failureReason, url), payment.id, {
        title: `Pay ${formatMoney(retry.value.amount)}`,
        url,
      }),
      retryPaymentId: retry.value.id,
    };
  }
}
