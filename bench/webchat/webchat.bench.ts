/**
 * Web chat bench: N concurrent Direct Line conversations over WebSockets (default 200), each sending M messages
 * one after the other (default 20), as Web Chat does: POST the activity, wait for the bot's reply on the stream.
 * Reports turns per second and p50/p99 of the time from the POST to the bot's reply arriving on the socket.
 * Each conversation first sends `warmupMessages` (default 1) that are not measured: without it the first burst of
 * 200 POSTs on a cold process dominates the p99.
 *
 *   npx tsx bench/webchat/webchat.bench.ts [--conversations 200] [--messages 20] [--store memory|lowdb] [--warmup 1]
 *
 * By default it starts its own server with the web chat's test bot (or `opts.bot`); the per-conversation rate
 * limit is raised there, since the bench measures throughput, not the limiter. Against another server
 * (`opts.base`), 429 answers are honoured (Retry-After) and counted.
 */
import { Agent, request } from 'node:http';
import { pathToFileURL } from 'node:url';
import type { Storage, TurnContext } from 'botbuilder';
import { MemoryStorage } from 'botbuilder';
import { WebSocket } from 'ws';
import { LowdbStorage } from '../../adapters/store/lowdb/lowdb-storage.js';
import { startWebChatServer } from '../../test/adapters/webchat/webchat-server.js';
import { tempDir } from '../../test/helpers/temp-dir.js';

export interface WebChatBenchOptions {
  conversations?: number;
  messagesPerConversation?: number;
  /** The bot to run (default: the web chat test bot, which echoes with a typing indicator). */
  bot?: { run(context: TurnContext): Promise<void> };
  /** Storage of the bench's own server (default memory). */
  store?: 'memory' | 'lowdb';
  /** Messages each conversation sends first, not measured (JIT and connection warm-up). Default 1. */
  warmupMessages?: number;
  /** Bench an already running server instead of starting one (its test bot must answer `echo: <text>`). */
  base?: string;
}

export interface WebChatBenchResult {
  conversations: number;
  messagesPerConversation: number;
  store: string;
  turns: number;
  failures: number;
  rateLimited: number;
  seconds: number;
  turnsPerSecond: number;
  p50Ms: number;
  p90Ms: number;
  p99Ms: number;
  maxMs: number;
  connectSeconds: number;
  warmupMessages: number;
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? Number.NaN;
}

interface BenchConversation {
  id: string;
  token: string;
  ws: WebSocket;
  waiters: Map<string, () => void>;
}

// node:http with a keep-alive agent: lighter than fetch, so the client steals less CPU from the server it shares
// the process with.
const agent = new Agent({ keepAlive: true, maxSockets: 1024 });

function postJson(url: string, token: string | undefined, body: unknown) {
  const payload = JSON.stringify(body);
  return new Promise<{ status: number; retryAfter: number; body: Record<string, unknown> }>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': Buffer.byteLength(payload),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () =>
          resolve({
            status: res.statusCode ?? 0,
            retryAfter: Number(res.headers['retry-after'] ?? 1),
            body: JSON.parse(Buffer.concat(chunks).toString('utf8') || '{}') as Record<string, unknown>,
          }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(payload);
  });
}

async function openConversation(base: string): Promise<BenchConversation> {
  const visitor = await postJson(`${base}/api/webchat/token`, undefined, {});
  const started = await postJson(`${base}/v3/directline/conversations`, String(visitor.body.token), {});
  if (started.status !== 201) throw new Error(`start conversation: HTTP ${started.status}`);
  const ws = new WebSocket(String(started.body.streamUrl));
  const conv: BenchConversation = {
    id: String(started.body.conversationId),
    token: String(started.body.token),
    ws,
    waiters: new Map(),
  };
  ws.on('message', (data) => {
    const text = data.toString();
    if (!text) return; // keep-alive
    const frame = JSON.parse(text) as { activities: { type?: string; text?: string; from?: { role?: string } }[] };
    for (const a of frame.activities) {
      if (a.type === 'message' && a.from?.role === 'bot' && a.text) conv.waiters.get(a.text)?.();
    }
  });
  await new Promise<void>((resolve, reject) => {
    ws.once('open', () => resolve());
    ws.once('error', reject);
  });
  return conv;
}

async function converse(
  base: string,
  conv: BenchConversation,
  index: number,
  messages: number,
  out: WebChatBenchResult,
  latencies: number[],
  label = 'bench',
) {
  for (let i = 0; i < messages; i++) {
    const text = `${label} ${index}-${i}`;
    const replied = new Promise<void>((resolve) => conv.waiters.set(`echo: ${text}`, resolve));
    const started = performance.now();
    for (;;) {
      const res = await postJson(`${base}/v3/directline/conversations/${conv.id}/activities`, conv.token, {
        type: 'message',
        text,
        from: { id: 'bench', role: 'user' },
        channelData: { clientActivityID: `bench-${index}-${i}` },
      });
      if (res.status === 429) {
        out.rateLimited++;
        await new Promise((r) => setTimeout(r, res.retryAfter * 1000));
        continue;
      }
      if (res.status !== 200) {
        out.failures++;
        conv.waiters.delete(`echo: ${text}`);
        break;
      }
      await replied;
      latencies.push(performance.now() - started);
      out.turns++;
      break;
    }
    conv.waiters.delete(`echo: ${text}`);
  }
}

export async function run(opts: WebChatBenchOptions = {}): Promise<WebChatBenchResult> {
  const conversations = opts.conversations ?? 200;
  const messages = opts.messagesPerConversation ?? 20;
  const store = opts.store ?? 'memory';
  const temp = !opts.base && store === 'lowdb' ? tempDir('webchat-bench-') : undefined;
  const storage: Storage | undefined = opts.base
    ? undefined
    : temp
      ? new LowdbStorage({ dir: temp.path })
      : new MemoryStorage();
  const server = opts.base
    ? undefined
    : await startWebChatServer({
        bot: opts.bot,
        storage,
        limits: { activitiesPerSecond: 100_000, activitiesBurst: 100_000, keepAliveMs: 15_000 },
      });
  const base = opts.base ?? server?.base ?? '';
  const out: WebChatBenchResult = {
    conversations,
    messagesPerConversation: messages,
    store: opts.base ? 'remote' : store,
    turns: 0,
    failures: 0,
    rateLimited: 0,
    seconds: 0,
    turnsPerSecond: 0,
    p50Ms: 0,
    p90Ms: 0,
    p99Ms: 0,
    maxMs: 0,
    connectSeconds: 0,
    warmupMessages: opts.warmupMessages ?? 1,
  };
  const convs: BenchConversation[] = [];
  try {
    const connectStart = performance.now();
    // Open in batches so the welcome turns do not all land at once.
    for (let i = 0; i < conversations; i += 50) {
      const batch = Math.min(50, conversations - i);
      convs.push(...(await Promise.all(Array.from({ length: batch }, () => openConversation(base)))));
    }
    out.connectSeconds = (performance.now() - connectStart) / 1000;
    const warmup = opts.warmupMessages ?? 1;
    if (warmup > 0) {
      const scratch = { ...out };
      await Promise.all(convs.map((c, i) => converse(base, c, i, warmup, scratch, [], 'warmup')));
      out.failures += scratch.failures;
    }
    const latencies: number[] = [];
    const start = performance.now();
    await Promise.all(convs.map((c, i) => converse(base, c, i, messages, out, latencies)));
    out.seconds = (performance.now() - start) / 1000;
    latencies.sort((a, b) => a - b);
    out.turnsPerSecond = Math.round((out.turns / out.seconds) * 10) / 10;
    out.p50Ms = Math.round(percentile(latencies, 50) * 10) / 10;
    out.p90Ms = Math.round(percentile(latencies, 90) * 10) / 10;
    out.p99Ms = Math.round(percentile(latencies, 99) * 10) / 10;
    out.maxMs = Math.round((latencies.at(-1) ?? 0) * 10) / 10;
    out.connectSeconds = Math.round(out.connectSeconds * 100) / 100;
    out.seconds = Math.round(out.seconds * 100) / 100;
    return out;
  } finally {
    for (const c of convs) c.ws.close();
    await server?.close();
    if (storage instanceof LowdbStorage) await storage.close();
    temp?.remove();
  }
}

function argument(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const result = await run({
    conversations: Number(argument('conversations') ?? 200),
    messagesPerConversation: Number(argument('messages') ?? 20),
    store: argument('store') === 'lowdb' ? 'lowdb' : 'memory',
    warmupMessages: Number(argument('warmup') ?? 1),
  });
  console.log(JSON.stringify(result, null, 2));
}
