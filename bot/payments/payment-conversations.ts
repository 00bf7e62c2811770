import type { ConversationReference, Storage } from 'botbuilder';

const keyOf = (paymentId: string) => `payments/conversation/${paymentId}`;

interface StoredReference {
  reference: Partial<ConversationReference>;
  eTag?: string;
}

/**
 * Which conversation each payment was started from, so the outcome is told there (proactively, through the
 * channel's adapter). Kept in botbuilder `Storage` (lowdb at run time), keyed by payment id: payment metadata
 * carries no personal data, and a conversation reference does (a WhatsApp conversation id is a phone number).
 */
export class PaymentConversations {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  /** Call after creating a payment in a turn: `remember(payment.id, TurnContext.getConversationReference(activity))`. */
  async remember(paymentId: string, reference: Partial<ConversationReference>): Promise<void> {
    const item: StoredReference = { reference };
    await this.#storage.write({ [keyOf(paymentId)]: item });
  }

  async find(paymentId: string): Promise<Partial<ConversationReference> | undefined> {
    const items = await this.#storage.read([keyOf(paymentId)]);
    return (items[keyOf(paymentId)] as StoredReference | undefined)?.reference;
  }
}
