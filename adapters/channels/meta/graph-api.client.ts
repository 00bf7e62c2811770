/**
 * A small client for Meta's Graph API `POST` calls (WhatsApp Cloud API and Messenger Send API).
 * Failures are values: `{ ok: false, code, ... }`. Retries only where a retry cannot duplicate a message:
 * - Meta answered with an error it documents as transient (5xx, 1/2 API unknown/service, 4/80007 app or
 *   account rate limit, 130429 throughput, 131000 something went wrong, 131016 service unavailable,
 *   131056 pair rate limit, 133004 server unavailable): Meta did not send it, so sending again is safe;
 * - the connection was refused or the name did not resolve: the request never left;
 * never after an ambiguous outcome (timeout, connection reset after the request was written), because the
 * message may have been sent.
 */
import type { Logger } from '../../../bot/logger.js';

/** Meta's error body: `{ "error": { "message", "type", "code", "error_subcode", "fbtrace_id" } }`. */
export interface GraphErrorBody {
  message?: string;
  type?: string;
  code?: number;
  error_subcode?: number;
  error_data?: { details?: string };
  fbtrace_id?: string;
}

export type GraphResult<T> =
  | { ok: true; status: number; body: T }
  | {
      ok: false;
      /** `GRAPH.ERROR` (Meta answered with an error), `GRAPH.NETWORK` (never sent), `GRAPH.AMBIGUOUS` (may have been sent). */
      code: 'GRAPH.ERROR' | 'GRAPH.NETWORK' | 'GRAPH.AMBIGUOUS';
      status?: number;
      graphCode?: number;
      subcode?: number;
      attempts: number;
    };

const RETRYABLE_CODES = new Set([1, 2, 4, 80007, 130429, 131000, 131016, 131056, 133004]);
const NEVER_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'UND_ERR_CONNECT_TIMEOUT', 'ENETUNREACH']);

export interface GraphApiClientOptions {
  baseUrl: string;
  logger: Logger;
  /** Waits between attempts (ms); its length is the number of retries. Default 0.5 s, 1 s, 2 s, 4 s. */
  retryDelaysMs?: readonly number[];
  /** Per-attempt timeout; after it the outcome is ambiguous and not retried. */
  timeoutMs?: number;
  sleep?: (ms: number) => Promise<void>;
}

const defaultSleep = (ms: number) => new Promise<void>((r) => setTimeout(r, ms));

function causeCode(err: unknown): string | undefined {
  const cause = (err as { cause?: { code?: unknown } }).cause;
  return typeof cause?.code === 'string' ? cause.code : undefined;
}

export class GraphApiClient {
  private readonly delays: readonly number[];
  private readonly sleep: (ms: number) => Promise<void>;

  constructor(private readonly opts: GraphApiClientOptions) {
    this.delays = opts.retryDelaysMs ?? [500, 1000, 2000, 4000];
    this.sleep = opts.sleep ?? defaultSleep;
  }

  /** POSTs `body` as JSON to `{baseUrl}/{path}` with the bearer token. `retry: false` for best-effort calls. */
  async post<T>(path: string, token: string, body: unknown, retry = true): Promise<GraphResult<T>> {
    const url = `${this.opts.baseUrl}/${path.replace(/^\/+/, '')}`;
    const payload = JSON.stringify(body);
    for (let attempt = 1; ; attempt++) {
      let failure: Extract<GraphResult<T>, { ok: false }>;
      let retryAfterMs: number | undefined;
      try {
        const res = await fetch(url, {
          method: 'POST',
          headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
          body: payload,
          signal: AbortSignal.timeout(this.opts.timeoutMs ?? 15000),
        });
        const text = await res.text();
        let parsed: unknown;
        try {
          parsed = text ? JSON.parse(text) : {};
        } catch {
          parsed = {};
        }
        if (res.ok) return { ok: true, status: res.status, body: parsed as T };
        const error = ((parsed as { error?: GraphErrorBody }).error ?? {}) as GraphErrorBody;
        failure = {
          ok: false,
          code: 'GRAPH.ERROR',
          status: res.status,
          graphCode: error.code,
          subcode: error.error_subcode,
          attempts: attempt,
        };
        const after = Number(res.headers.get('retry-after'));
        if (Number.isFinite(after) && after > 0) retryAfterMs = Math.min(after * 1000, 30000);
        const transient = res.status >= 500 || (error.code !== undefined && RETRYABLE_CODES.has(error.code));
        if (!transient || !retry || attempt > this.delays.length) {
          this.log(path, failure);
          return failure;
        }
      } catch (err) {
        const code = causeCode(err);
        const neverSent = code !== undefined && NEVER_SENT.has(code);
        failure = { ok: false, code: neverSent ? 'GRAPH.NETWORK' : 'GRAPH.AMBIGUOUS', attempts: attempt };
        if (!neverSent || !retry || attempt > this.delays.length) {
          this.opts.logger.warn('graph api call failed', {
            path: safePath(path),
            outcome: failure.code,
            attempts: attempt,
            cause: code,
          });
          return failure;
        }
      }
      const base = this.delays[attempt - 1];
      // Full jitter around the base delay so 200 throttled senders do not retry in lockstep.
      await this.sleep(retryAfterMs ?? Math.round(base / 2 + Math.random() * (base / 2)));
    }
  }

  private log(path: string, f: Extract<GraphResult<unknown>, { ok: false }>): void {
    this.opts.logger.warn('graph api error', {
      path: safePath(path),
      status: f.status,
      code: f.graphCode,
      subcode: f.subcode,
      attempts: f.attempts,
    });
  }
}

/** The path without ids that could identify a person (PSIDs never appear in paths, phone number ids may). */
function safePath(path: string): string {
  return path.replace(/\d{5,}/g, ':id');
}
