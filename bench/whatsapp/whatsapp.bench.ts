/**
 * WhatsApp Cloud webhook benchmark: `senders` concurrent subscribers (default 200) each post signed
 * text webhooks back to back for `durationMs`, to the real restify server with the channel registered and a
 * fake Graph API behind it (real HTTP on 127.0.0.1). Reports the deliveries per second the server
 * acknowledged (200), ack latency, and p50/p99 from a delivery to the outbound Graph API call carrying its
 * reply (the fake records arrival times). Client, server and fake share one process and its cores, so
 * figures are a floor. Run alone: `npx tsx bench/whatsapp/whatsapp.bench.ts [senders] [durationMs] [memory|lowdb] [ack|conversation]`.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ActivityHandler, MemoryStorage, type Storage } from 'botbuilder';
import { LowdbStorage } from '../../adapters/store/lowdb/lowdb-storage.js';
import { startFakeGraphApi } from '../../test/helpers/fake-graph-api.js';
import { newWamid, postSignedWebhook, waTextWebhook } from '../../test/helpers/meta-signing.js';
import { startChannelHarness, TEST_SECRETS } from '../../test/adapters/whatsapp/channel-harness.js';

export interface WhatsAppBenchOptions {
  senders?: number;
  durationMs?: number;
  /** `memory` (default) or `lowdb` (files in a temp dir, as in production). */
  storage?: 'memory' | 'lowdb';
  /**
   * `ack` (default): each sender posts its next message as soon as the previous one is acknowledged (the
   * server's intake; replies queue up behind). `conversation`: each sender waits for its reply first, like a
   * person chatting (the latency a subscriber sees at that concurrency).
   */
  mode?: 'ack' | 'conversation';
}

export interface WhatsAppBenchResult {
  mode: string;
  senders: number;
  storage: string;
  durationMs: number;
  delivered: number;
  acknowledged: number;
  acksPerSecond: number;
  ackLatencyMs: { p50: number; p99: number };
  replied: number;
  deliveryToGraphCallMs: { p50: number; p99: number; max: number };
}

class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`echo ${context.activity.text}`);
      await next();
    });
  }
}

function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return Number.NaN;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] * 10) / 10;
}

export async function run(opts: WhatsAppBenchOptions = {}): Promise<WhatsAppBenchResult> {
  const senders = opts.senders ?? 200;
  const durationMs = opts.durationMs ?? 5000;
  const dir = opts.storage === 'lowdb' ? await mkdtemp(join(tmpdir(), 'wa-bench-')) : undefined;
  const storage: Storage = dir ? new LowdbStorage({ dir }) : new MemoryStorage();
  const graph = await startFakeGraphApi({
    whatsapp: { accessToken: TEST_SECRETS.whatsappAccessToken, phoneNumberId: TEST_SECRETS.phoneNumberId },
  });
  const h = await startChannelHarness({ bot: new EchoBot(), storage, graph });
  const url = `${h.baseUrl}/webhooks/whatsapp`;
  const sentAt = new Map<string, number>();
  const ackLatencies: number[] = [];
  let delivered = 0;
  let acknowledged = 0;
  const replyWaiters = new Map<string, () => void>();
  const unsubscribe = graph.subscribe((r) => {
    const text = (r.body.text as { body?: string } | undefined)?.body ?? '';
    replyWaiters.get(text.replace(/^echo /, ''))?.();
  });
  const started = performance.now();
  const deadline = started + durationMs;

  const sender = async (n: number) => {
    const s = { waId: String(15550200000 + n), phoneNumberId: TEST_SECRETS.phoneNumberId };
    for (let i = 0; performance.now() < deadline; i++) {
      const token = `${n}-${i}`;
      const body = waTextWebhook({ ...s, id: newWamid() }, token);
      const replied =
        opts.mode === 'conversation' ? new Promise<void>((r) => replyWaiters.set(token, r)) : Promise.resolve();
      const t0 = performance.now();
      sentAt.set(token, t0);
      delivered++;
      const res = await postSignedWebhook(url, TEST_SECRETS.whatsappAppSecret, body);
      if (res.status === 200) {
        acknowledged++;
        ackLatencies.push(performance.now() - t0);
        await replied;
      }
      replyWaiters.delete(token);
    }
  };
  await Promise.all(Array.from({ length: senders }, (_, n) => sender(n)));
  const elapsed = performance.now() - started;
  await h.idle();
  unsubscribe();

  const latencies: number[] = [];
  for (const r of graph.messages('whatsapp')) {
    const body = ((r.body.text as { body?: string } | undefined)?.body ?? '').replace(/^echo /, '');
    const t0 = sentAt.get(body);
    if (t0 !== undefined) latencies.push(r.arrivedAt - t0);
  }
  latencies.sort((a, b) => a - b);
  ackLatencies.sort((a, b) => a - b);
  await h.close();
  await graph.close();
  if (storage instanceof LowdbStorage) await storage.close();
  if (dir) await rm(dir, { recursive: true, force: true });
  return {
    mode: opts.mode ?? 'ack',
    senders,
    storage: opts.storage ?? 'memory',
    durationMs: Math.round(elapsed),
    delivered,
    acknowledged,
    acksPerSecond: Math.round((acknowledged / elapsed) * 1000),
    ackLatencyMs: { p50: percentile(ackLatencies, 50), p99: percentile(ackLatencies, 99) },
    replied: latencies.length,
    deliveryToGraphCallMs: {
      p50: percentile(latencies, 50),
      p99: percentile(latencies, 99),
      max: Math.round(latencies.at(-1) ?? Number.NaN),
    },
  };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [senders, durationMs, storage, mode] = process.argv.slice(2);
  run({
    mode: mode === 'conversation' ? 'conversation' : 'ack',
    senders: senders ? Number(senders) : undefined,
    durationMs: durationMs ? Number(durationMs) : undefined,
    storage: storage === 'lowdb' ? 'lowdb' : 'memory',
  }).then(
    (r) => console.log(JSON.stringify(r, null, 2)),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
