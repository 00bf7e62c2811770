/**
 * Proactive care under a burst: `subscribers` subscribers (default 10,000) each get one charging event at once
 * (their Facebook sessions run out), and every alert must reach the fake Graph API exactly once (no loss, no
 * duplicates, also when all events are replayed). Meanwhile a demo subscriber chats on WhatsApp ("my balance",
 * real recogniser and dialogs) and the bot's own reply latency (webhook POST -> the reply reaching the Graph
 * API) is measured without and during the burst. The whole product runs as `npm start` runs it (composeApp,
 * lowdb files in a temp DATA_DIR) on 127.0.0.1; client, server and fake share one process and its cores, so
 * figures are a floor. Run alone: `npx tsx bench/care/care.bench.ts [subscribers] [turns]`.
 */
import type { WhatsAppCloudAdapter } from '../../adapters/channels/whatsapp/whatsapp-cloud.adapter.js';
import { composeApp } from '../../bot/compose.js';
import { loadConfig } from '../../bot/config.js';
import { silentLogger } from '../../bot/logger.js';
import type { ChargingEvent } from '../../charging/model.js';
import { sharedRecognizer } from '../../test/helpers/bot-harness.js';
import { E2E_SECRETS } from '../../test/helpers/e2e-app.js';
import { startFakeGraphApi } from '../../test/helpers/fake-graph-api.js';
import { FixedClock } from '../../test/helpers/fixed-clock.js';
import { newWamid, postSignedWebhook, waTextWebhook } from '../../test/helpers/meta-signing.js';
import { tempDir } from '../../test/helpers/temp-dir.js';

export interface CareBenchOptions {
  subscribers?: number;
  /** Customer turns measured without and during the burst. Default 30. */
  turns?: number;
  log?: (line: string) => void;
}

export interface Latency {
  p50: number;
  p95: number;
  mean: number;
}

export interface CareBenchResult {
  subscribers: number;
  events: number;
  delivered: number;
  duplicates: number;
  lost: number;
  replayedAndResent: number;
  burstMs: number;
  alertsPerSecond: number;
  replyLatencyMs: { baseline: Latency; duringBurst: Latency };
  /** Alerts still waiting when the measured turns during the burst began and ended (the burst was on). */
  backlogDuringTurns: { atStart: number; atEnd: number };
  /** Alerts that reached the Graph API while the measured turns ran, and their rate (the share alerts kept). */
  alertsDuringTurns: { sent: number; perSecond: number; turnsMs: number };
  slowdownP50Percent: number;
  slowdownMeanPercent: number;
}

const ANA_WA = '15550100001';

function latency(samples: number[]): Latency {
  const s = [...samples].sort((a, b) => a - b);
  const at = (p: number) => Math.round(s[Math.min(s.length - 1, Math.floor(p * s.length))] * 10) / 10;
  return { p50: at(0.5), p95: at(0.95), mean: Math.round((s.reduce((x, y) => x + y, 0) / s.length) * 10) / 10 };
}

export async function run(opts: CareBenchOptions = {}): Promise<CareBenchResult> {
  const n = opts.subscribers ?? 10_000;
  const turns = opts.turns ?? 30;
  const log = opts.log ?? (() => undefined);
  const temp = tempDir('care-bench-');
  const graph = await startFakeGraphApi({
    whatsapp: { accessToken: E2E_SECRETS.whatsappAccessToken, phoneNumberId: E2E_SECRETS.phoneNumberId },
  });
  const clock = new FixedClock(new Date()); // a fixed instant: no day change mid-run
  const noon = new Date(clock.now());
  noon.setUTCHours(12, 0, 0, 0);
  clock.set(noon); // noon UTC: outside the default quiet hours
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: temp.path,
    ADMIN_TOKEN: E2E_SECRETS.adminToken,
    GRAPH_API_URL: graph.url,
    WHATSAPP_PROVIDER: 'cloud',
    WHATSAPP_APP_SECRET: E2E_SECRETS.whatsappAppSecret,
    WHATSAPP_VERIFY_TOKEN: E2E_SECRETS.whatsappVerifyToken,
    WHATSAPP_ACCESS_TOKEN: E2E_SECRETS.whatsappAccessToken,
    WHATSAPP_PHONE_NUMBER_ID: E2E_SECRETS.phoneNumberId,
    ALERTS_MAX_PER_DAY: '3',
  });
  const app = await composeApp({ config, logger: silentLogger, recognizer: await sharedRecognizer(), clock });
  const port = await app.listen('127.0.0.1');
  const base = `http://127.0.0.1:${port}`;
  const wa = app.adapters.whatsapp as WhatsAppCloudAdapter;
  const core = app.core;
  if (!core) throw new Error('the bench needs the embedded core');
  try {
    // -- the crowd: n prepaid subscribers, each reachable on WhatsApp (a conversation reference, as a chat leaves)
    const msisdns = Array.from({ length: n }, (_, i) => `+1555${String(2_000_000 + i).padStart(7, '0')}`);
    const t0 = performance.now();
    for (let i = 0; i < n; i += 500) {
      await Promise.all(
        msisdns.slice(i, i + 500).map(async (msisdn) => {
          const r = await core.createSubscriber({ msisdn, name: 'Sam', plan: 'prepaid', language: 'en' });
          if (!r.ok) throw new Error(`createSubscriber: ${r.error.code}`);
          const waId = msisdn.slice(1);
          await app.bot.conversationReferences.remember(
            {
              type: 'message',
              id: `seed-${waId}`,
              channelId: 'whatsapp',
              serviceUrl: `${graph.url}/${E2E_SECRETS.phoneNumberId}`,
              from: { id: waId, name: '' },
              recipient: { id: E2E_SECRETS.phoneNumberId, name: '' },
              conversation: { id: waId, isGroup: false, conversationType: 'personal', name: '' },
            },
            msisdn,
          );
        }),
      );
    }
    log(`seeded ${n} subscribers in ${Math.round(performance.now() - t0)} ms`);

    // -- the bot's own replies: Ana asks for her balance on WhatsApp, one message after another
    const waiters = new Map<string, () => void>();
    const unsubscribe = graph.subscribe((r) => {
      if (r.kind === 'message' && r.body.to === ANA_WA) for (const wake of waiters.values()) wake();
    });
    const turn = async (): Promise<number> => {
      const id = newWamid();
      const replied = new Promise<void>((resolve) => waiters.set(id, resolve));
      const started = performance.now();
      const sender = { waId: ANA_WA, phoneNumberId: E2E_SECRETS.phoneNumberId, name: 'Ana', id };
      const res = await postSignedWebhook(
        `${base}/webhooks/whatsapp`,
        E2E_SECRETS.whatsappAppSecret,
        waTextWebhook(sender, 'my balance'),
      );
      if (res.status !== 200) throw new Error(`webhook ${res.status}`);
      await replied;
      const ms = performance.now() - started;
      waiters.delete(id);
      await wa.idle();
      return ms;
    };
    await turn(); // warm-up: identity, first state
    await turn();
    const baseline: number[] = [];
    for (let i = 0; i < turns; i++) baseline.push(await turn());
    log(`baseline: ${JSON.stringify(latency(baseline))}`);

    // -- the burst: every subscriber's Facebook sessions run out at once (one bucket.depleted each)
    const events: ChargingEvent[] = [];
    const stopListening = app.charging.onEvent((e) => {
      if (e.type === 'bucket.depleted') events.push(e);
    });
    const burstStart = performance.now();
    for (let i = 0; i < n; i += 1000) {
      await Promise.all(
        msisdns.slice(i, i + 1000).map(async (msisdn) => {
          const r = await core.chargeUsage(msisdn, { app: 'facebook', quantity: 50 });
          if (!r.ok) throw new Error(`chargeUsage: ${r.error.code}`);
        }),
      );
    }
    stopListening();
    log(`burst raised ${events.length} events in ${Math.round(performance.now() - burstStart)} ms`);
    const alertsSent = () => graph.messages('whatsapp').filter((r) => r.body.to !== ANA_WA).length;
    const atStart = app.care.care.backlog;
    const sentAtStart = alertsSent();
    const turnsStart = performance.now();
    const during: number[] = [];
    for (let i = 0; i < turns; i++) during.push(await turn());
    const turnsMs = performance.now() - turnsStart;
    const sentDuringTurns = alertsSent() - sentAtStart;
    const atEnd = app.care.care.backlog;
    log(`during the burst (backlog ${atStart} -> ${atEnd}): ${JSON.stringify(latency(during))}`);
    await app.care.idle();
    await wa.idle();
    const burstMs = performance.now() - burstStart;
    unsubscribe();

    // -- exactly once: one alert per subscriber of the burst, also after replaying every event
    const perRecipient = (): Map<string, number> => {
      const counts = new Map<string, number>();
      for (const r of graph.messages('whatsapp')) {
        const to = String(r.body.to);
        if (to !== ANA_WA) counts.set(to, (counts.get(to) ?? 0) + 1);
      }
      return counts;
    };
    const counts = perRecipient();
    const delivered = counts.size;
    const duplicates = [...counts.values()].reduce((s, c) => s + Math.max(0, c - 1), 0);
    const sentBefore = graph.messages('whatsapp').length;
    for (const e of events) app.care.care.enqueue(e);
    await app.care.idle();
    await wa.idle();
    const replayedAndResent = graph.messages('whatsapp').length - sentBefore;

    const b = latency(baseline);
    const d = latency(during);
    return {
      subscribers: n,
      events: events.length,
      delivered,
      duplicates,
      lost: n - delivered,
      replayedAndResent,
      burstMs: Math.round(burstMs),
      alertsPerSecond: Math.round((delivered / burstMs) * 1000),
      replyLatencyMs: { baseline: b, duringBurst: d },
      backlogDuringTurns: { atStart, atEnd },
      alertsDuringTurns: {
        sent: sentDuringTurns,
        perSecond: Math.round((sentDuringTurns / turnsMs) * 1000),
        turnsMs: Math.round(turnsMs),
      },
      slowdownP50Percent: Math.round(((d.p50 - b.p50) / b.p50) * 1000) / 10,
      slowdownMeanPercent: Math.round(((d.mean - b.mean) / b.mean) * 1000) / 10,
    };
  } finally {
    await app.close();
    await graph.close();
    temp.remove();
  }
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const [subscribers, turns] = process.argv.slice(2).map(Number);
  run({
    subscribers: subscribers || undefined,
    turns: turns || undefined,
    log: (l) => process.stderr.write(`${l}\n`),
  })
    .then((r) => {
      process.stdout.write(`${JSON.stringify(r, null, 2)}\n`);
      process.exit(0);
    })
    .catch((error: unknown) => {
      process.stderr.write(`${error instanceof Error ? error.stack : String(error)}\n`);
      process.exit(1);
    });
}
