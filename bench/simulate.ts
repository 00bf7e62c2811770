/**
 * Usage simulator (`npm run simulate`): drives realistic charging activity for the demo subscribers through the
 * core's HTTP API (`/api/v1/...` with ADMIN_TOKEN), a step every few seconds, so a newcomer watching the web
 * chat (`http://localhost:3978/?as=+15550100001`) sees proactive-care alerts arrive: sessions running low and
 * out, a usage pattern that will run out early, a zero-rated WhatsApp session, data running low, a bill due.
 *
 * Settings (environment, `.env` read too): SIMULATE_URL (default `http://localhost:$PORT`, PORT 3978),
 * ADMIN_TOKEN (required: the server's), SIMULATE_INTERVAL_MS (default 3000), SIMULATE_ONLY (comma-separated
 * MSISDNs to limit it to). Every call carries an `Idempotency-Key`; nothing here is personal data.
 */
import { randomUUID } from 'node:crypto';
import { loadDotEnv } from '../bot/config.js';

interface Step {
  msisdn: string;
  who: string;
  what: string;
  method: 'POST';
  path: string;
  body?: Record<string, unknown>;
}

const ANA = '+15550100001';
const BEN = '+15550100002';
const CHLOE = '+15550100003';
const DIEGO = '+15550100004';
const EVE = '+15550100005';

const usage = (msisdn: string, who: string, what: string, body: Record<string, unknown>): Step => ({
  msisdn,
  who,
  what,
  method: 'POST',
  path: `/api/v1/subscribers/${encodeURIComponent(msisdn)}/usage`,
  body,
});

/** One evening of a few subscribers, in the order a watcher can follow. */
function script(): Step[] {
  const steps: Step[] = [];
  steps.push(usage(DIEGO, 'Diego', 'chats on WhatsApp (zero-rated)', { app: 'whatsapp', quantity: 1 }));
  for (let i = 0; i < 3; i++)
    steps.push(usage(ANA, 'Ana', 'watches YouTube (3 sessions)', { app: 'youtube', quantity: 3 }));
  steps.push(usage(CHLOE, 'Chloe', 'streams a video (1 YouTube session)', { app: 'youtube', quantity: 1 }));
  steps.push({
    msisdn: BEN,
    who: 'Ben',
    what: 'billing run (tick: bills due, bundles expiring)',
    method: 'POST',
    path: '/api/v1/tick',
  });
  steps.push(usage(EVE, 'Eve', 'binge-watches YouTube (4 sessions)', { app: 'youtube', quantity: 4 }));
  steps.push(usage(CHLOE, 'Chloe', 'browses (150 MB)', { unit: 'MB', quantity: 150 }));
  steps.push(usage(ANA, 'Ana', 'watches one more YouTube session', { app: 'youtube', quantity: 1 }));
  steps.push(usage(DIEGO, 'Diego', 'scrolls Facebook (44 sessions)', { app: 'facebook', quantity: 44 }));
  steps.push(usage(EVE, 'Eve', 'binge-watches YouTube (4 sessions)', { app: 'youtube', quantity: 4 }));
  steps.push(usage(CHLOE, 'Chloe', 'browses (150 MB)', { unit: 'MB', quantity: 150 }));
  return steps;
}

export interface SimulateOptions {
  baseUrl?: string;
  token?: string;
  intervalMs?: number;
  only?: string[];
  log?: (line: string) => void;
}

export interface SimulateResult {
  steps: number;
  ok: number;
  refused: number;
}

export async function simulate(opts: SimulateOptions = {}): Promise<SimulateResult> {
  const baseUrl = (opts.baseUrl ?? 'http://localhost:3978').replace(/\/+$/, '');
  const token = opts.token;
  const log = opts.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  if (!token) throw new Error('ADMIN_TOKEN is not set: use the same value as the server (.env)');
  const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };

  const probe = await fetch(`${baseUrl}/api/v1/subscribers/${encodeURIComponent(ANA)}`, { headers }).catch(
    (error: unknown) => {
      throw new Error(`cannot reach ${baseUrl} (is \`npm start\` running?): ${String(error)}`);
    },
  );
  if (probe.status === 401) throw new Error('the server refused ADMIN_TOKEN (401): use the same value as the server');
  if (probe.status === 404) throw new Error('demo subscriber not found: start the server on an empty DATA_DIR (seed)');

  const steps = script().filter((s) => !opts.only || opts.only.includes(s.msisdn));
  log(`simulating ${steps.length} steps against ${baseUrl}, one every ${opts.intervalMs ?? 3000} ms`);
  log('watch alerts arrive: open the web chat as a demo subscriber, e.g. ' + `${baseUrl}/?as=%2B15550100001 (Ana)`);
  log('(alerts wait during quiet hours, ALERTS_QUIET_HOURS, and stop at ALERTS_MAX_PER_DAY a day)');
  let ok = 0;
  let refused = 0;
  for (const [i, step] of steps.entries()) {
    const res = await fetch(`${baseUrl}${step.path}`, {
      method: step.method,
      headers: { ...headers, 'Idempotency-Key': `simulate-${randomUUID()}` },
      body: step.body ? JSON.stringify(step.body) : undefined,
    });
    const body = (await res.json().catch(() => ({}))) as {
      code?: string;
      remainingValue?: number;
      zeroRated?: boolean;
    };
    if (res.ok) {
      ok++;
      const left = body.zeroRated
        ? 'free (zero-rated)'
        : body.remainingValue !== undefined
          ? `${body.remainingValue} left`
          : 'done';
      log(`[${i + 1}/${steps.length}] ${step.who} ${step.what}: ${left}`);
    } else {
      refused++;
      log(
        `[${i + 1}/${steps.length}] ${step.who} ${step.what}: ${res.status} ${body.code ?? ''} (already used up? restart on a fresh DATA_DIR)`,
      );
    }
    if (i < steps.length - 1) await new Promise((r) => setTimeout(r, opts.intervalMs ?? 3000));
  }
  log(`done: ${ok} steps applied, ${refused} refused`);
  return { steps: steps.length, ok, refused };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  loadDotEnv();
  const env = process.env;
  const port = env.PORT?.trim() || '3978';
  simulate({
    baseUrl: env.SIMULATE_URL?.trim() || `http://localhost:${port}`,
    token: env.ADMIN_TOKEN?.trim() || undefined,
    intervalMs: Number(env.SIMULATE_INTERVAL_MS ?? 3000),
    only: env.SIMULATE_ONLY ? env.SIMULATE_ONLY.split(',').map((s) => s.trim()) : undefined,
  }).catch((error: unknown) => {
    process.stderr.write(`simulate: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
