/**
 * Handoff records and per-conversation states in botbuilder `Storage`. Keys:
 * - `handoff/record/<id>`: one `HandoffRecord`;
 * - `handoff/conversation/<channelId>/<conversationId>`: one `ConversationHandoffState`;
 * - `handoff/case/<caseRef>`: the handoff id behind a desk case (a Slack thread finds its handoff);
 * - `handoff/queue`: ids of handoffs waiting for an agent, for the queue-timeout sweep.
 * Writes use `eTag: '*'`: the service serialises changes of one handoff itself (see `KeyedMutex`).
 */
import type { Storage, StoreItem } from 'botbuilder';
import type { ConversationHandoffState, HandoffRecord } from './handoff.model.js';

const RECORD = 'handoff/record/';
const CONVERSATION = 'handoff/conversation/';
const CASE = 'handoff/case/';
const QUEUE = 'handoff/queue';

export class HandoffStore {
  readonly #storage: Storage;

  constructor(storage: Storage) {
    this.#storage = storage;
  }

  async getRecord(id: string): Promise<HandoffRecord | undefined> {
    return this.#read<HandoffRecord>(RECORD + id);
  }

  async putRecord(record: HandoffRecord): Promise<void> {
    await this.#write(RECORD + record.id, record);
  }

  async getConversation(key: string): Promise<ConversationHandoffState> {
    return (await this.#read<ConversationHandoffState>(CONVERSATION + key)) ?? { turns: [] };
  }

  async putConversation(key: string, state: ConversationHandoffState): Promise<void> {
    await this.#write(CONVERSATION + key, state);
  }

  async handoffIdOfCase(caseRef: string): Promise<string | undefined> {
    return (await this.#read<{ handoffId: string }>(CASE + caseRef))?.handoffId;
  }

  async linkCase(caseRef: string, handoffId: string): Promise<void> {
    await this.#write(CASE + caseRef, { handoffId });
  }

  async queue(): Promise<string[]> {
    return (await this.#read<{ ids: string[] }>(QUEUE))?.ids ?? [];
  }

  async putQueue(ids: string[]): Promise<void> {
    await this.#write(QUEUE, { ids });
  }

  async #read<T>(key: string): Promise<T | undefined> {
    const items = await this.#storage.read([key]);
    const item = items[key] as (T & StoreItem) | undefined;
    if (!item) return undefined;
    const { eTag: _eTag, ...rest } = item;
    return rest as T;
  }

  async #write(key: string, value: object): Promise<void> {
    await this.#storage.write({ [key]: { ...value, eTag: '*' } });
  }
}
