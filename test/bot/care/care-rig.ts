/**
 * The whole product for the proactive-care tests: `composeApp` on 127.0.0.1 with a temp DATA_DIR (lowdb
 * everywhere), the real recogniser, a fixed clock (quiet hours, the daily cap), and Meta's Graph API replaced by
 * the local fake. Events are driven through the core's HTTP API with ADMIN_TOKEN; customers speak through signed
 * WhatsApp webhooks and Direct Line over HTTP. `restart()` composes again on the same DATA_DIR.
 */
import type { Activity } from 'botbuilder';
import { signVisitorIdentity } from '../../../adapters/channels/webchat/visitor-identity.js';
import type { WhatsAppCloudAdapter } from '../../../adapters/channels/whatsapp/whatsapp-cloud.adapter.js';
import { type ComposedApp, composeApp } from '../../../bot/compose.js';
import { loadConfig } from '../../../bot/config.js';
import { silentLogger } from '../../../bot/logger.js';
import type { ChargingEvent } from '../../../charging/model.js';
import { describeWhatsAppSend, E2E_SECRETS, e2eRecognizer, type WhatsAppSent } from '../../helpers/e2e-app.js';
import { type FakeGraphApi, startFakeGraphApi } from '../../helpers/fake-graph-api.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { newWamid, postSignedWebhook, waButtonReplyWebhook, waTextWebhook } from '../../helpers/meta-signing.js';
import { tempDir } from '../../helpers/temp-dir.js';

export { describeWhatsAppSend, type WhatsAppSent };

export interface WebChatVisitor {
  conversationId: string;
  say(text: string): Promise<Partial<Activity>[]>;
  /** Bot activities logged since the last call (alerts arrive here). */
  newActivities(): Promise<Partial<Activity>[]>;
}

export interface CareRig {
  app: ComposedApp;
  /** `http://127.0.0.1:{port}` of the running product. */
  readonly base: string;
  graph: FakeGraphApi;
  clock: FixedClock;
  /** Every event the core raised, in order. */
  events: ChargingEvent[];
  /** Calls the core's HTTP API with ADMIN_TOKEN; returns status and JSON body. */
  api(method: string, path: string, body?: unknown): Promise<{ status: number; body: Record<string, unknown> }>;
  /** A WhatsApp text from `waId`; waits for the turn; returns the sends to that user it caused. */
  whatsappSay(waId: string, text: string): Promise<WhatsAppSent[]>;
  /** Taps a reply button the bot sent to `waId`. */
  whatsappTap(waId: string, button: { id: string; title: string }): Promise<WhatsAppSent[]>;
  /** Every accepted WhatsApp send to `waId`. */
  whatsappSent(waId: string): WhatsAppSent[];
  webchat(msisdn: string): Promise<WebChatVisitor>;
  /** Waits for channel turns and for every queued alert. */
  idle(): Promise<void>;
  /** Closes the product and composes it again on the same DATA_DIR (a restart). */
  restart(): Promise<void>;
  close(): Promise<void>;
}

const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function startCareRig(opts: { env?: Record<string, string>; now?: string } = {}): Promise<CareRig> {
  const temp = tempDir('telco-care-');
  const graph = await startFakeGraphApi({
    whatsapp: { accessToken: E2E_SECRETS.whatsappAccessToken, phoneNumberId: E2E_SECRETS.phoneNumberId },
    messenger: { pageAccessToken: E2E_SECRETS.pageAccessToken },
  });
  const clock = new FixedClock(opts.now ?? '2026-03-10T12:00:00.000Z');
  const recognizer = await e2eRecognizer();
  const events: ChargingEvent[] = [];
  const env = {
    PORT: '0',
    PUBLIC_URL: 'http://127.0.0.1',
    DATA_DIR: temp.path,
    ADMIN_TOKEN: E2E_SECRETS.adminToken,
    GRAPH_API_URL: graph.url,
    WHATSAPP_PROVIDER: 'cloud',
    WHATSAPP_APP_SECRET: E2E_SECRETS.whatsappAppSecret,
    WHATSAPP_VERIFY_TOKEN: E2E_SECRETS.whatsappVerifyToken,
    WHATSAPP_ACCESS_TOKEN: E2E_SECRETS.whatsappAccessToken,
    WHATSAPP_PHONE_NUMBER_ID: E2E_SECRETS.phoneNumberId,
    WEBCHAT_IDENTITY_SECRET: E2E_SECRETS.webchatIdentitySecret,
    PAYMENT_CALLBACK_SECRET: E2E_SECRETS.paymentCallbackSecret,
    ...opts.env,
  };
  let app!: ComposedApp;
  let base = '';
  const compose = async () => {
    app = await composeApp({
      config: loadConfig(env),
      logger: silentLogger,
      recognizer,
      clock,
      tickIntervalMs: 3_600_000,
    });
    const port = await app.listen('127.0.0.1');
    base = `http://127.0.0.1:${port}`;
    app.charging.onEvent((e) => events.push(e));
  };
  await compose();

  const idle = async () => {
    await nextTick();
    await (app.adapters.whatsapp as WhatsAppCloudAdapter).idle();
    await app.care.idle();
    await (app.adapters.whatsapp as WhatsAppCloudAdapter).idle();
  };

  const whatsappSent = (waId: string) =>
    graph
      .messages('whatsapp')
      .filter((r) => r.body.to === waId)
      .map(describeWhatsAppSend);

  const json = async (res: Response) => {
    const text = await res.text();
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  };

  const directLine = async (method: string, path: string, token: string | undefined, body?: unknown) => {
    const headers: Record<string, string> = {};
    if (token) headers.Authorization = `Bearer ${token}`;
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    const res = await fetch(base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status}`);
    return json(res);
  };

  const waSender = (waId: string) => ({ waId, phoneNumberId: E2E_SECRETS.phoneNumberId, name: 'Test', id: newWamid() });
  const deliver = async (waId: string, payload: unknown) => {
    const before = whatsappSent(waId).length;
    const res = await postSignedWebhook(`${base}/webhooks/whatsapp`, E2E_SECRETS.whatsappAppSecret, payload);
    if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
    await idle();
    return whatsappSent(waId).slice(before);
  };

  let clientIds = 0;
  return {
    get app() {
      return app;
    },
    get base() {
      return base;
    },
    graph,
    clock,
    events,
    async api(method, path, body) {
      const res = await fetch(`${base}${path}`, {
        method,
        headers: { Authorization: `Bearer ${E2E_SECRETS.adminToken}`, 'Content-Type': 'application/json' },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      const out = { status: res.status, body: await json(res) };
      await idle();
      return out;
    },
    whatsappSay: (waId, text) => deliver(waId, waTextWebhook(waSender(waId), text)),
    whatsappTap: (waId, button) => deliver(waId, waButtonReplyWebhook(waSender(waId), button.id, button.title)),
    whatsappSent,
    async webchat(msisdn) {
      const identity = signVisitorIdentity(E2E_SECRETS.webchatIdentitySecret, msisdn, Date.now(), 600);
      const visitor = await directLine('POST', '/api/webchat/token', undefined, { identity });
      const started = await directLine('POST', '/v3/directline/conversations', String(visitor.token), {
        user: { id: 'ignored' },
        locale: 'en-US',
      });
      const conversationId = String(started.conversationId);
      const token = String(started.token);
      let watermark = '';
      const path = () => `/v3/directline/conversations/${encodeURIComponent(conversationId)}/activities`;
      const newActivities = async () => {
        await idle();
        const set = await directLine('GET', `${path()}?watermark=${encodeURIComponent(watermark)}`, token);
        watermark = String(set.watermark ?? watermark);
        return (set.activities as Partial<Activity>[]).filter((a) => a.from?.role !== 'user');
      };
      await newActivities(); // the greeting
      return {
        conversationId,
        async say(text) {
          await directLine('POST', path(), token, {
            type: 'message',
            text,
            from: { id: 'visitor', role: 'user' },
            locale: 'en-US',
            channelData: { clientActivityID: `care-${++clientIds}` },
          });
          return newActivities();
        },
        newActivities,
      };
    },
    idle,
    async restart() {
      await idle();
      await app.close();
      await compose();
    },
    async close() {
      await idle();
      await app.close();
      await graph.close();
      temp.remove();
    },
  };
}
