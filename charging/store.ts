import type { LedgerEntry, Reservation, Subscriber, SwapQuote, SwapResult } from './model.js';

/** A swap quote as stored: the quote plus, once confirmed, the id of the swap it produced. */
export interface QuoteRecord extends SwapQuote {
  swapId?: string;
}

/** A swap as stored: the result plus which buckets were debited, so an undo can give back exactly that. */
export interface SwapRecord extends Omit<SwapResult, 'buckets'> {
  debits: { bucketId: string; quantity: number }[];
  creditBucketId: string;
}

/**
 * The first outcome of a mutation, kept so that a repeat with the same key returns it unchanged. Compact,
 * because one is kept per key for a day: a hash of the request and the result as JSON text.
 */
export interface IdempotencyRecord {
  /** The idempotency key. */
  key: string;
  /** Hash of operation name + canonical request: a repeat must match it exactly. */
  fingerprint: string;
  /** The `Result` returned, as JSON. */
  result: string;
  /** When (epoch ms). */
  at: number;
}

/**
 * Everything the core keeps about one subscriber. One record is the unit of atomicity: every mutation
 * changes exactly one record (its balances, ledger entries and idempotency record together), so a store only
 * has to make the change of one record durable at once.
 */
export interface AccountRecord {
  subscriber: Subscriber;
  quotes: QuoteRecord[];
  swaps: SwapRecord[];
  reservations: Reservation[];
  /**
   * Idempotency records of the last day, oldest first. A list, not an object keyed by the key: every distinct
   * property name gives parsed objects a hidden class of its own (and an internalized string), which made the
   * collector's pauses several ms longer under load. Records written as an object are converted when the core
   * first reads them (`idempotencyOf` in core.ts).
   */
  idempotency: IdempotencyRecord[];
  /**
   * Ledger entries, oldest first. A store may move them out of the record once committed (the lowdb store
   * always does); `ledgerHistory` returns them all.
   */
  ledger: LedgerEntry[];
  /** Ids of time-driven events already raised (bill due soon, bucket expiring), with when: raised once. */
  notified: Record<string, string>;
}

/** What a mutation function returns: its value, and whether it changed the record (or creates one). */
export interface Mutation<T> {
  value: T;
  changed: boolean;
  /** For a subscriber that does not exist yet: the record to create. */
  create?: AccountRecord;
}

/**
 * What the core indexes of each record, handed to the store at `load`. The digest is opaque to the store: it
 * stores the text beside the record and gives it back at the next load.
 */
export interface RecordIndexer {
  /** The compact text of what the core indexes from `record` (ids, deadlines). Called synchronously. */
  digest(record: AccountRecord): string;
  /**
   * Indexes one persisted record from its digest. Returns false when it cannot use the digest (written by
   * another version of the core, or none was stored): the store then calls `digest` on the parsed record and
   * visits again with that.
   */
  visit(msisdn: string, digest: string): boolean;
}

/**
 * Persistence of the charging core: a small port with an in-memory implementation (`memory-store.ts`) and a
 * lowdb one (`adapters/store/lowdb/charging-store.ts`), both passing `test/contracts/charging-store.contract.ts`.
 *
 * Rules every implementation keeps:
 * - `update` runs `fn` synchronously on the live in-memory record and nothing else runs between reading and
 *   changing it: there is no read-await-write window, so concurrent mutations of one subscriber are
 *   serialised by the event loop.
 * - The promise of `update` resolves only once the change is durable (for a file store: the write holding it
 *   has completed); when `fn` changed nothing it still waits for any pending write of that record, so no
 *   caller can observe an answer that a crash could take back.
 * - If persisting fails, the promise rejects (a bug or a broken disk, not an expected failure).
 */
export interface ChargingStore {
  /**
   * Loads persisted records and hands each one to `indexer.visit` once, as its digest (the core rebuilds its id
   * indexes and deadlines from them). A store keeps the digest beside the record (computed by `indexer.digest`
   * whenever it persists a changed record), so a start does not have to parse every record.
   */
  load(indexer: RecordIndexer): Promise<void>;
  /**
   * The current record, or undefined. Read-only to callers; it may be a copy (the lowdb store keeps records at
   * rest as text), so it does not follow later changes.
   */
  get(msisdn: string): Promise<AccountRecord | undefined>;
  /**
   * Applies `fn` to the record of `msisdn` and resolves once the change is durable. `fn` runs synchronously on
   * the in-memory state once that is loaded (a file store may first have to read the record's file).
   */
  update<T>(msisdn: string, fn: (record: AccountRecord | undefined) => Mutation<T>): Promise<T>;
  /** The whole ledger of a subscriber, oldest first, including entries moved out of the live record. */
  ledgerHistory(msisdn: string): Promise<LedgerEntry[]>;
  /** Waits for pending writes and releases resources (file lock). */
  close(): Promise<void>;
}
