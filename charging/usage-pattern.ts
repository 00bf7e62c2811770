/**
 * The usage pattern proactive care tells about (`usage.pattern` events): at the pace of this period, an
 * allowance runs out before it renews. The same projection as the offers logic (dialogs/offers.dialog.ts
 * `recommend`), kept here because the core raises the event and imports nothing from the dialogs. Pure.
 */
import type { Bucket } from './model.js';

/** Less than this share of the period gone: too early to project from (a few hours of a month). */
const MIN_ELAPSED_FRACTION = 0.03;
/** Only once at least this share of the allowance is used: a heavy first day alone is no pattern. */
const MIN_USED_FRACTION = 0.5;

export interface UsagePattern {
  pattern: 'runningOutEarly';
  /** The bucket the period is measured on (the one ending first); the event is raised once per bucket. */
  bucketId: string;
  remaining: number;
  initial: number;
  /** When the allowance runs out at this pace (ISO-8601 UTC). */
  projectedRunOutAt: string;
  /** When it renews (the end of the measured bucket). */
  endDateTime: string;
}

/** `buckets`: the live buckets of one kind (one app's sessions, or data) after a debit, ending first first. */
export function runningOutEarly(buckets: readonly Bucket[], nowMs: number): UsagePattern | null {
  const first = buckets[0];
  if (!first) return null;
  let remaining = 0;
  let initial = 0;
  for (const b of buckets) {
    remaining += b.remainingValue;
    initial += b.initialValue;
  }
  const used = initial - remaining;
  if (initial <= 0 || remaining <= 0 || used < initial * MIN_USED_FRACTION) return null;
  const start = Date.parse(first.validFor.startDateTime);
  const end = Date.parse(first.validFor.endDateTime);
  if (!(end > nowMs && nowMs > start)) return null;
  const elapsed = (nowMs - start) / (end - start);
  if (elapsed < MIN_ELAPSED_FRACTION) return null;
  const perMs = used / (nowMs - start);
  const runOutMs = nowMs + remaining / perMs;
  if (runOutMs >= end) return null;
  return {
    pattern: 'runningOutEarly',
    bucketId: first.id,
    remaining,
    initial,
    projectedRunOutAt: new Date(Math.floor(runOutMs)).toISOString(),
    endDateTime: first.validFor.endDateTime,
  };
}
