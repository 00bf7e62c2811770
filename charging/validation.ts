import { ErrorCodes, fail, type Result } from './errors.js';

/** E.164 with the leading '+': a country code not starting with 0, 8 to 15 digits in all. */
const E164 = /^\+[1-9]\d{7,14}$/;

export function checkMsisdn(msisdn: unknown, field = 'msisdn'): Result<string> | null {
  if (typeof msisdn !== 'string' || !E164.test(msisdn)) {
    return fail(ErrorCodes.INVALID_REQUEST, `${field} must be E.164 with a leading + and 8-15 digits`, { field });
  }
  return null;
}

/**
 * Integer amounts and quantities only: money is minor units, units are whole. Rejects NaN, fractions,
 * negatives, and zero unless `allowZero`, naming the field.
 */
export function checkInteger(
  value: unknown,
  field: string,
  opts: { allowZero?: boolean; max?: number } = {},
): Result<never> | null {
  const min = opts.allowZero ? 0 : 1;
  if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < min) {
    return fail(ErrorCodes.INVALID_REQUEST, `${field} must be an integer ${opts.allowZero ? '>= 0' : '> 0'}`, {
      field,
    });
  }
  if (opts.max !== undefined && value > opts.max) {
    return fail(ErrorCodes.INVALID_REQUEST, `${field} must be at most ${opts.max}`, { field, max: opts.max });
  }
  return null;
}

export function checkText(value: unknown, field: string, maxLength = 200): Result<never> | null {
  if (typeof value !== 'string' || value.trim() === '' || value.length > maxLength) {
    return fail(ErrorCodes.INVALID_REQUEST, `${field} must be a non-empty string of at most ${maxLength} characters`, {
      field,
    });
  }
  return null;
}

/** Canonical JSON (sorted keys) so that the same request always has the same fingerprint. */
export function canonical(value: unknown): string {
  if (value === undefined) return 'null';
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const obj = value as Record<string, unknown>;
  return `{${Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort()
    .map((k) => `${JSON.stringify(k)}:${canonical(obj[k])}`)
    .join(',')}}`;
}
