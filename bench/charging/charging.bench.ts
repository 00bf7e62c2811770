/**
 * Charging core on the lowdb store with many subscribers: mutations per second, p50/p99 latency, the longest
 * event-loop stall and peak RSS. Run alone: `npx tsx bench/charging/charging.bench.ts` (prints JSON).
 * Targets (issue 2): >= 2,000 mutations/s, p99 < 20 ms, no stall > 10 ms, < 300 MB.
 *
 * Also reported: `loadMs` (store load plus the core's index, i.e. what a start with this many subscribers
 * waits for; issue 9), memory right after load, the JS heap and off-heap memory at the RSS peak, and the
 * longest GC pause (to tell the collector's share of the longest stall).
 */
import { execFileSync } from 'node:child_process';
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, PerformanceObserver, performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import { writeChargingStoreDir } from '../../adapters/store/lowdb/charging-store-seed.js';
import { chargingRecordDigest, createChargingCore } from '../../charging/core.js';
import type { Bucket, LedgerEntry } from '../../charging/model.js';
import type { AccountRecord } from '../../charging/store.js';

export interface BenchOptions {
  subscribers?: number;
  shards?: number;
  durationMs?: number;
  /** Mutations in flight at once (callers waiting for their acknowledgement). */
  concurrency?: number;
  dir?: string;
}

export function msisdnOf(i: number): string {
  return `+1777${String(i).padStart(7, '0')}`;
}

/** Writes the store's files directly (its own format), far faster than 100,000 API calls. */
export function seed(dir: string, subscribers: number, shards: number, now: Date): void {
  const start = now.toISOString();
  const end = new Date(now.getTime() + 30 * 86_400_000).toISOString();
  function* records(): Generator<AccountRecord> {
    for (let i = 0; i < subscribers; i++) {
      const msisdn = msisdnOf(i);
      const b = (id: string, name: string, unit: Bucket['unit'], q: number, app?: string): Bucket => ({
        id: `${i}-${id}`,
        name,
        unit,
        ...(app ? { app } : {}),
        remainingValue: q,
        initialValue: q,
        validFor: { startDateTime: start, endDateTime: end },
      });
      const buckets = [
        b('fb', 'Facebook 100 sessions', 'session', 100000, 'facebook'),
        b('yt', 'YouTube 10 sessions', 'session', 100000, 'youtube'),
        b('mb', 'Data 2 GB', 'MB', 1000000),
      ];
      const ledger: LedgerEntry[] = [
        {
          id: `${i}-o0`,
          msisdn,
          at: start,
          reason: 'opening',
          target: 'account',
          unit: 'money',
          delta: 500,
          after: 500,
        },
        ...buckets.map((x, k) => ({
          id: `${i}-o${k + 1}`,
          msisdn,
          at: start,
          reason: 'opening',
          target: x.id,
          unit: x.unit,
          delta: x.remainingValue,
          after: x.remainingValue,
        })),
      ];
      yield {
        subscriber: {
          msisdn,
          name: `Bench ${i}`,
          plan: 'prepaid',
          language: 'en',
          createdAt: start,
          account: { balance: { amount: 500, currency: 'USD' } },
          buckets,
          bills: [],
          payments: [],
          creditLimitRequests: [],
        },
        quotes: [],
        swaps: [],
        reservations: [],
        idempotency: {},
        ledger,
        notified: {},
      };
    }
  }
  writeChargingStoreDir(dir, records(), { shards, digest: (r) => chargingRecordDigest(r, now.getTime()) });
}

const mb = (bytes: number) => Math.round(bytes / 1024 / 1024);

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

export async function run(opts: BenchOptions = {}): Promise<Record<string, number | string>> {
  const subscribers = opts.subscribers ?? 100_000;
  const shards = opts.shards ?? 1024;
  const durationMs = opts.durationMs ?? 10_000;
  const concurrency = opts.concurrency ?? 32;
  const dir = opts.dir ?? join(tmpdir(), `charging-bench-${process.pid}`);
  rmSync(dir, { recursive: true, force: true });
  const t0 = performance.now();
  // In a child process, so that the seed's memory does not count in this process's peak RSS.
  execFileSync(
    process.execPath,
    ['--import', 'tsx', fileURLToPath(import.meta.url), '--seed', dir, String(subscribers), String(shards)],
    {
      stdio: 'inherit',
    },
  );
  const seedMs = performance.now() - t0;

  const t1 = performance.now();
  const core = createChargingCore({ store: createLowdbChargingStore({ dir, shards }) });
  await core.ready();
  const loadMs = performance.now() - t1;
  globalThis.gc?.();

  const afterLoad = process.memoryUsage();
  let peak = afterLoad;
  const rssTimer = setInterval(() => {
    const m = process.memoryUsage();
    if (m.rss > peak.rss) peak = m;
  }, 50);
  // GC pauses apart from other stalls: which of the longest stall is the collector's.
  let longestGc = 0;
  const gcObserver = new PerformanceObserver((list) => {
    for (const e of list.getEntries()) longestGc = Math.max(longestGc, e.duration);
  });
  gcObserver.observe({ entryTypes: ['gc'] });
  const loop = monitorEventLoopDelay({ resolution: 1 });
  loop.enable();

  const latencies: number[] = [];
  let done = 0;
  let failed = 0;
  let seq = 0;
  const deadline = performance.now() + durationMs;
  const started = performance.now();

  async function worker(w: number): Promise<void> {
    while (performance.now() < deadline) {
      const i = Math.floor(Math.random() * subscribers);
      const msisdn = msisdnOf(i);
      const key = `b-${w}-${seq++}`;
      const kind = seq % 10;
      const t = performance.now();
      let ok: boolean;
      if (kind < 6) ok = (await core.chargeUsage(msisdn, { app: 'facebook', quantity: 1 }, { idempotencyKey: key })).ok;
      else if (kind < 9) ok = (await core.topUp(msisdn, { amount: 10 }, { idempotencyKey: key })).ok;
      else {
        const q = await core.quoteSwap(
          msisdn,
          { from: 'facebook', to: 'youtube', quantity: 2 },
          { idempotencyKey: key },
        );
        latencies.push(performance.now() - t);
        done++;
        const t2 = performance.now();
        ok = q.ok && (await core.confirmSwap(q.value.id, { idempotencyKey: `${key}c` })).ok;
        latencies.push(performance.now() - t2);
        done++;
        if (!ok) failed++;
        continue;
      }
      latencies.push(performance.now() - t);
      done++;
      if (!ok) failed++;
    }
  }
  await Promise.all(Array.from({ length: concurrency }, (_, w) => worker(w)));
  const elapsed = performance.now() - started;
  loop.disable();
  clearInterval(rssTimer);
  gcObserver.disconnect();
  const end = process.memoryUsage();
  if (end.rss > peak.rss) peak = end;
  await core.close();
  if (!opts.dir) rmSync(dir, { recursive: true, force: true });

  latencies.sort((a, b) => a - b);
  return {
    subscribers,
    shards,
    concurrency,
    seedMs: Math.round(seedMs),
    loadMs: Math.round(loadMs),
    mutations: done,
    failed,
    mutationsPerSecond: Math.round((done / elapsed) * 1000),
    p50Ms: Number(percentile(latencies, 50).toFixed(2)),
    p99Ms: Number(percentile(latencies, 99).toFixed(2)),
    maxMs: Number((latencies.at(-1) ?? 0).toFixed(2)),
    longestStallMs: Number((loop.max / 1e6).toFixed(2)),
    peakRssMB: mb(peak.rss),
    /** At the RSS peak: the JS heap, and memory outside it (Buffers: the store's arena and fold bytes). */
    peakHeapUsedMB: mb(peak.heapUsed),
    peakHeapTotalMB: mb(peak.heapTotal),
    peakExternalMB: mb(peak.external),
    /** Right after load (and a GC when run with --expose-gc). */
    loadedRssMB: mb(afterLoad.rss),
    loadedHeapUsedMB: mb(afterLoad.heapUsed),
    longestGcMs: Number(longestGc.toFixed(2)),
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href && process.argv[2] === '--seed') {
  seed(process.argv[3]!, Number(process.argv[4]), Number(process.argv[5]), new Date());
} else if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const result = await run({
    ...(process.env.BENCH_SUBSCRIBERS ? { subscribers: Number(process.env.BENCH_SUBSCRIBERS) } : {}),
    ...(process.env.BENCH_SHARDS ? { shards: Number(process.env.BENCH_SHARDS) } : {}),
    ...(process.env.BENCH_DURATION_MS ? { durationMs: Number(process.env.BENCH_DURATION_MS) } : {}),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
