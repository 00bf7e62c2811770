/**
 * The embedded core's data for the turns bench: `count` prepaid subscribers (+1777NNNNNNN, Facebook and YouTube
 * sessions, data, credit) in `<dataDir>/charging`, the directory composeApp opens.
 *
 * The charging bench's seed writes the store's files directly (seconds for 100,000). The store's file format is
 * owned by another part of the project and may change before that seed follows; so the result is checked by
 * opening the store, and if it cannot be read the same subscribers are imported through the core instead
 * (`importSubscriber`, much slower, but always in step with the store).
 */
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import { createChargingCore } from '../../charging/core.js';
import type { Bucket, Subscriber } from '../../charging/model.js';
import { msisdnOf, seed } from '../charging/charging.bench.js';

export { msisdnOf };

export interface PreparedSubscribers {
  /** Subscribers in the store (fewer than asked when only the slow import path works; see `importCap`). */
  count: number;
  requested: number;
  method: 'files' | 'import';
  seconds: number;
}

function benchSubscriber(i: number, now: Date): Subscriber {
  const start = now.toISOString();
  const end = new Date(now.getTime() + 30 * 86_400_000).toISOString();
  const bucket = (id: string, name: string, unit: Bucket['unit'], q: number, app?: string): Bucket => ({
    id: `${i}-${id}`,
    name,
    unit,
    ...(app ? { app } : {}),
    remainingValue: q,
    initialValue: q,
    validFor: { startDateTime: start, endDateTime: end },
  });
  return {
    msisdn: msisdnOf(i),
    name: `Bench ${i}`,
    plan: 'prepaid',
    language: 'en',
    createdAt: start,
    account: { balance: { amount: 500, currency: 'USD' } },
    buckets: [
      bucket('fb', 'Facebook 100 sessions', 'session', 100_000, 'facebook'),
      bucket('yt', 'YouTube 10 sessions', 'session', 100_000, 'youtube'),
      bucket('mb', 'Data 2 GB', 'MB', 1_000_000),
    ],
    bills: [],
    payments: [],
    creditLimitRequests: [],
  };
}

/** Opens the store the way composeApp does and checks that the first and last subscribers are there. */
async function readable(dir: string, count: number): Promise<boolean> {
  let core: ReturnType<typeof createChargingCore> | undefined;
  try {
    core = createChargingCore({ store: createLowdbChargingStore({ dir }) });
    await core.ready();
    const first = await core.getSubscriber(msisdnOf(0));
    const last = await core.getSubscriber(msisdnOf(count - 1));
    return first.ok && last.ok && (await core.subscriberCount()) >= count;
  } catch {
    return false;
  } finally {
    await core?.close().catch(() => undefined);
  }
}

async function importAll(dir: string, count: number, now: Date): Promise<void> {
  const core = createChargingCore({ store: createLowdbChargingStore({ dir }) });
  await core.ready();
  let next = 0;
  // Many imports in flight let the store group them into few writes.
  const worker = async () => {
    for (let i = next++; i < count; i = next++) {
      const r = await core.importSubscriber(benchSubscriber(i, now), { idempotencyKey: `bench:${i}`, actor: 'system' });
      if (!r.ok && r.error.code !== 'SUBSCRIBER.ALREADY_EXISTS') throw new Error(`import failed: ${r.error.code}`);
    }
  };
  await Promise.all(Array.from({ length: 256 }, worker));
  await core.close();
}

/**
 * Seeds `count` subscribers into `<dataDir>/charging`. If the fast file seed cannot be read by the current store,
 * imports through the core instead, at most `importCap` of them (the import runs at a few hundred per second).
 */
export async function prepareSubscribers(
  dataDir: string,
  count: number,
  importCap = 5000,
): Promise<PreparedSubscribers> {
  const dir = join(dataDir, 'charging');
  const started = performance.now();
  const now = new Date();
  rmSync(dir, { recursive: true, force: true });
  try {
    seed(dir, count, 1024, now);
    if (await readable(dir, count)) {
      return { count, requested: count, method: 'files', seconds: (performance.now() - started) / 1000 };
    }
  } catch {
    // Fall through to the import.
  }
  rmSync(dir, { recursive: true, force: true });
  const imported = Math.min(count, importCap);
  await importAll(dir, imported, now);
  return { count: imported, requested: count, method: 'import', seconds: (performance.now() - started) / 1000 };
}
