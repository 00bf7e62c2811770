/**
 * Real dialogs against the embedded core with 100,000 subscribers, side by side with the floor (the echo bot),
 * over the same HTTP paths, driven by the same load generator in the same run:
 *
 * - saturation (closed loop) at 1, 50 and 200 concurrent conversations: turns per second, p50/p99, and our
 *   throughput as a share of the echo bot's (target >= 50%);
 * - a steady offered load (open loop): 200 conversations sending 100 turns per second in total: p50/p99
 *   (target p99 < 100 ms);
 * - resident memory of the product's process at idle and its peak under that load (target < 400 MB);
 * - a CPU profile of the product during a saturation run, summarised.
 *
 * Each server runs in its own process (bench/load/target-server); the load generator runs here. Conversations
 * cycle through a balance question, a swap request (the core quotes) and "yes" (the core executes the swap).
 *
 *   npx tsx bench/turns/turns.bench.ts [--quick]      (prints JSON)
 */
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { type BotPath, type Conversation, directLineBotTexts, openConversations } from '../load/conversations.js';
import { closedLoop, type LoadResult, type OpenLoopResult, openLoop } from '../load/drive.js';
import { startTarget, type Target } from '../load/target-process.js';
import type { TargetKind } from '../load/target-protocol.js';
import { type ProfileSummary, summariseProfileFile } from '../report/cpu-profile.js';
import { msisdnOf, type PreparedSubscribers, prepareSubscribers } from './subscribers.js';

export interface TurnsBenchOptions {
  subscribers?: number;
  /** Concurrent conversations of the saturation runs. */
  concurrency?: number[];
  /** Runs of every measurement (the report gives median, min and max). */
  runs?: number;
  /** Seconds per saturation run (counted), after `warmupSeconds` of the same load (not counted). */
  saturationSeconds?: number;
  warmupSeconds?: number;
  /** The steady load: turns per second offered over `openLoopConversations` conversations. */
  openLoopRate?: number;
  openLoopConversations?: number;
  openLoopSeconds?: number;
  /** Seconds of the profiled saturation run (0: no profile). */
  profileSeconds?: number;
  /** Conversations of the profiled run. */
  profileConcurrency?: number;
  paths?: BotPath[];
  /** A trained NLU model (`nlu-model.json`) to copy into the product's DATA_DIR; without it the product trains. */
  nluModelFile?: string;
  /** Progress lines (stderr). */
  log?: (line: string) => void;
}

export interface SaturationRun {
  path: BotPath;
  concurrency: number;
  run: number;
  echo: LoadResult;
  product: LoadResult;
  /** product turns/s as a share of the echo bot's. */
  ratio: number;
}

export interface SteadyRun {
  path: BotPath;
  run: number;
  target: TargetKind;
  result: OpenLoopResult;
}

export interface TurnsBenchResult {
  subscribers: PreparedSubscribers;
  concurrency: number[];
  saturationSeconds: number;
  warmupSeconds: number;
  openLoop: { rate: number; conversations: number; seconds: number };
  productStartMs: number;
  saturation: SaturationRun[];
  steady: SteadyRun[];
  /** RSS of the product's process: idle after start, peak sampled under load, and lifetime peak (start-up too). */
  memory: {
    idleRssMB: number;
    idleHeapMB: number;
    underLoadPeakRssMB: number;
    /** V8 heap in use when the RSS peaked (the rest: code, buffers, strings outside the heap, freed pages). */
    heapAtPeakMB: number;
    /** V8 heap reserved at the RSS peak (used or garbage not yet collected). */
    heapTotalAtPeakMB: number;
    /** Outside the V8 heap at the RSS peak (Buffers). */
    externalAtPeakMB: number;
    afterLoadRssMB: number;
    /** V8 heap still in use after the load and a full collection: the state the process keeps. */
    afterLoadLiveHeapMB: number;
    lifetimePeakRssMB: number;
  };
  /** Checks that the conversations really went through the dialogs (Direct Line log, sampled). */
  directLineCheck?: { conversations: number; swapsConfirmed: number };
  profiles?: (ProfileSummary & { path: BotPath; concurrency: number; seconds: number; turnsPerSecond: number })[];
}

const ADMIN_TOKEN = 'bench-admin-token';
const IDENTITY_SECRET = 'bench-identity-secret-0123456789abcdef';
const MB = 1024 * 1024;

function targetEnv(dataDir: string): Record<string, string> {
  return {
    PORT: '0',
    DATA_DIR: dataDir,
    ADMIN_TOKEN,
    WEBCHAT_IDENTITY_SECRET: IDENTITY_SECRET,
    DIRECTLINE_TOKEN_SECRET: 'bench-directline-secret-0123456789abcdef',
    WHATSAPP_PROVIDER: 'off',
    SEED_DEMO: 'false',
    LOG_LEVEL: 'warn',
    PUBLIC_URL: 'http://127.0.0.1',
  };
}

/** Subscribers spread over the whole base (and so over the store's shards), never the same one twice. */
function spreadMsisdn(subscribers: number): (index: number) => string {
  // 7919 is prime, so i -> i*7919 mod n is a bijection unless n is a multiple of it (then: consecutive ones).
  const stride = subscribers % 7919 === 0 ? 1 : 7919;
  return (i) => msisdnOf((i * stride) % subscribers);
}

const settle = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function run(opts: TurnsBenchOptions = {}): Promise<TurnsBenchResult> {
  const log = opts.log ?? (() => {});
  const requested = opts.subscribers ?? 100_000;
  const concurrency = opts.concurrency ?? [1, 50, 200];
  const runs = opts.runs ?? 3;
  const saturationSeconds = opts.saturationSeconds ?? 3;
  const warmupSeconds = opts.warmupSeconds ?? 1.5;
  const rate = opts.openLoopRate ?? 100;
  const openConvs = opts.openLoopConversations ?? 200;
  const openSeconds = opts.openLoopSeconds ?? 6;
  const profileSeconds = opts.profileSeconds ?? 4;
  const profileConcurrency = opts.profileConcurrency ?? 50;
  const paths = opts.paths ?? ['api-messages', 'directline'];
  const conversationsNeeded = Math.max(openConvs, ...concurrency, profileConcurrency);

  const work = mkdtempSync(join(tmpdir(), 'turns-bench-'));
  const productDir = join(work, 'product');
  const echoDir = join(work, 'echo');
  mkdirSync(echoDir, { recursive: true });
  const targets: Target[] = [];
  try {
    log(`turns: preparing ${requested} subscribers`);
    const prepared = await prepareSubscribers(productDir, requested);
    const subscribers = prepared.count;
    log(`turns: ${prepared.count} subscribers by ${prepared.method} in ${prepared.seconds.toFixed(1)} s`);
    if (opts.nluModelFile && existsSync(opts.nluModelFile)) {
      mkdirSync(join(productDir, 'nlu'), { recursive: true });
      copyFileSync(opts.nluModelFile, join(productDir, 'nlu', 'nlu-model.json'));
    }

    const echo = await startTarget('echo', targetEnv(echoDir));
    targets.push(echo);
    const product = await startTarget('product', targetEnv(productDir));
    targets.push(product);
    log(`turns: servers up (product composed in ${Math.round(product.startMs)} ms)`);
    await settle(500);
    const idle = await product.stats();
    // Resident memory sampled under load (the process's lifetime peak also holds its start-up).
    let loadPeakRss = 0;
    let heapAtPeak = 0;
    let heapTotalAtPeak = 0;
    let externalAtPeak = 0;
    const sampler = setInterval(() => {
      product.stats().then(
        (s) => {
          if (s.rssBytes > loadPeakRss) {
            loadPeakRss = s.rssBytes;
            heapAtPeak = s.heapUsedBytes;
            heapTotalAtPeak = s.heapTotalBytes;
            externalAtPeak = s.externalBytes;
          }
        },
        () => undefined,
      );
    }, 250);

    const saturation: SaturationRun[] = [];
    const steady: SteadyRun[] = [];
    let directLineCheck: TurnsBenchResult['directLineCheck'];
    const msisdn = spreadMsisdn(subscribers);

    for (const path of paths) {
      const open = (target: Target, kind: TargetKind) =>
        openConversations({
          baseUrl: target.baseUrl,
          path,
          count: conversationsNeeded,
          msisdnOf: msisdn,
          verify: kind === 'product',
          adminToken: ADMIN_TOKEN,
          identitySecret: IDENTITY_SECRET,
          tag: path,
        });
      log(`turns: ${path}: opening ${conversationsNeeded} conversations on each bot`);
      const convs: Record<TargetKind, Conversation[]> = {
        echo: await open(echo, 'echo'),
        product: await open(product, 'product'),
      };
      const byKind: Record<TargetKind, Target> = { echo, product };

      // Warm-up (JIT, the store's shard cache), not recorded.
      for (const kind of ['echo', 'product'] as const) {
        await closedLoop({
          baseUrl: byKind[kind].baseUrl,
          conversations: convs[kind].slice(0, 50),
          durationSeconds: 1,
          expect: kind,
        });
      }
      await echo.waitIdle();
      await product.waitIdle();

      for (let r = 0; r < runs; r++) {
        for (const c of concurrency) {
          const results: Partial<Record<TargetKind, LoadResult>> = {};
          for (const kind of ['echo', 'product'] as const) {
            results[kind] = await closedLoop({
              baseUrl: byKind[kind].baseUrl,
              conversations: convs[kind].slice(0, c),
              durationSeconds: saturationSeconds,
              warmupSeconds,
              expect: kind,
            });
            // Replies still in flight when the run stopped finish before the next run starts.
            await byKind[kind].waitIdle();
          }
          const e = results.echo as LoadResult;
          const p = results.product as LoadResult;
          const ratio = e.turnsPerSecond > 0 ? Math.round((p.turnsPerSecond / e.turnsPerSecond) * 1000) / 1000 : 0;
          saturation.push({ path, concurrency: c, run: r + 1, echo: e, product: p, ratio });
          log(
            `turns: ${path} c=${c} run ${r + 1}: product ${p.turnsPerSecond}/s p99 ${p.p99Ms} ms, echo ${e.turnsPerSecond}/s (${Math.round(ratio * 100)}%)`,
          );
        }
      }

      for (let r = 0; r < runs; r++) {
        for (const kind of ['product', 'echo'] as const) {
          const result = await openLoop({
            baseUrl: byKind[kind].baseUrl,
            conversations: convs[kind].slice(0, openConvs),
            rate,
            durationSeconds: openSeconds,
            expect: kind,
          });
          steady.push({ path, run: r + 1, target: kind, result });
          log(
            `turns: ${path} steady ${rate}/s run ${r + 1} ${kind}: ${result.turnsPerSecond}/s p50 ${result.p50Ms} p99 ${result.p99Ms} ms`,
          );
          await byKind[kind].waitIdle();
        }
      }

      if (path === 'directline') {
        // The POST answers once the turn is over; check in the logs that the turns were real dialogs.
        const sample = convs.product.slice(0, 20);
        let swapsConfirmed = 0;
        for (const conv of sample) {
          const texts = await directLineBotTexts(product.baseUrl, conv);
          if (texts.some((t) => t.startsWith('Done:'))) swapsConfirmed++;
        }
        directLineCheck = { conversations: sample.length, swapsConfirmed };
      }
    }

    // Memory is measured on the load runs only: the profiler's own buffers are not the product's.
    clearInterval(sampler);
    const after = await product.stats();
    loadPeakRss = Math.max(loadPeakRss, after.rssBytes);
    const live = await product.stats(true);

    // Where the time goes: a CPU profile of the product during a saturation run on each path.
    const profiles: NonNullable<TurnsBenchResult['profiles']> = [];
    for (const path of profileSeconds > 0 ? paths : []) {
      const convs = await openConversations({
        baseUrl: product.baseUrl,
        path,
        count: profileConcurrency,
        msisdnOf: (i) => msisdn(conversationsNeeded + i),
        verify: true,
        adminToken: ADMIN_TOKEN,
        identitySecret: IDENTITY_SECRET,
        tag: `${path}-profile`,
      });
      const file = join(work, `saturation-${path}.cpuprofile`);
      await product.startProfile(500);
      const load = await closedLoop({
        baseUrl: product.baseUrl,
        conversations: convs,
        durationSeconds: profileSeconds,
        expect: 'product',
      });
      await product.stopProfile(file);
      await product.waitIdle();
      profiles.push({
        ...summariseProfileFile(file),
        path,
        concurrency: profileConcurrency,
        seconds: profileSeconds,
        turnsPerSecond: load.turnsPerSecond,
      });
      log(`turns: profiled ${path} at ${profileConcurrency} conversations (${load.turnsPerSecond} turns/s)`);
    }

    return {
      subscribers: prepared,
      concurrency,
      saturationSeconds,
      warmupSeconds,
      openLoop: { rate, conversations: openConvs, seconds: openSeconds },
      productStartMs: Math.round(product.startMs),
      saturation,
      steady,
      memory: {
        idleRssMB: Math.round(idle.rssBytes / MB),
        idleHeapMB: Math.round(idle.heapUsedBytes / MB),
        underLoadPeakRssMB: Math.round(loadPeakRss / MB),
        heapAtPeakMB: Math.round(heapAtPeak / MB),
        heapTotalAtPeakMB: Math.round(heapTotalAtPeak / MB),
        externalAtPeakMB: Math.round(externalAtPeak / MB),
        afterLoadRssMB: Math.round(after.rssBytes / MB),
        afterLoadLiveHeapMB: Math.round(live.heapUsedBytes / MB),
        lifetimePeakRssMB: Math.round(after.maxRssBytes / MB),
      },
      directLineCheck,
      profiles,
    };
  } finally {
    for (const t of targets) await t.stop().catch(() => undefined);
    rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const result = await run({
    log: (line) => process.stderr.write(`${line}\n`),
    ...(quick ? { runs: 1, saturationSeconds: 2, openLoopSeconds: 3, profileSeconds: 2 } : {}),
    ...(process.env.BENCH_SUBSCRIBERS ? { subscribers: Number(process.env.BENCH_SUBSCRIBERS) } : {}),
    // For a look at one corner: BENCH_PATHS=directline BENCH_CONCURRENCY=1 BENCH_PROFILE_CONCURRENCY=1
    ...(process.env.BENCH_PATHS ? { paths: process.env.BENCH_PATHS.split(',') as BotPath[] } : {}),
    ...(process.env.BENCH_CONCURRENCY ? { concurrency: process.env.BENCH_CONCURRENCY.split(',').map(Number) } : {}),
    ...(process.env.BENCH_PROFILE_CONCURRENCY
      ? { profileConcurrency: Number(process.env.BENCH_PROFILE_CONCURRENCY) }
      : {}),
  });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
