/**
 * `ChargingService` over HTTP: the bot's view of a remote charging core (`CHARGING_URL`, `CHARGING_TOKEN`)
 * speaking CONTRACTS.md 3.7 (see ./README.md). It passes the same contract suite as the embedded core.
 *
 * - Errors come back as the same `Result` codes the core returns; a network failure, a timeout or a 5xx
 *   without a known code is `CHARGING.UNAVAILABLE`.
 * - Every mutation carries an `Idempotency-Key`: the caller's, or one generated per call. Because of that key,
 *   the client may retry a mutation whose answer was lost (connection reset, 502/503/504) without applying it
 *   twice: the server answers the retry with the first result.
 * - `onEvent` follows `GET /api/v1/events` by long polling while at least one listener is subscribed. Events
 *   caused by calls made after `onEvent` returns are delivered (calls wait for the first cursor); the server's
 *   log is bounded, so a client that was away for longer than the log holds loses the oldest (see README).
 */
import { randomUUID } from 'node:crypto';
import {
  ErrorCodes,
  fail,
  httpStatusOf,
  ok,
  type ChargingError,
  type ErrorCode,
  type Result,
} from '../../charging/errors.js';
import type {
  AddOn,
  Bill,
  Bucket,
  Catalog,
  ChargingEvent,
  CreditLimitRequest,
  LedgerEntry,
  Msisdn,
  Payment,
  PaymentPurpose,
  PurchaseResult,
  Reservation,
  Subscriber,
  SwapQuote,
  SwapResult,
  TopUpResult,
  UsageRequest,
  UsageResult,
} from '../../charging/model.js';
import type { ChargingService, MutationOptions, NewSubscriber } from '../../charging/ports.js';
import type { Logger } from '../../bot/logger.js';

export interface HttpChargingClientOptions {
  /** The server's origin, e.g. `http://charging.internal:3978` (the `/api/v1` prefix is added here). */
  baseUrl: string;
  /** `ADMIN_TOKEN` of the remote core (`CHARGING_TOKEN`). */
  token?: string;
  fetch?: typeof fetch;
  /** Per request (default 10 s). Long polls of the event feed get `eventWaitMs` on top. */
  timeoutMs?: number;
  /** Retries after a lost answer (network error, 502, 503, 504); default 2. Safe thanks to idempotency keys. */
  retries?: number;
  /** How long one event poll waits on the server for something new (default 15 s, at most 30 s). */
  eventWaitMs?: number;
  /** Where to report event-feed trouble (never personal data); silent when absent. */
  logger?: Logger;
}

type Method = 'GET' | 'POST';

interface WireError {
  code?: unknown;
  message?: unknown;
  details?: unknown;
}

interface EventPage {
  events: ChargingEvent[];
  next: string;
  missed: number;
}

const KNOWN_CODES = new Set<string>(Object.keys(httpStatusOf));
const RETRY_STATUSES = new Set([502, 503, 504]);
const isErrorCode = (c: unknown): c is ErrorCode => typeof c === 'string' && KNOWN_CODES.has(c);
const sleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

/** Inverse of the API's `usageResultToWire`: the bucket's fields plus `charged` and `zeroRated`. */
export function usageResultFromWire(wire: Record<string, unknown>): UsageResult {
  const { charged, zeroRated, ...bucket } = wire;
  return {
    bucket: typeof bucket.id === 'string' ? (bucket as unknown as Bucket) : null,
    charged: typeof charged === 'number' ? charged : 0,
    zeroRated: zeroRated === true,
  };
}

/** The remote charging core; see the file comment for its guarantees. */
export class HttpChargingClient implements ChargingService {
  private readonly base: string;
  private readonly doFetch: typeof fetch;
  private readonly timeoutMs: number;
  private readonly retries: number;
  private readonly eventWaitMs: number;

  private readonly listeners = new Set<(event: ChargingEvent) => void>();
  private poller: AbortController | undefined;
  /** While the event feed is starting: resolves once its first cursor is known, so later calls' events count. */
  private feedReady: Promise<void> | undefined;

  constructor(private readonly opts: HttpChargingClientOptions) {
    this.base = `${opts.baseUrl.replace(/\/+$/, '')}/api/v1`;
    this.doFetch = opts.fetch ?? fetch;
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.retries = opts.retries ?? 2;
    this.eventWaitMs = Math.min(opts.eventWaitMs ?? 15_000, 30_000);
  }

  // ---- subscribers and balances

  createSubscriber(input: NewSubscriber, opts?: MutationOptions): Promise<Result<Subscriber>> {
    return this.mutate('/subscribers', input, opts);
  }

  getSubscriber(msisdn: Msisdn): Promise<Result<Subscriber>> {
    return this.request('GET', this.sub(msisdn));
  }

  getCatalog(): Promise<Result<Catalog>> {
    return this.request('GET', '/catalog');
  }

  getLedger(msisdn: Msisdn, query?: { limit?: number }): Promise<Result<LedgerEntry[]>> {
    const q = query?.limit !== undefined ? `?limit=${encodeURIComponent(String(query.limit))}` : '';
    return this.request('GET', `${this.sub(msisdn)}/ledger${q}`);
  }

  // ---- real-time usage

  async chargeUsage(msisdn: Msisdn, usage: UsageRequest, opts?: MutationOptions): Promise<Result<UsageResult>> {
    const r = await this.mutate<Record<string, unknown>>(`${this.sub(msisdn)}/usage`, usage, opts);
    return r.ok ? ok(usageResultFromWire(r.value)) : r;
  }

  reserve(msisdn: Msisdn, usage: UsageRequest, opts?: MutationOptions): Promise<Result<Reservation>> {
    return this.mutate(`${this.sub(msisdn)}/reservations`, usage, opts);
  }

  async commitReservation(
    msisdn: Msisdn,
    reservationId: string,
    used: number,
    opts?: MutationOptions,
  ): Promise<Result<UsageResult>> {
    const path = `${this.sub(msisdn)}/reservations/${encodeURIComponent(reservationId)}/commit`;
    const r = await this.mutate<Record<string, unknown>>(path, { used }, opts);
    return r.ok ? ok(usageResultFromWire(r.value)) : r;
  }

  releaseReservation(msisdn: Msisdn, reservationId: string, opts?: MutationOptions): Promise<Result<Bucket>> {
    return this.mutate(`${this.sub(msisdn)}/reservations/${encodeURIComponent(reservationId)}/release`, {}, opts);
  }

  // ---- session-bundle swaps

  quoteSwap(
    msisdn: Msisdn,
    req: { from: string; to: string; quantity: number },
    opts?: MutationOptions,
  ): Promise<Result<SwapQuote>> {
    return this.mutate(`${this.sub(msisdn)}/swaps`, req, opts);
  }

  confirmSwap(quoteId: string, opts?: MutationOptions): Promise<Result<SwapResult>> {
    return this.mutate(`/swaps/${encodeURIComponent(quoteId)}/confirm`, {}, opts);
  }

  undoSwap(swapId: string, opts?: MutationOptions): Promise<Result<SwapResult>> {
    return this.mutate(`/swaps/${encodeURIComponent(swapId)}/undo`, {}, opts);
  }

  // ---- money

  topUp(msisdn: Msisdn, req: { amount: number }, opts?: MutationOptions): Promise<Result<TopUpResult>> {
    return this.mutate(`${this.sub(msisdn)}/topups`, req, opts);
  }

  buyAddOn(msisdn: Msisdn, req: { productId: string }, opts?: MutationOptions): Promise<Result<PurchaseResult>> {
    return this.mutate(`${this.sub(msisdn)}/purchases`, req, opts);
  }

  grant(
    msisdn: Msisdn,
    req: { amount?: number; app?: string; unit?: string; quantity?: number; reason: string },
    opts?: MutationOptions,
  ): Promise<Result<Subscriber>> {
    return this.mutate(`${this.sub(msisdn)}/grants`, req, opts);
  }

  // ---- bills and payments

  getBills(msisdn: Msisdn): Promise<Result<Bill[]>> {
    return this.request('GET', `${this.sub(msisdn)}/bills`);
  }

  createPayment(
    msisdn: Msisdn,
    req: { purpose: PaymentPurpose; amount?: number; metadata?: Record<string, string> },
    opts?: MutationOptions,
  ): Promise<Result<Payment>> {
    return this.mutate(`${this.sub(msisdn)}/payments`, req, opts);
  }

  getPayment(paymentId: string): Promise<Result<Payment>> {
    return this.request('GET', `/payments/${encodeURIComponent(paymentId)}`);
  }

  settlePayment(paymentId: string, req: { providerRef: string }, opts?: MutationOptions): Promise<Result<Payment>> {
    return this.mutate(`/payments/${encodeURIComponent(paymentId)}/settle`, req, opts);
  }

  failPayment(paymentId: string, req: { reason: string }, opts?: MutationOptions): Promise<Result<Payment>> {
    return this.mutate(`/payments/${encodeURIComponent(paymentId)}/fail`, req, opts);
  }

  // ---- credit limits

  requestCreditLimit(
    msisdn: Msisdn,
    req: { amount: number },
    opts?: MutationOptions,
  ): Promise<Result<CreditLimitRequest>> {
    return this.mutate(`${this.sub(msisdn)}/credit-limit-requests`, req, opts);
  }

  decideCreditLimit(
    requestId: string,
    req: { approve: boolean; decidedBy: string; reason?: string },
    opts?: MutationOptions,
  ): Promise<Result<CreditLimitRequest>> {
    return this.mutate(`/credit-limit-requests/${encodeURIComponent(requestId)}/decision`, req, opts);
  }

  listAddOns(): Promise<Result<AddOn[]>> {
    return this.request('GET', '/catalog/addons');
  }

  /** Asks the remote core to run its time-driven work. A failure is logged, not thrown (only bugs throw). */
  async tick(): Promise<void> {
    const r = await this.mutate('/tick', {}, undefined);
    if (!r.ok) this.opts.logger?.warn('remote charging tick failed', { code: r.error.code });
  }

  // ---- events

  onEvent(listener: (event: ChargingEvent) => void): () => void {
    this.listeners.add(listener);
    if (!this.poller) this.startFeed();
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stopFeed();
    };
  }

  /** Stops the event feed (drops every listener). Nothing else holds resources. */
  close(): void {
    this.listeners.clear();
    this.stopFeed();
  }

  private startFeed(): void {
    const poller = new AbortController();
    this.poller = poller;
    let markReady: () => void = () => {};
    this.feedReady = new Promise<void>((r) => {
      markReady = r;
    });
    const run = async () => {
      let cursor: string | undefined;
      let failures = 0;
      while (!poller.signal.aborted) {
        const q = cursor === undefined ? '' : `?after=${encodeURIComponent(cursor)}&waitMs=${this.eventWaitMs}`;
        const r = await this.once<EventPage>('GET', `/events${q}`, undefined, undefined, {
          signal: poller.signal,
          extraTimeoutMs: this.eventWaitMs,
        });
        if (poller.signal.aborted) break;
        if (!r.ok) {
          // Wait and retry with the same cursor: nothing is skipped while the server is away (up to its log size).
          failures++;
          if (cursor === undefined && failures === 1) markReady();
          this.opts.logger?.warn('charging event feed: poll failed', { code: r.error.code, failures });
          await sleep(Math.min(200 * 2 ** failures, 5_000));
          continue;
        }
        failures = 0;
        if (r.value.missed > 0)
          this.opts.logger?.warn('charging event feed: events missed', { missed: r.value.missed });
        cursor = r.value.next;
        markReady();
        for (const event of r.value.events) {
          for (const l of [...this.listeners]) {
            try {
              l(event);
            } catch (err) {
              this.opts.logger?.error('charging event listener threw', { type: event.type, error: err });
            }
          }
        }
      }
      markReady();
    };
    void run();
  }

  private stopFeed(): void {
    this.poller?.abort();
    this.poller = undefined;
    this.feedReady = undefined;
  }

  // ---- transport

  private sub(msisdn: Msisdn): string {
    return `/subscribers/${encodeURIComponent(msisdn)}`;
  }

  private mutate<T>(path: string, body: unknown, opts: MutationOptions | undefined): Promise<Result<T>> {
    const headers: Record<string, string> = {
      'Idempotency-Key': opts?.idempotencyKey ?? `client-${randomUUID()}`,
    };
    if (opts?.actor) headers['X-Charging-Actor'] = opts.actor;
    return this.request('POST', path, body, headers);
  }

  private async request<T>(
    method: Method,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<Result<T>> {
    // Events caused by this call must reach listeners subscribed before it: wait for the feed's first cursor.
    if (this.feedReady) await this.feedReady;
    let last: Result<T> = fail(ErrorCodes.UNAVAILABLE, 'charging core unreachable');
    for (let attempt = 0; attempt <= this.retries; attempt++) {
      if (attempt > 0) await sleep(50 * 4 ** (attempt - 1));
      const outcome = await this.attempt<T>(method, path, body, headers);
      if (!outcome.retry) return outcome.result;
      last = outcome.result;
    }
    return last;
  }

  private async once<T>(
    method: Method,
    path: string,
    body: unknown,
    headers: Record<string, string> | undefined,
    extra: { signal?: AbortSignal; extraTimeoutMs?: number },
  ): Promise<Result<T>> {
    return (await this.attempt<T>(method, path, body, headers ?? {}, extra)).result;
  }

  private async attempt<T>(
    method: Method,
    path: string,
    body: unknown,
    headers: Record<string, string>,
    extra: { signal?: AbortSignal; extraTimeoutMs?: number } = {},
  ): Promise<{ result: Result<T>; retry: boolean }> {
    const timeout = AbortSignal.timeout(this.timeoutMs + (extra.extraTimeoutMs ?? 0));
    const signal = extra.signal ? AbortSignal.any([timeout, extra.signal]) : timeout;
    let res: Response;
    let text: string;
    try {
      res = await this.doFetch(`${this.base}${path}`, {
        method,
        headers: {
          Accept: 'application/json',
          ...(this.opts.token ? { Authorization: `Bearer ${this.opts.token}` } : {}),
          ...(body !== undefined ? { 'Content-Type': 'application/json' } : {}),
          ...headers,
        },
        ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
        signal,
      });
      text = await res.text();
    } catch (err) {
      const why = timeout.aborted ? 'timed out' : extra.signal?.aborted ? 'cancelled' : 'network error';
      const name = err instanceof Error ? err.name : 'Error';
      return { result: fail(ErrorCodes.UNAVAILABLE, `charging core ${why} (${name})`), retry: why === 'network error' };
    }
    const json = parseJson(text);
    if (res.ok) {
      if (json === undefined) {
        return {
          result: fail(ErrorCodes.UNAVAILABLE, `charging core answered ${res.status} without JSON`),
          retry: false,
        };
      }
      return { result: ok(json as T), retry: false };
    }
    const err = (typeof json === 'object' && json !== null ? json : {}) as WireError;
    if (isErrorCode(err.code)) {
      const error: ChargingError = {
        code: err.code,
        message: typeof err.message === 'string' ? err.message : err.code,
        ...(typeof err.details === 'object' && err.details !== null
          ? { details: err.details as Record<string, unknown> }
          : {}),
      };
      return { result: { ok: false, error }, retry: err.code === ErrorCodes.UNAVAILABLE };
    }
    return {
      result: fail(ErrorCodes.UNAVAILABLE, `charging core answered ${res.status}`),
      retry: RETRY_STATUSES.has(res.status),
    };
  }
}

function parseJson(text: string): unknown {
  if (text === '') return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
