/**
 * Parent side of a server under test: forks bench/load/target-server in its own process (so the load
 * generator and the server each get a core of their own), waits for it to listen, and asks it for memory figures
 * and CPU profiles over IPC.
 */
import { type ChildProcess, fork } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { ChildMessage, ParentMessage, TargetKind } from './target-protocol.js';

export interface TargetStats {
  rssBytes: number;
  heapUsedBytes: number;
  /** V8 heap reserved (used or not): what the heap holds resident. */
  heapTotalBytes: number;
  /** Memory of Buffers and other objects outside the V8 heap. */
  externalBytes: number;
  /** Peak resident set since the process started. */
  maxRssBytes: number;
}

export interface Target {
  kind: TargetKind;
  pid: number;
  port: number;
  baseUrl: string;
  /** From process start to listening, as seen by the child (module loading excluded). */
  startMs: number;
  /** Memory figures; with `gc`, after a full garbage collection (what is live). */
  stats(gc?: boolean): Promise<TargetStats>;
  /**
   * Waits until the server's event loop is nearly idle (turns abandoned when a load run stopped are still being
   * answered), so that one run's backlog does not slow the next, on either server: they share the cores.
   */
  waitIdle(maxMs?: number): Promise<void>;
  startProfile(intervalUs?: number): Promise<void>;
  /** Stops the profiler and writes the `.cpuprofile` to `file`. */
  stopProfile(file: string): Promise<void>;
  stop(): Promise<void>;
}

const here = dirname(fileURLToPath(import.meta.url));
/** Run from sources (tsx, while developing) or from dist/ (npm run bench). */
const fromSources = fileURLToPath(import.meta.url).endsWith('.ts');

/**
 * The Node flags `npm start` runs the product with (the `--` words of package.json's start script, e.g.
 * `--v8-pool-size=1`), so that every bench process running product code runs it the same way.
 */
export function productNodeFlags(): string[] {
  let dir = here;
  while (!existsSync(join(dir, 'package.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('package.json not found above bench/load');
    dir = up;
  }
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(/\s+/).filter((w) => w.startsWith('--'));
}

/** The Node entry point of a bench module next to this one, and the flags it needs to run (the product's too). */
export function benchEntry(relativeToLoad: string): { file: string; execArgv: string[] } {
  const file = join(here, relativeToLoad.replace(/\.ts$/, fromSources ? '.ts' : '.js'));
  return { file, execArgv: [...productNodeFlags(), ...(fromSources ? ['--import', 'tsx'] : [])] };
}

/** The product's own entry point (`npm start` runs it): bot/main, from dist/ or from sources. */
export function productEntry(): { file: string; execArgv: string[] } {
  return benchEntry('../../bot/main.ts');
}

export async function startTarget(kind: TargetKind, env: Record<string, string>): Promise<Target> {
  const { file, execArgv } = benchEntry('target-server.ts');
  const child: ChildProcess = fork(file, [kind], {
    env: { ...process.env, ...env },
    // --expose-gc only lets the bench ask for a collection before reading the live heap; V8 collects as usual.
    execArgv: [...execArgv, '--expose-gc'],
    stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
  });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });

  const waitFor = <T extends ChildMessage['type']>(type: T, timeoutMs = 120_000) =>
    new Promise<Extract<ChildMessage, { type: T }>>((resolve, reject) => {
      const timer = setTimeout(() => done(new Error(`${kind} target: no '${type}' within ${timeoutMs} ms`)), timeoutMs);
      const onMessage = (message: ChildMessage) => {
        if (message.type === type) done(undefined, message as Extract<ChildMessage, { type: T }>);
        else if (message.type === 'failed') done(new Error(`${kind} target failed: ${message.message}`));
      };
      const onExit = (code: number | null) =>
        done(new Error(`${kind} target exited (${code}) before '${type}': ${stderrTail}`));
      function done(error?: Error, value?: Extract<ChildMessage, { type: T }>) {
        clearTimeout(timer);
        child.off('message', onMessage);
        child.off('exit', onExit);
        if (error) reject(error);
        else resolve(value as Extract<ChildMessage, { type: T }>);
      }
      child.on('message', onMessage);
      child.once('exit', onExit);
    });
  const ask = (message: ParentMessage) => child.send(message);

  const ready = await waitFor('ready');
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  return {
    kind,
    pid: child.pid ?? 0,
    port: ready.port,
    baseUrl: `http://127.0.0.1:${ready.port}`,
    startMs: ready.startMs,
    async stats(gc = false) {
      const reply = waitFor('stats', 10_000);
      ask({ type: 'stats', gc });
      const { rssBytes, heapUsedBytes, heapTotalBytes, externalBytes, maxRssBytes } = await reply;
      return { rssBytes, heapUsedBytes, heapTotalBytes, externalBytes, maxRssBytes };
    },
    async waitIdle(maxMs = 30_000) {
      const until = performance.now() + maxMs;
      while (performance.now() < until) {
        const reply = waitFor('busy', 10_000);
        ask({ type: 'busy', windowMs: 200 });
        if ((await reply).utilization < 0.1) return;
      }
    },
    async startProfile(intervalUs) {
      const reply = waitFor('profile-started', 10_000);
      ask({ type: 'profile-start', intervalUs });
      await reply;
    },
    async stopProfile(file) {
      const reply = waitFor('profile-stopped', 60_000);
      ask({ type: 'profile-stop', file });
      await reply;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      ask({ type: 'stop' });
      const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
