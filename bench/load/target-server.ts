/**
 * A server under test, run as a child process so that the load generator (in the parent) and the server do not
 * share one event loop: `product` composes the whole product exactly as `npm start` does (composeApp) on a
 * prepared DATA_DIR; `echo` is the floor (bench/echo-bot). Settings come from the environment (loadConfig).
 *
 * It talks to the parent over the IPC channel of `fork()`:
 *   child -> parent  { type: 'ready', port, startMs }            once listening
 *   parent -> child  { type: 'stats' }                            -> { type: 'stats', rssBytes, heapUsedBytes, heapTotalBytes, externalBytes, maxRssBytes }
 *   parent -> child  { type: 'busy', windowMs }                  -> { type: 'busy', utilization } (event loop, 0..1)
 *   parent -> child  { type: 'profile-start', intervalUs }        -> { type: 'profile-started' }
 *   parent -> child  { type: 'profile-stop', file }               -> { type: 'profile-stopped', file }
 *   parent -> child  { type: 'stop' }                             closes and exits 0
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import { performance } from 'node:perf_hooks';
import { loadConfig } from '../../bot/config.js';
import { composeApp } from '../../bot/compose.js';
import { createLogger } from '../../bot/logger.js';
import { createEchoServer } from '../echo-bot/echo-bot.js';
import { BENCH_WEBCHAT_LIMITS, type ChildMessage, type ParentMessage, type TargetKind } from './target-protocol.js';

function send(message: ChildMessage): void {
  process.send?.(message);
}

function post<T>(session: Session, method: string, params?: object): Promise<T> {
  return new Promise((resolve, reject) => {
    session.post(method, params ?? {}, (err, result) => (err ? reject(err) : resolve(result as T)));
  });
}

async function main(): Promise<void> {
  const kind = (process.argv[2] ?? 'product') as TargetKind;
  const started = performance.now();
  const config = loadConfig(process.env);
  // Logs go to stderr, which the parent discards; warnings and errors only, as an operator under load would run.
  const logger = createLogger('warn', { component: 'bench-target' }, (line) => process.stderr.write(`${line}\n`));
  let listen: () => Promise<number>;
  let close: () => Promise<void>;
  if (kind === 'echo') {
    const echo = createEchoServer({
      dataDir: config.dataDir,
      identitySecret: config.webchat.identitySecret ?? 'bench-identity-secret',
      webchatLimits: BENCH_WEBCHAT_LIMITS,
    });
    listen = () => echo.listen(0, '127.0.0.1');
    close = () => echo.close();
  } else {
    const app = await composeApp({ config, logger, webchatLimits: BENCH_WEBCHAT_LIMITS });
    listen = () => app.listen('127.0.0.1');
    close = () => app.close();
  }
  const port = await listen();
  send({ type: 'ready', port, startMs: performance.now() - started });

  let session: Session | undefined;
  process.on('message', (message: ParentMessage) => {
    void (async () => {
      switch (message.type) {
        case 'stats': {
          if (message.gc) (globalThis as { gc?: () => void }).gc?.();
          const mem = process.memoryUsage();
          // resourceUsage().maxRSS is the peak resident set in kilobytes since the process started.
          send({
            type: 'stats',
            rssBytes: mem.rss,
            heapUsedBytes: mem.heapUsed,
            heapTotalBytes: mem.heapTotal,
            externalBytes: mem.external,
            maxRssBytes: process.resourceUsage().maxRSS * 1024,
          });
          break;
        }
        case 'busy': {
          // Event-loop utilisation over a short window: near 0 once turns left over from a run are done.
          const before = performance.eventLoopUtilization();
          await new Promise((r) => setTimeout(r, message.windowMs));
          send({ type: 'busy', utilization: performance.eventLoopUtilization(before).utilization });
          break;
        }
        case 'profile-start': {
          session = new Session();
          session.connect();
          await post(session, 'Profiler.enable');
          await post(session, 'Profiler.setSamplingInterval', { interval: message.intervalUs ?? 500 });
          await post(session, 'Profiler.start');
          send({ type: 'profile-started' });
          break;
        }
        case 'profile-stop': {
          if (!session) break;
          const { profile } = await post<{ profile: unknown }>(session, 'Profiler.stop');
          session.disconnect();
          session = undefined;
          writeFileSync(message.file, JSON.stringify(profile));
          send({ type: 'profile-stopped', file: message.file });
          break;
        }
        case 'stop': {
          setTimeout(() => process.exit(1), 5000).unref();
          await close();
          process.exit(0);
        }
      }
    })();
  });
  // The parent went away: do not linger.
  process.on('disconnect', () => process.exit(0));
}

main().catch((error: unknown) => {
  send({ type: 'failed', message: error instanceof Error ? (error.stack ?? error.message) : String(error) });
  process.exit(1);
});
