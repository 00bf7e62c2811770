/**
 * Cold start: the product's own entry point (`node dist/bot/main.js`, what `npm start` runs) spawned on a
 * prepared DATA_DIR, timed from spawn to the first `GET /healthz` that answers 200; then its resident memory at
 * idle (Linux /proc). Target: < 3 s with a cached NLU model.
 *
 * Cases:
 * - `cached-model-demo`: a restart (the demo data seeded and the NLU model cached by an earlier start);
 * - `cached-model-100k`: a restart with 100,000 subscribers in the embedded core and the model cached;
 * - `no-model-first-start`: an empty DATA_DIR: the demo data is seeded and the model trained and cached.
 *
 *   npx tsx bench/startup/startup.bench.ts [--quick]      (prints JSON)
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { benchEntry, productEntry } from '../load/target-process.js';
import { spread } from '../report/stats.js';
import { type PreparedSubscribers, prepareSubscribers } from '../turns/subscribers.js';

export type StartupCase = 'cached-model-demo' | 'cached-model-100k' | 'no-model-first-start';

export interface StartupRun {
  case: StartupCase;
  run: number;
  /** Spawn to the first 200 from /healthz. */
  coldStartMs: number;
  idleRssMB: number;
}

export interface StartupBenchResult {
  runs: StartupRun[];
  /** Milliseconds to import each heavy dependency in a fresh process, then our code. */
  moduleLoadMs: Record<string, number>;
  subscribers: PreparedSubscribers;
  /** The trained model left by the first start, for other benches (deleted with the work dir unless kept). */
  nluModelFile?: string;
}

export interface StartupBenchOptions {
  runs?: number;
  subscribers?: number;
  /** Keep the work directory (its trained model is then reusable); the caller deletes it. */
  workDir?: string;
  log?: (line: string) => void;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number };
      srv.close(() => resolve(port));
    });
  });
}

/** Resident set of a process from /proc (Linux); NaN elsewhere. */
function rssOf(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) / 1024 : Number.NaN;
  } catch {
    return Number.NaN;
  }
}

async function healthy(url: string): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/** Starts the product on `dataDir`, waits for /healthz, measures, stops it (SIGTERM: a clean shutdown). */
async function coldStart(dataDir: string, timeoutMs = 120_000): Promise<{ ms: number; rssMB: number }> {
  const port = await freePort();
  const { file, execArgv } = productEntry();
  const started = performance.now();
  const child = spawn(process.execPath, [...execArgv, file], {
    env: {
      ...process.env,
      PORT: String(port),
      DATA_DIR: dataDir,
      LOG_LEVEL: 'warn',
      WHATSAPP_PROVIDER: 'off',
      ADMIN_TOKEN: 'bench-admin-token',
    },
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-4000);
  });
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let exitCode: number | null | undefined;
  void exited.then((code) => {
    exitCode = code;
  });
  try {
    const url = `http://127.0.0.1:${port}/healthz`;
    while (!(await healthy(url))) {
      if (exitCode !== undefined) throw new Error(`the server exited (${exitCode}) before /healthz: ${stderr}`);
      if (performance.now() - started > timeoutMs) throw new Error(`no /healthz within ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 10));
    }
    const ms = performance.now() - started;
    // Idle: let start-up garbage settle a moment before reading the resident set.
    await new Promise((r) => setTimeout(r, 1000));
    return { ms, rssMB: rssOf(child.pid ?? 0) };
  } finally {
    if (exitCode === undefined) {
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    }
  }
}

/** Import times of the product's dependencies in a fresh process (see import-probe.ts). */
function moduleLoadTimes(): Record<string, number> {
  const { file, execArgv } = benchEntry('../startup/import-probe.ts');
  const out = execFileSync(process.execPath, [...execArgv, file], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'ignore'],
  });
  return JSON.parse(out) as Record<string, number>;
}

export async function run(opts: StartupBenchOptions = {}): Promise<StartupBenchResult> {
  const log = opts.log ?? (() => {});
  const runs = opts.runs ?? 3;
  const work = opts.workDir ?? mkdtempSync(join(tmpdir(), 'startup-bench-'));
  mkdirSync(work, { recursive: true });
  const out: StartupRun[] = [];
  const record = (c: StartupCase, run: number, r: { ms: number; rssMB: number }) => {
    out.push({ case: c, run, coldStartMs: Math.round(r.ms), idleRssMB: Math.round(r.rssMB) });
    log(`startup: ${c} run ${run}: ${Math.round(r.ms)} ms, ${Math.round(r.rssMB)} MB`);
  };
  try {
    // First starts on empty directories: seed the demo data and train the model.
    let demoDir = '';
    for (let r = 1; r <= runs; r++) {
      demoDir = join(work, `first-${r}`);
      record('no-model-first-start', r, await coldStart(demoDir));
    }
    const model = join(demoDir, 'nlu', 'nlu-model.json');
    // Restarts of the last one: data and model are there.
    for (let r = 1; r <= runs; r++) record('cached-model-demo', r, await coldStart(demoDir));

    const bigDir = join(work, 'big');
    const subscribers = await prepareSubscribers(bigDir, opts.subscribers ?? 100_000);
    log(`startup: ${subscribers.count} subscribers by ${subscribers.method} in ${subscribers.seconds.toFixed(1)} s`);
    if (existsSync(model)) {
      mkdirSync(join(bigDir, 'nlu'), { recursive: true });
      copyFileSync(model, join(bigDir, 'nlu', 'nlu-model.json'));
    }
    for (let r = 1; r <= runs; r++) record('cached-model-100k', r, await coldStart(bigDir));

    // Once is enough to show where the time goes (and each probe is a cold start of its own).
    const probes = [moduleLoadTimes()];
    const moduleLoadMs: Record<string, number> = {};
    for (const key of Object.keys(probes[0] ?? {}))
      moduleLoadMs[key] = spread(probes.map((p) => p[key] ?? Number.NaN)).median;
    log(`startup: module loading ${moduleLoadMs.total} ms`);
    return { runs: out, moduleLoadMs, subscribers, nluModelFile: existsSync(model) ? model : undefined };
  } finally {
    if (!opts.workDir) rmSync(work, { recursive: true, force: true });
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  const quick = process.argv.includes('--quick');
  const result = await run({ runs: quick ? 1 : 3, log: (l) => process.stderr.write(`${l}\n`) });
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
}
