/**
 * Type checks at the HTTP edge: JSON gives us `unknown`, the core wants strings and integers. Every failure is
 * `REQUEST.INVALID` naming the field (in the message and in `details.field`), so an integrator sees at once
 * which field to fix. Business rules (is this app in the catalog, is there enough left) stay in the core.
 */
import { ErrorCodes, fail, ok, type Result } from '../../charging/errors.js';

export type Body = Record<string, unknown>;

const invalid = <T>(field: string, message: string): Result<T> =>
  fail<T>(ErrorCodes.INVALID_REQUEST, `${field} ${message}`, { field });

export function requiredString(body: Body, field: string, maxLength = 200): Result<string> {
  const v = body[field];
  if (typeof v !== 'string' || v.trim() === '') return invalid(field, 'is required and must be a non-empty string');
  if (v.length > maxLength) return invalid(field, `must be at most ${maxLength} characters`);
  return ok(v);
}

export function optionalString(body: Body, field: string, maxLength = 200): Result<string | undefined> {
  if (body[field] === undefined || body[field] === null) return ok(undefined);
  return requiredString(body, field, maxLength);
}

/** An integer of at least `min` (JSON numbers only: `"10"` and `10.5` are refused, not coerced). */
export function requiredInteger(body: Body, field: string, min: number): Result<number> {
  const v = body[field];
  if (typeof v !== 'number' || !Number.isSafeInteger(v)) return invalid(field, 'is required and must be an integer');
  if (v < min) return invalid(field, `must be at least ${min}`);
  return ok(v);
}

export function optionalInteger(body: Body, field: string, min: number): Result<number | undefined> {
  if (body[field] === undefined || body[field] === null) return ok(undefined);
  return requiredInteger(body, field, min);
}

export function requiredBoolean(body: Body, field: string): Result<boolean> {
  const v = body[field];
  if (typeof v !== 'boolean') return invalid(field, 'is required and must be true or false');
  return ok(v);
}

export function oneOf<T extends string>(body: Body, field: string, allowed: readonly T[]): Result<T> {
  const v = body[field];
  if (typeof v !== 'string' || !(allowed as readonly string[]).includes(v)) {
    return invalid(field, `must be one of ${allowed.join(', ')}`);
  }
  return ok(v as T);
}

/** A flat map of short strings (payment metadata): never nested, never huge. */
export function optionalStringMap(body: Body, field: string): Result<Record<string, string> | undefined> {
  const v = body[field];
  if (v === undefined || v === null) return ok(undefined);
  if (typeof v !== 'object' || Array.isArray(v)) return invalid(field, 'must be an object of strings');
  const entries = Object.entries(v as Record<string, unknown>);
  if (entries.length > 20) return invalid(field, 'must have at most 20 entries');
  const out: Record<string, string> = {};
  for (const [k, val] of entries) {
    if (typeof val !== 'string' || k.length > 64 || val.length > 500) {
      return invalid(field, 'must map short keys to strings of at most 500 characters');
    }
    out[k] = val;
  }
  return ok(out);
}

/**
 * The MSISDN in a URL path. Accepted: E.164 with the '+' (`+15550100001`, sent raw or as `%2B15550100001`)
 * and, because WhatsApp's `wa_id` and many operator systems drop it, the same digits without the '+'.
 * Either way the core sees `+15550100001`.
 */
export function msisdnFromPath(raw: string | undefined): Result<string> {
  const v = (raw ?? '').trim();
  if (!/^\+?[1-9]\d{7,14}$/.test(v)) return invalid('msisdn', 'must be an E.164 number such as +15550100001');
  return ok(v.startsWith('+') ? v : `+${v}`);
}

/**
 * Ids in paths (quote, swap, payment, reservation, credit-limit request) are the core's own opaque strings:
 * passed through as they are, so an unknown id gets the core's own "not found" code. Only absurd lengths stop here.
 */
export function idFromPath(raw: string | undefined, field: string): Result<string> {
  const v = raw ?? '';
  if (v.length === 0 || v.length > 200) return invalid(field, 'is not a valid id');
  return ok(v);
}
