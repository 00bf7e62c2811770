/**
 * The charging and billing core's public data shapes. Field names follow TM Forum where one exists
 * (TMF654 buckets and `remainingValue`, TMF678 customer bills, TMF676 payments) so that an operator's
 * integrators recognise them. Money is always integer minor units (`1000` = 10.00) in the account's currency;
 * quantities of a unit are integers. Times are ISO-8601 strings in UTC.
 */

export type Msisdn = string; // E.164 with the leading '+', e.g. '+15550100001'
export type Plan = 'prepaid' | 'postpaid';
export type App = string; // 'facebook' | 'youtube' | 'whatsapp' | 'instagram' | 'tiktok' | ... (catalog decides)
export type Unit = 'session' | 'MB' | 'minute' | 'SMS' | 'money';

export interface Money {
  amount: number;
  currency: string;
}

export interface TimePeriod {
  startDateTime: string;
  endDateTime: string;
}

/** TMF654 bucket: an allowance of one unit (sessions of one app, MB, minutes, SMS). */
export interface Bucket {
  id: string;
  name: string;
  unit: Unit;
  app?: App;
  remainingValue: number;
  initialValue: number;
  validFor: TimePeriod;
  /** Catalog product this bucket came from (plan default or add-on). */
  productId?: string;
}

export interface Account {
  balance: Money;
  /** Postpaid only: how far the bill may go. */
  creditLimit?: Money;
}

export interface BillLine {
  description: string;
  kind: 'plan' | 'addon' | 'usage' | 'tax' | 'credit' | 'other';
  amount: Money;
}

export type BillState = 'new' | 'partiallyPaid' | 'settled';

/** TMF678 customer bill. */
export interface Bill {
  id: string;
  billNo: string;
  billDate: string;
  billingPeriod: TimePeriod;
  paymentDueDate: string;
  amountDue: Money;
  remainingAmount: Money;
  state: BillState;
  lines: BillLine[];
}

export type PaymentStatus = 'created' | 'pending' | 'settled' | 'failed' | 'expired';
export type PaymentPurpose = { type: 'bill'; billId: string } | { type: 'topup' };

/** TMF676 payment. `id` is unguessable: it appears in the checkout link `{PUBLIC_URL}/pay/{id}`. */
export interface Payment {
  id: string;
  msisdn: Msisdn;
  amount: Money;
  purpose: PaymentPurpose;
  status: PaymentStatus;
  createdAt: string;
  expiresAt: string;
  settledAt?: string;
  failureReason?: string;
  /** Opaque data of the caller (e.g. which bot conversation created it); never personal data. */
  metadata?: Record<string, string>;
}

export type CreditLimitRequestStatus = 'approved' | 'pending' | 'declined';

export interface CreditLimitRequest {
  id: string;
  msisdn: Msisdn;
  requested: Money;
  previous: Money;
  status: CreditLimitRequestStatus;
  /** Why the rule decided as it did, or who decided. */
  reason: string;
  decidedBy?: string;
  createdAt: string;
  decidedAt?: string;
}

export interface Subscriber {
  msisdn: Msisdn;
  name: string;
  plan: Plan;
  language: string;
  /** IANA time zone, for quiet hours and due dates in words. */
  timeZone?: string;
  createdAt: string;
  account: Account;
  buckets: Bucket[];
  bills: Bill[];
  payments: Payment[];
  creditLimitRequests?: CreditLimitRequest[];
}

/** TMF654 balance action history: every change of every balance is one entry. */
export interface LedgerEntry {
  id: string;
  msisdn: Msisdn;
  at: string;
  /** 'usage' | 'topup' | 'swap.debit' | 'swap.credit' | 'swap.undo' | 'addon' | 'payment' | 'grant' | 'expiry' | ... */
  reason: string;
  /** The bucket changed, or 'account' for the monetary balance. */
  target: string;
  unit: Unit;
  /** Signed change: negative for a debit. */
  delta: number;
  /** Value after the change. */
  after: number;
  idempotencyKey?: string;
  /** Who caused it: 'subscriber', 'system', 'api', or e.g. 'agent:U123' for an agent in Slack. */
  actor?: string;
  ref?: string;
}

// ---- Catalog ----

export interface BundleSpec {
  name: string;
  unit: Exclude<Unit, 'money'>;
  app?: App;
  quantity: number;
  validityDays: number;
}

export interface PlanOffer {
  id: string;
  plan: Plan;
  name: string;
  monthlyFee: Money;
  bundles: BundleSpec[];
  /** Postpaid: the starting credit limit. */
  creditLimit?: Money;
  /** Prepaid: the starting credit. */
  initialCredit?: Money;
}

export interface AddOn {
  id: string;
  name: string;
  description: string;
  price: Money;
  bundle: BundleSpec;
  /** Tags for recommendations, e.g. ['streaming', 'video']. */
  tags?: string[];
}

export interface ExchangeRate {
  from: App;
  to: App;
  /** Sessions of `to` credited per session of `from` debited, as a ratio numerator/denominator. */
  numerator: number;
  denominator: number;
}

export interface AppInfo {
  id: App;
  name: string;
  aliases: string[];
  zeroRated?: boolean;
}

export interface Catalog {
  currency: string;
  apps: AppInfo[];
  plans: PlanOffer[];
  addOns: AddOn[];
  exchangeRates: ExchangeRate[];
}

// ---- Use-case results ----

export interface UsageRequest {
  app?: App;
  unit?: Exclude<Unit, 'money'>;
  quantity: number;
}

export interface UsageResult {
  bucket: Bucket | null;
  /** True when the usage was zero-rated: nothing was charged. */
  zeroRated: boolean;
  charged: number;
}

export interface Reservation {
  id: string;
  msisdn: Msisdn;
  bucketId: string;
  quantity: number;
  expiresAt: string;
}

export interface SwapQuote {
  id: string;
  msisdn: Msisdn;
  from: App;
  to: App;
  /** Sessions taken from the `from` bucket. */
  debit: number;
  /** Sessions added to the `to` bucket. */
  credit: number;
  /** Human form of the rate, e.g. '2:1' (2 facebook sessions for 1 youtube session). */
  rate: string;
  expiresAt: string;
}

export interface SwapResult {
  id: string;
  quoteId: string;
  msisdn: Msisdn;
  from: App;
  to: App;
  debit: number;
  credit: number;
  executedAt: string;
  /** Until when `undoSwap` may reverse it. */
  undoableUntil: string;
  undone?: boolean;
  buckets: Bucket[];
}

export interface TopUpResult {
  balance: Money;
}

export interface PurchaseResult {
  addOn: AddOn;
  bucket: Bucket;
  /** Prepaid: the credit left. */
  balance?: Money;
  /** Postpaid: the bill it was added to. */
  billId?: string;
}

// ---- Events (later turned into messages by proactive care) ----

export type ChargingEventType =
  | 'balance.low'
  | 'bucket.depleted'
  | 'bucket.expiring'
  | 'bucket.expired'
  | 'bill.dueSoon'
  | 'bill.overdue'
  | 'payment.settled'
  | 'payment.failed'
  | 'usage.zeroRated'
  | 'usage.pattern';

export interface ChargingEvent {
  /** Stable id: the same occurrence always has the same id, so consumers can deduplicate. */
  id: string;
  type: ChargingEventType;
  msisdn: Msisdn;
  at: string;
  data: Record<string, unknown>;
}
