import type { Bucket, BundleSpec, Subscriber, Unit } from './model.js';

export const DAY_MS = 86_400_000;

export function isLive(b: Bucket, now: number): boolean {
  return Date.parse(b.validFor.startDateTime) <= now && now < Date.parse(b.validFor.endDateTime);
}

/** Live buckets of one app's sessions or of one unit, those ending first first (they are used first). */
export function bucketsFor(sub: Subscriber, target: { app?: string; unit?: Unit }, now: number): Bucket[] {
  return sub.buckets
    .filter((b) =>
      target.app !== undefined ? b.unit === 'session' && b.app === target.app : b.unit === target.unit && !b.app,
    )
    .filter((b) => isLive(b, now))
    .sort((a, b) => Date.parse(a.validFor.endDateTime) - Date.parse(b.validFor.endDateTime));
}

export function total(buckets: Bucket[]): number {
  let sum = 0;
  for (const b of buckets) sum += b.remainingValue;
  return sum;
}

export function newBucket(id: string, spec: BundleSpec, now: Date, productId?: string): Bucket {
  return {
    id,
    name: spec.name,
    unit: spec.unit,
    ...(spec.app ? { app: spec.app } : {}),
    remainingValue: spec.quantity,
    initialValue: spec.quantity,
    validFor: {
      startDateTime: now.toISOString(),
      endDateTime: new Date(now.getTime() + spec.validityDays * DAY_MS).toISOString(),
    },
    ...(productId ? { productId } : {}),
  };
}

/**
 * Whether a remaining allowance counts as low: at most 10% of what the live buckets started with (at least 1),
 * but not empty (empty is "depleted").
 */
export function lowThreshold(buckets: Bucket[]): number {
  let initial = 0;
  for (const b of buckets) initial += b.initialValue;
  return Math.max(1, Math.ceil(initial * 0.1));
}
