/** Median, min and max of several runs, and flattening of a bench's figures into `a.b.c` keys. */

export interface Spread {
  median: number;
  min: number;
  max: number;
  runs: number;
}

export function spread(values: readonly number[]): Spread {
  const finite = values.filter((v) => Number.isFinite(v)).sort((a, b) => a - b);
  if (finite.length === 0) return { median: Number.NaN, min: Number.NaN, max: Number.NaN, runs: values.length };
  const mid = Math.floor(finite.length / 2);
  const median =
    finite.length % 2 ? (finite[mid] as number) : ((finite[mid - 1] as number) + (finite[mid] as number)) / 2;
  return { median, min: finite[0] as number, max: finite.at(-1) as number, runs: values.length };
}

/** `{a: {b: 1}, c: 'x'}` -> `{'a.b': 1, c: 'x'}`; arrays are skipped (runs are aggregated by the caller). */
export function flatten(
  value: unknown,
  prefix = '',
  out: Record<string, number | string> = {},
): Record<string, number | string> {
  if (typeof value === 'number' || typeof value === 'string') {
    out[prefix] = value;
  } else if (typeof value === 'boolean') {
    out[prefix] = String(value);
  } else if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [k, v] of Object.entries(value)) flatten(v, prefix ? `${prefix}.${k}` : k, out);
  }
  return out;
}

/** Per key: the spread of numeric figures over runs; the last value of text figures. */
export function aggregateRuns(runs: readonly unknown[]): Record<string, Spread | string> {
  const flat = runs.map((r) => flatten(r));
  const keys = [...new Set(flat.flatMap((f) => Object.keys(f)))];
  const out: Record<string, Spread | string> = {};
  for (const key of keys) {
    const values = flat.map((f) => f[key]).filter((v) => v !== undefined);
    if (values.every((v) => typeof v === 'number')) out[key] = spread(values as number[]);
    else out[key] = String(values.at(-1));
  }
  return out;
}

/** `12.3 (10.1 - 14.0)`, or just the value for one run. */
export function fmt(s: Spread | undefined, digits = 1): string {
  if (!s || !Number.isFinite(s.median)) return 'n/a';
  const f = (n: number) => (Math.abs(n) >= 100 ? Math.round(n).toString() : n.toFixed(digits));
  return s.runs > 1 && s.min !== s.max ? `${f(s.median)} (${f(s.min)} - ${f(s.max)})` : f(s.median);
}
