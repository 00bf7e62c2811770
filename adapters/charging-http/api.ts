/**
 * The charging and billing core over HTTP (CONTRACTS.md 3.7), TM Forum-shaped: TMF654 buckets and top-ups,
 * TMF678 customer bills, TMF676 payments, plus swap quotes and their confirmation. Routes and payloads are
 * documented in ./README.md; this file is transport only: check the bearer token, read and type-check the
 * request, call the `ChargingService` port, and write its `Result` as JSON with the status of `httpStatusOf`.
 */
import type { Request, RequestHandler, Response, Server } from 'restify';
import { ErrorCodes, fail, httpStatusOf, ok, type Result } from '../../charging/errors.js';
import type { PaymentPurpose, UsageRequest, UsageResult } from '../../charging/model.js';
import type { ChargingService, MutationOptions } from '../../charging/ports.js';
import { jsonBody, sendJson } from '../../bot/http.js';
import type { Logger } from '../../bot/logger.js';
import { requireBearer } from './bearer-auth.js';
import {
  type Body,
  idFromPath,
  msisdnFromPath,
  oneOf,
  optionalInteger,
  optionalString,
  optionalStringMap,
  requiredBoolean,
  requiredInteger,
  requiredString,
} from './edge-validation.js';
import { ChargingEventLog } from './event-log.js';

export const API_BASE = '/api/v1';
/** Charging requests are small; anything bigger is a mistake or an attack. */
export const MAX_BODY_BYTES = 16 * 1024;
export const IDEMPOTENCY_HEADER = 'idempotency-key';
/** Who the caller acts for, recorded in the ledger ('subscriber', 'agent:U123', ...); default 'api'. */
export const ACTOR_HEADER = 'x-charging-actor';
/** Longest long-poll of `GET /events`, so a forgotten reader cannot hold a connection for ever. */
export const MAX_EVENT_WAIT_MS = 30_000;

export interface ChargingApiDeps {
  charging: ChargingService;
  /** `ADMIN_TOKEN`. Unset: every route answers 401. */
  adminToken?: string;
  logger: Logger;
  /** How many recent events `GET /api/v1/events` keeps for remote readers (default 1000). */
  eventLogCapacity?: number;
}

const USAGE_UNITS = ['session', 'MB', 'minute', 'SMS'] as const;

type Run = (req: Request, opts: MutationOptions, res: Response) => Promise<Result<unknown>>;

/**
 * The wire form of `UsageResult` (usage and reservation commits): CONTRACTS.md says "200 with the bucket after
 * it", so the bucket's own TMF654 fields are the body, plus `charged` and `zeroRated`. A zero-rated charge with
 * no bucket touched is just `{"charged":0,"zeroRated":true}`.
 */
export function usageResultToWire(r: UsageResult): Record<string, unknown> {
  return { ...(r.bucket ?? {}), charged: r.charged, zeroRated: r.zeroRated };
}

/** Mounts every charging route under `/api/v1/` on the one restify server. */
export function registerChargingApi(server: Server, deps: ChargingApiDeps): void {
  const { charging } = deps;
  const logger = deps.logger.child({ component: 'charging-http' });
  const auth = requireBearer(deps.adminToken);
  const body = jsonBody(MAX_BODY_BYTES);
  const events = new ChargingEventLog(deps.eventLogCapacity ?? 1000);
  const unsubscribe = charging.onEvent((e) => events.append(e));
  // restify does not re-emit the http server's 'close'; listen on the http server itself.
  server.server.once('close', () => {
    unsubscribe();
    events.wakeAll();
  });

  /** Runs a use case and writes its result: `status` on success, `httpStatusOf[code]` on failure. */
  const answer =
    (status: number, run: Run, present: (value: unknown) => unknown = (v) => v): RequestHandler =>
    (req, res, next) => {
      const opts = mutationOptions(req);
      const started = opts.ok ? run(req, opts.value, res) : Promise.resolve(opts);
      started.then(
        (result) => {
          if (result.ok) sendJson(res, status, present(result.value));
          else writeError(res, result.error.code, result.error.message, result.error.details);
          logger.debug('charging request', { route: req.getRoute()?.path, status: res.statusCode });
          next();
        },
        (err: unknown) => {
          // A bug in the core or here: never leak its text, always log it.
          logger.error('charging request failed', { route: req.getRoute()?.path, error: err });
          sendJson(res, 500, { code: 'INTERNAL', message: 'internal error' });
          next();
        },
      );
    };

  const withMsisdn = (
    req: Request,
    fn: (msisdn: string, b: Body) => Promise<Result<unknown>> | Result<unknown>,
  ): Promise<Result<unknown>> => {
    const msisdn = msisdnFromPath(req.params.msisdn);
    if (!msisdn.ok) return Promise.resolve(msisdn);
    return Promise.resolve(fn(msisdn.value, bodyOf(req)));
  };

  const withId = (
    req: Request,
    param: string,
    fn: (id: string, b: Body) => Promise<Result<unknown>> | Result<unknown>,
  ): Promise<Result<unknown>> => {
    const id = idFromPath(req.params[param], param);
    if (!id.ok) return Promise.resolve(id);
    return Promise.resolve(fn(id.value, bodyOf(req)));
  };

  const s = `${API_BASE}/subscribers/:msisdn`;

  // ---- catalog (TMF620-ish product offerings, read only)
  server.get(
    `${API_BASE}/catalog`,
    auth,
    answer(200, () => charging.getCatalog()),
  );
  server.get(
    `${API_BASE}/catalog/addons`,
    auth,
    answer(200, () => charging.listAddOns()),
  );

  // ---- subscribers and balances
  server.post(
    `${API_BASE}/subscribers`,
    auth,
    body,
    answer(201, async (req, opts) => {
      const b = bodyOf(req);
      const msisdn = requiredString(b, 'msisdn', 16);
      if (!msisdn.ok) return msisdn;
      if (!/^\+[1-9]\d{7,14}$/.test(msisdn.value)) {
        return fail(ErrorCodes.INVALID_REQUEST, 'msisdn must be E.164 with the leading +, e.g. +15550100009', {
          field: 'msisdn',
        });
      }
      const name = requiredString(b, 'name', 100);
      if (!name.ok) return name;
      const plan = oneOf(b, 'plan', ['prepaid', 'postpaid'] as const);
      if (!plan.ok) return plan;
      const language = optionalString(b, 'language', 35);
      if (!language.ok) return language;
      const timeZone = optionalString(b, 'timeZone', 64);
      if (!timeZone.ok) return timeZone;
      return charging.createSubscriber(
        {
          msisdn: msisdn.value,
          name: name.value,
          plan: plan.value,
          ...(language.value !== undefined ? { language: language.value } : {}),
          ...(timeZone.value !== undefined ? { timeZone: timeZone.value } : {}),
        },
        opts,
      );
    }),
  );
  server.get(
    s,
    auth,
    answer(200, (req) => withMsisdn(req, (msisdn) => charging.getSubscriber(msisdn))),
  );
  server.get(
    `${s}/ledger`,
    auth,
    answer(200, (req) =>
      withMsisdn(req, (msisdn) => {
        const limit = queryInteger(req, 'limit', 1, 1000);
        if (!limit.ok) return limit;
        return charging.getLedger(msisdn, limit.value === undefined ? undefined : { limit: limit.value });
      }),
    ),
  );

  // ---- real-time usage: direct debit, or reserve then commit/release
  server.post(
    `${s}/usage`,
    auth,
    body,
    answer(
      200,
      (req, opts) =>
        withMsisdn(req, (msisdn, b) => {
          const usage = usageRequest(b);
          return usage.ok ? charging.chargeUsage(msisdn, usage.value, opts) : usage;
        }),
      (v) => usageResultToWire(v as UsageResult),
    ),
  );
  server.post(
    `${s}/reservations`,
    auth,
    body,
    answer(201, (req, opts) =>
      withMsisdn(req, (msisdn, b) => {
        const usage = usageRequest(b);
        return usage.ok ? charging.reserve(msisdn, usage.value, opts) : usage;
      }),
    ),
  );
  server.post(
    `${s}/reservations/:reservationId/commit`,
    auth,
    body,
    answer(
      200,
      (req, opts) =>
        withMsisdn(req, (msisdn, b) => {
          const id = idFromPath(req.params.reservationId, 'reservationId');
          if (!id.ok) return id;
          const used = requiredInteger(b, 'used', 0);
          if (!used.ok) return used;
          return charging.commitReservation(msisdn, id.value, used.value, opts);
        }),
      (v) => usageResultToWire(v as UsageResult),
    ),
  );
  server.post(
    `${s}/reservations/:reservationId/release`,
    auth,
    body,
    answer(200, (req, opts) =>
      withMsisdn(req, (msisdn) => {
        const id = idFromPath(req.params.reservationId, 'reservationId');
        return id.ok ? charging.releaseReservation(msisdn, id.value, opts) : id;
      }),
    ),
  );

  // ---- money: top-ups (TMF654), add-on purchases, goodwill grants
  server.post(
    `${s}/topups`,
    auth,
    body,
    answer(201, (req, opts) =>
      withMsisdn(req, (msisdn, b) => {
        const amount = requiredInteger(b, 'amount', 1);
        return amount.ok ? charging.topUp(msisdn, { amount: amount.value }, opts) : amount;
      }),
    ),
  );
  server.post(
    `${s}/purchases`,
    auth,
    body,
    answer(201, (req, opts) =>
      withMsisdn(req, (msisdn, b) => {
        const productId = requiredString(b, 'productId', 100);
        return productId.ok ? charging.buyAddOn(msisdn, { productId: productId.value }, opts) : productId;
      }),
    ),
  );
  server.post(
    `${s}/grants`,
    auth,
    body,
    answer(200, (req, opts) =>
      withMsisdn(req, (msisdn, b) => {
        const amount = optionalInteger(b, 'amount', 1);
        if (!amount.ok) return amount;
        const app = optionalString(b, 'app', 50);
        if (!app.ok) return app;
        const unit = optionalString(b, 'unit', 20);
        if (!unit.ok) return unit;
        const quantity = optionalInteger(b, 'quantity', 1);
        if (!quantity.ok) return quantity;
        const reason = requiredString(b, 'reason', 500);
        if (!reason.ok) return reason;
        return charging.grant(
          msisdn,
          {
            reason: reason.value,
            ...(amount.value !== undefined ? { amount: amount.value } : {}),
            ...(app.value !== undefined ? { app: app.value } : {}),
            ...(unit.value !== undefined ? { unit: unit.value } : {}),
            ...(quantity.value !== undefined ? { quantity: quantity.value } : {}),
          },
          opts,
        );
      }),
    ),
  );

  // ---- session-bundle swaps: quote (201), confirm once, undo within the window
  server.post(
    `${s}/swaps`,
    auth,
    body,
    answer(201, (req, opts) =>
      withMsisdn(req, (msisdn, b) => {
        const from = requiredString(b, 'from', 50);
        if (!from.ok) return from;
        const to = requiredString(b, 'to', 50);
        if (!to.ok) return to;
        const quantity = requiredInteger(b, 'quantity', 1);
        if (!quantity.ok) return quantity;
        return charging.quoteSwap(msisdn, { from: from.value, to: to.value, quantity: quantity.value }, opts);
      }),
    ),
  );
  server.post(
    `${API_BASE}/swaps/:quoteId/confirm`,
    auth,
    body,
    answer(200, (req, opts) => withId(req, 'quoteId', (id) => charging.confirmSwap(id, opts))),
  );
  server.post(
    `${API_BASE}/swaps/:swapId/undo`,
    auth,
    body,
    answer(200, (req, opts) => withId(req, 'swapId', (id) => charging.undoSwap(id, opts))),
  );

  // ---- bills (TMF678) and payments (TMF676)
  server.get(
    `${s}/bills`,
    auth,
    answer(200, (req) => withMsisdn(req, (msisdn) => charging.getBills(msisdn))),
  );
  server.post(
    `${s}/payments`,
    auth,
    body,
    answer(201, (req, opts) =>
      withMsisdn(req, (msisdn, b) => {
        const purpose = paymentPurpose(b);
        if (!purpose.ok) return purpose;
        const amount = optionalInteger(b, 'amount', 1);
        if (!amount.ok) return amount;
        const metadata = optionalStringMap(b, 'metadata');
        if (!metadata.ok) return metadata;
        return charging.createPayment(
          msisdn,
          {
            purpose: purpose.value,
            ...(amount.value !== undefined ? { amount: amount.value } : {}),
            ...(metadata.value !== undefined ? { metadata: metadata.value } : {}),
          },
          opts,
        );
      }),
    ),
  );
  server.get(
    `${API_BASE}/payments/:paymentId`,
    auth,
    answer(200, (req) => withId(req, 'paymentId', (id) => charging.getPayment(id))),
  );
  server.post(
    `${API_BASE}/payments/:paymentId/settle`,
    auth,
    body,
    answer(200, (req, opts) =>
      withId(req, 'paymentId', (id, b) => {
        const providerRef = requiredString(b, 'providerRef', 200);
        return providerRef.ok ? charging.settlePayment(id, { providerRef: providerRef.value }, opts) : providerRef;
      }),
    ),
  );
  server.post(
    `${API_BASE}/payments/:paymentId/fail`,
    auth,
    body,
    answer(200, (req, opts) =>
      withId(req, 'paymentId', (id, b) => {
        const reason = requiredString(b, 'reason', 500);
        return reason.ok ? charging.failPayment(id, { reason: reason.value }, opts) : reason;
      }),
    ),
  );

  // ---- credit limits (postpaid)
  server.post(
    `${s}/credit-limit-requests`,
    auth,
    body,
    answer(201, (req, opts) =>
      withMsisdn(req, (msisdn, b) => {
        const amount = requiredInteger(b, 'amount', 1);
        return amount.ok ? charging.requestCreditLimit(msisdn, { amount: amount.value }, opts) : amount;
      }),
    ),
  );
  server.post(
    `${API_BASE}/credit-limit-requests/:requestId/decision`,
    auth,
    body,
    answer(200, (req, opts) =>
      withId(req, 'requestId', (id, b) => {
        const approve = requiredBoolean(b, 'approve');
        if (!approve.ok) return approve;
        const decidedBy = requiredString(b, 'decidedBy', 100);
        if (!decidedBy.ok) return decidedBy;
        const reason = optionalString(b, 'reason', 500);
        if (!reason.ok) return reason;
        return charging.decideCreditLimit(
          id,
          {
            approve: approve.value,
            decidedBy: decidedBy.value,
            ...(reason.value !== undefined ? { reason: reason.value } : {}),
          },
          opts,
        );
      }),
    ),
  );

  // ---- time-driven work (expiry, due-soon events): for an operator's scheduler or a remote bot's tick
  server.post(
    `${API_BASE}/tick`,
    auth,
    body,
    answer(200, async () => {
      await charging.tick();
      return ok({ status: 'done' });
    }),
  );

  // ---- events, for remote readers: a bounded log with cursors and long polling (see event-log.ts)
  server.get(
    `${API_BASE}/events`,
    auth,
    answer(200, async (req, _opts, res) => {
      const after = queryString(req, 'after');
      if (after === undefined) return ok({ events: [], next: events.head(), missed: 0 });
      const limit = queryInteger(req, 'limit', 1, 1000);
      if (!limit.ok) return limit;
      const waitMs = queryInteger(req, 'waitMs', 0, MAX_EVENT_WAIT_MS);
      if (!waitMs.ok) return waitMs;
      const gone = new Promise<void>((resolve) => res.once('close', () => resolve()));
      return ok(await events.read(after, limit.value ?? 100, waitMs.value ?? 0, gone));
    }),
  );
}

function bodyOf(req: Request): Body {
  const b: unknown = req.body;
  return typeof b === 'object' && b !== null && !Array.isArray(b) ? (b as Body) : {};
}

function writeError(res: Response, code: string, message: string, details?: Record<string, unknown>): void {
  const status = (httpStatusOf as Record<string, number>)[code] ?? 500;
  sendJson(res, status, { code, message, ...(details ? { details } : {}) });
}

/** `Idempotency-Key` (printable ASCII, at most 200 characters) and the optional actor header. */
function mutationOptions(req: Request): Result<MutationOptions> {
  const key = req.headers[IDEMPOTENCY_HEADER];
  const actor = req.headers[ACTOR_HEADER];
  if (Array.isArray(key) || (key !== undefined && !/^[\x21-\x7e]{1,200}$/.test(key))) {
    return fail(ErrorCodes.INVALID_REQUEST, 'Idempotency-Key must be 1 to 200 printable ASCII characters', {
      field: 'Idempotency-Key',
    });
  }
  if (Array.isArray(actor) || (actor !== undefined && !/^[A-Za-z0-9:._@-]{1,100}$/.test(actor))) {
    return fail(ErrorCodes.INVALID_REQUEST, 'X-Charging-Actor must be a short identifier such as agent:U123', {
      field: 'X-Charging-Actor',
    });
  }
  return ok({ ...(key !== undefined ? { idempotencyKey: key } : {}), actor: actor ?? 'api' });
}

function usageRequest(b: Body): Result<UsageRequest> {
  const app = optionalString(b, 'app', 50);
  if (!app.ok) return app;
  const unitText = optionalString(b, 'unit', 20);
  if (!unitText.ok) return unitText;
  const unit = USAGE_UNITS.find((u) => u === unitText.value);
  if (unitText.value !== undefined && unit === undefined) {
    return fail(ErrorCodes.UNKNOWN_UNIT, `unit must be one of ${USAGE_UNITS.join(', ')}`, { field: 'unit' });
  }
  const quantity = requiredInteger(b, 'quantity', 1);
  if (!quantity.ok) return quantity;
  return ok({
    quantity: quantity.value,
    ...(app.value !== undefined ? { app: app.value } : {}),
    ...(unit !== undefined ? { unit } : {}),
  });
}

function paymentPurpose(b: Body): Result<PaymentPurpose> {
  const p = b.purpose;
  if (typeof p !== 'object' || p === null || Array.isArray(p)) {
    return fail(ErrorCodes.INVALID_REQUEST, 'purpose is required: {"type":"topup"} or {"type":"bill","billId":"..."}', {
      field: 'purpose',
    });
  }
  const purpose = p as Body;
  const type = oneOf(purpose, 'type', ['bill', 'topup'] as const);
  if (!type.ok)
    return fail(ErrorCodes.INVALID_REQUEST, 'purpose.type must be bill or topup', { field: 'purpose.type' });
  if (type.value === 'topup') return ok({ type: 'topup' });
  const billId = requiredString(purpose, 'billId', 200);
  if (!billId.ok) return fail(ErrorCodes.INVALID_REQUEST, 'purpose.billId is required', { field: 'purpose.billId' });
  return ok({ type: 'bill', billId: billId.value });
}

function queryString(req: Request, name: string): string | undefined {
  const q: unknown = req.query;
  if (typeof q !== 'object' || q === null) return undefined;
  const v = (q as Record<string, unknown>)[name];
  return typeof v === 'string' ? v : undefined;
}

function queryInteger(req: Request, name: string, min: number, max: number): Result<number | undefined> {
  const raw = queryString(req, name);
  if (raw === undefined) return ok(undefined);
  const n = /^\d{1,9}$/.test(raw) ? Number(raw) : Number.NaN;
  if (!Number.isSafeInteger(n) || n < min || n > max) {
    return fail(ErrorCodes.INVALID_REQUEST, `${name} must be an integer from ${min} to ${max}`, { field: name });
  }
  return ok(n);
}
