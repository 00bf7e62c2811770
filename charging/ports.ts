import type { Result } from './errors.js';
import type {
  AddOn,
  Bill,
  Bucket,
  Catalog,
  ChargingEvent,
  CreditLimitRequest,
  LedgerEntry,
  Money,
  Msisdn,
  Payment,
  PaymentPurpose,
  Plan,
  PurchaseResult,
  Reservation,
  Subscriber,
  SwapQuote,
  SwapResult,
  TopUpResult,
  UsageRequest,
  UsageResult,
} from './model.js';

/** Time comes from outside, so tests can fix it (quiet hours, quote expiry, undo windows, due dates). */
export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

/**
 * Options of every mutating call. A repeat with the same `idempotencyKey` and the same request returns the
 * first result and changes nothing; the same key with another request fails with `IDEMPOTENCY.KEY_REUSED`.
 * `actor` is recorded in the ledger ('subscriber', 'api', 'system', 'agent:<slack user id>').
 */
export interface MutationOptions {
  idempotencyKey?: string;
  actor?: string;
}

export interface NewSubscriber {
  msisdn: Msisdn;
  name: string;
  plan: Plan;
  language?: string;
  timeZone?: string;
}

/**
 * The charging and billing core as the rest of the product sees it. Implemented in-process by the embedded
 * core (`charging/`) and over HTTP by the remote client (`adapters/charging-http/`), both passing the same
 * contract tests. Every method resolves to a `Result`; none throws for an expected failure.
 */
export interface ChargingService {
  // -- subscribers and balances
  createSubscriber(input: NewSubscriber, opts?: MutationOptions): Promise<Result<Subscriber>>;
  getSubscriber(msisdn: Msisdn): Promise<Result<Subscriber>>;
  getCatalog(): Promise<Result<Catalog>>;
  getLedger(msisdn: Msisdn, query?: { limit?: number }): Promise<Result<LedgerEntry[]>>;

  // -- real-time usage
  chargeUsage(msisdn: Msisdn, usage: UsageRequest, opts?: MutationOptions): Promise<Result<UsageResult>>;
  reserve(msisdn: Msisdn, usage: UsageRequest, opts?: MutationOptions): Promise<Result<Reservation>>;
  commitReservation(
    msisdn: Msisdn,
    reservationId: string,
    used: number,
    opts?: MutationOptions,
  ): Promise<Result<UsageResult>>;
  releaseReservation(msisdn: Msisdn, reservationId: string, opts?: MutationOptions): Promise<Result<Bucket>>;

  // -- session-bundle swaps
  quoteSwap(
    msisdn: Msisdn,
    req: { from: string; to: string; quantity: number },
    opts?: MutationOptions,
  ): Promise<Result<SwapQuote>>;
  confirmSwap(quoteId: string, opts?: MutationOptions): Promise<Result<SwapResult>>;
  undoSwap(swapId: string, opts?: MutationOptions): Promise<Result<SwapResult>>;

  // -- money
  topUp(msisdn: Msisdn, req: { amount: number }, opts?: MutationOptions): Promise<Result<TopUpResult>>;
  buyAddOn(msisdn: Msisdn, req: { productId: string }, opts?: MutationOptions): Promise<Result<PurchaseResult>>;
  /** Goodwill from an agent: credit (minor units) or units of a bucket (e.g. 5 youtube sessions). */
  grant(
    msisdn: Msisdn,
    req: { amount?: number; app?: string; unit?: string; quantity?: number; reason: string },
    opts?: MutationOptions,
  ): Promise<Result<Subscriber>>;

  // -- bills and payments
  getBills(msisdn: Msisdn): Promise<Result<Bill[]>>;
  createPayment(
    msisdn: Msisdn,
    req: { purpose: PaymentPurpose; amount?: number; metadata?: Record<string, string> },
    opts?: MutationOptions,
  ): Promise<Result<Payment>>;
  getPayment(paymentId: string): Promise<Result<Payment>>;
  /** Settles exactly once: the money goes to the bill or the balance; a repeat changes nothing. */
  settlePayment(paymentId: string, req: { providerRef: string }, opts?: MutationOptions): Promise<Result<Payment>>;
  failPayment(paymentId: string, req: { reason: string }, opts?: MutationOptions): Promise<Result<Payment>>;

  // -- credit limits (postpaid)
  requestCreditLimit(
    msisdn: Msisdn,
    req: { amount: number },
    opts?: MutationOptions,
  ): Promise<Result<CreditLimitRequest>>;
  decideCreditLimit(
    requestId: string,
    req: { approve: boolean; decidedBy: string; reason?: string },
    opts?: MutationOptions,
  ): Promise<Result<CreditLimitRequest>>;

  // -- recommendations input
  listAddOns(): Promise<Result<AddOn[]>>;

  // -- time-driven work: expire buckets, raise due/overdue/expiring events
  tick(): Promise<void>;

  /** Events (low balance, depleted, bill due, payment settled...). Returns an unsubscribe function. */
  onEvent(listener: (event: ChargingEvent) => void): () => void;
}

export type { Money };
