/**
 * Structured JSON logs on stdout. Never log personal data, codes, tokens or card numbers: callers pass
 * safe fields only, and `redact` masks anything that still looks like an MSISDN, a card number or a secret.
 */
export type Level = 'debug' | 'info' | 'warn' | 'error';
const ORDER: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export interface Logger {
  debug(msg: string, fields?: Record<string, unknown>): void;
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
  child(fields: Record<string, unknown>): Logger;
}

const SECRET_KEYS = /token|secret|password|authorization|code|otp|card|pan|cvc|msisdn|phone|wa_id|text|body/i;

/** Masks digit runs long enough to be a phone or card number. */
export function redactText(s: string): string {
  return s.replace(/\+?\d[\d\s-]{6,}\d/g, (m) => `[redacted:${m.replace(/\D/g, '').length}d]`);
}

export function redact(value: unknown, key = ''): unknown {
  if (value === null || value === undefined) return value;
  if (SECRET_KEYS.test(key) && key !== 'code' && typeof value !== 'object') return '[redacted]';
  if (typeof value === 'string') return redactText(value);
  if (Array.isArray(value)) return value.map((v) => redact(v));
  if (value instanceof Error) return { name: value.name, message: redactText(value.message) };
  if (typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) out[k] = redact(v, k);
    return out;
  }
  return value;
}

export function createLogger(
  level: Level = 'info',
  base: Record<string, unknown> = {},
  write: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Logger {
  const emit = (lvl: Level, msg: string, fields?: Record<string, unknown>) => {
    if (ORDER[lvl] < ORDER[level]) return;
    const record = {
      time: new Date().toISOString(),
      level: lvl,
      msg: redactText(msg),
      ...(redact({ ...base, ...fields }) as object),
    };
    write(JSON.stringify(record));
  };
  return {
    debug: (m, f) => emit('debug', m, f),
    info: (m, f) => emit('info', m, f),
    warn: (m, f) => emit('warn', m, f),
    error: (m, f) => emit('error', m, f),
    child: (fields) => createLogger(level, { ...base, ...fields }, write),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = createLogger('error', {}, () => {});
