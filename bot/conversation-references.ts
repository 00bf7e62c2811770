/**
 * Where the bot can reach a customer later (payment settled, agent reply, alerts): the Bot Framework
 * `ConversationReference` of every conversation, kept in `Storage` under an opaque conversation key, with an
 * index per subscriber (one reference per channel, the latest). Payments carry the conversation key in
 * their metadata, so `forPayment` finds the conversation a payment was made from.
 */
import { createHash } from 'node:crypto';
import { type Activity, type ConversationReference, type Storage, TurnContext } from 'botbuilder';
import type { Payment } from '../charging/model.js';
import { conversationKeyOf } from '../dialogs/conversation-key.js';

export { conversationKeyOf };

interface ReferenceItem {
  reference: Partial<ConversationReference>;
  eTag?: string;
}

interface SubscriberIndex {
  /** channelId -> conversation key */
  byChannel: Record<string, string>;
  eTag?: string;
}

const msisdnKey = (msisdn: string) =>
  `subscriber-conversations/${createHash('sha256').update(msisdn).digest('hex').slice(0, 32)}`;

export class ConversationReferenceStore {
  /** What was last written, so an unchanged reference costs no write. */
  private readonly written = new Map<string, string>();

  constructor(private readonly storage: Storage) {}

  /** Records the conversation of `activity` (and links it to `msisdn` when the subscriber is known). */
  async remember(activity: Partial<Activity>, msisdn?: string): Promise<string> {
    const key = conversationKeyOf(activity as Activity);
    const reference = TurnContext.getConversationReference(activity);
    // The id of the message just received changes every turn, and nothing sent later needs it: a reference that
    // differs only there is not written again (one storage write less on almost every turn).
    const { activityId: _activityId, ...lasting } = reference;
    const serial = JSON.stringify([lasting, msisdn ?? '']);
    if (this.written.get(key) === serial) return key;
    const changes: Record<string, ReferenceItem | SubscriberIndex> = {
      [`conversation-ref/${key}`]: { reference, eTag: '*' },
    };
    if (msisdn && activity.channelId) {
      const indexKey = msisdnKey(msisdn);
      const index = ((await this.storage.read([indexKey]))[indexKey] as SubscriberIndex | undefined) ?? {
        byChannel: {},
      };
      changes[indexKey] = { byChannel: { ...index.byChannel, [activity.channelId]: key }, eTag: '*' };
    }
    await this.storage.write(changes);
    this.written.set(key, serial);
    return key;
  }

  async get(conversationKey: string): Promise<Partial<ConversationReference> | undefined> {
    const key = `conversation-ref/${conversationKey}`;
    return ((await this.storage.read([key]))[key] as ReferenceItem | undefined)?.reference;
  }

  /** The latest conversation of a subscriber on each channel they used. */
  async forSubscriber(msisdn: string): Promise<Partial<ConversationReference>[]> {
    const indexKey = msisdnKey(msisdn);
    const index = (await this.storage.read([indexKey]))[indexKey] as SubscriberIndex | undefined;
    const out: Partial<ConversationReference>[] = [];
    for (const key of Object.values(index?.byChannel ?? {})) {
      const ref = await this.get(key);
      if (ref) out.push(ref);
    }
    return out;
  }

  /** The conversation a payment was created from (its `metadata.conversationKey`). */
  async forPayment(payment: Pick<Payment, 'metadata'>): Promise<Partial<ConversationReference> | undefined> {
    const key = payment.metadata?.conversationKey;
    return key ? this.get(key) : undefined;
  }
}
