/**
 * The whole product for end-to-end tests: `composeApp` (embedded core on lowdb with the demo seed, LowdbStorage,
 * the real recogniser, every channel, the sandbox checkout, the payment notifier) on 127.0.0.1 in a temp
 * DATA_DIR, with Meta's Graph API replaced by the local fake (the only fake). Tests drive it the way the outside
 * world does: signed WhatsApp and Messenger webhooks, Direct Line over HTTP, the admin API, a real browser on the
 * checkout page.
 *
 *   const e2e = await startE2eApp();
 *   const ana = e2e.whatsapp('15550100001');
 *   const replies = await ana.say('how many youtube sessions do i have');   // the Graph API sends it caused
 *   await e2e.close();
 *
 * Every log line the product writes is kept in `logLines` (JSON, as on stdout) so tests can search them.
 */
import { createServer } from 'node:net';
import type { Activity, BotAdapter } from 'botbuilder';
import { MessengerAdapter } from '../../adapters/channels/messenger/messenger.adapter.js';
import { signVisitorIdentity } from '../../adapters/channels/webchat/visitor-identity.js';
import { WhatsAppCloudAdapter } from '../../adapters/channels/whatsapp/whatsapp-cloud.adapter.js';
import { type ComposedApp, composeApp } from '../../bot/compose.js';
import { loadConfig } from '../../bot/config.js';
import { createLogger } from '../../bot/logger.js';
import type { Subscriber } from '../../charging/model.js';
import type { Recognizer } from '../../nlu/recognizer.js';
import { sharedRecognizer } from './bot-harness.js';
import { type FakeGraphApi, type RecordedRequest, startFakeGraphApi } from './fake-graph-api.js';
import {
  messengerPostbackWebhook,
  messengerQuickReplyWebhook,
  messengerTextWebhook,
  newMid,
  newWamid,
  postSignedWebhook,
  waButtonReplyWebhook,
  waListReplyWebhook,
  waTextWebhook,
} from './meta-signing.js';
import { tempDir } from './temp-dir.js';

export const E2E_SECRETS = {
  adminToken: 'e2e-admin-token',
  whatsappAppSecret: 'e2e-wa-app-secret',
  whatsappVerifyToken: 'e2e-wa-verify-token',
  whatsappAccessToken: 'e2e-wa-access-token',
  phoneNumberId: '106540352242922',
  messengerAppSecret: 'e2e-fb-app-secret',
  messengerVerifyToken: 'e2e-fb-verify-token',
  pageAccessToken: 'e2e-fb-page-token',
  pageId: '1234567890',
  webchatIdentitySecret: 'e2e-operator-identity-secret',
  paymentCallbackSecret: 'e2e-payment-callback-secret-0123456789abcdef',
} as const;

/** The demo subscribers of charging/README.md. */
export const DEMO = {
  ana: '+15550100001',
  ben: '+15550100002',
  chloe: '+15550100003',
  diego: '+15550100004',
  eve: '+15550100005',
} as const;

/** The real recogniser, trained once per test run and shared with the dialog tests (bot-harness). */
export function e2eRecognizer(): Promise<Recognizer> {
  return sharedRecognizer();
}

/** What one WhatsApp outbound send says, whatever its shape (text, buttons, list, template). */
export interface WhatsAppSent {
  request: RecordedRequest;
  type: string;
  /** The text body (text) or interactive body; '' for a template. */
  text: string;
  /** Reply buttons (`interactive.type = button`). */
  buttons: { id: string; title: string }[];
  /** List rows (`interactive.type = list`), all sections. */
  rows: { id: string; title: string }[];
  /** The template name when `type = template`. */
  template?: string;
}

export function describeWhatsAppSend(request: RecordedRequest): WhatsAppSent {
  type J = Record<string, unknown>;
  const b = request.body;
  const type = String(b.type);
  const sent: WhatsAppSent = { request, type, text: '', buttons: [], rows: [] };
  if (type === 'text') sent.text = String((b.text as J).body);
  if (type === 'template') sent.template = String((b.template as J).name);
  if (type === 'interactive') {
    const i = b.interactive as J;
    sent.text = String((i.body as J).text);
    const action = i.action as J;
    if (i.type === 'button')
      sent.buttons = (action.buttons as { reply: { id: string; title: string } }[]).map((x) => x.reply);
    if (i.type === 'list')
      sent.rows = (action.sections as { rows: { id: string; title: string }[] }[]).flatMap((s) => s.rows);
  }
  return sent;
}

/** A subscriber (or stranger) writing to the operator's WhatsApp number. */
export interface WhatsAppUser {
  waId: string;
  /** Sends a text; waits for the turn; returns the Graph API sends to this user the turn caused. */
  say(text: string, opts?: { id?: string }): Promise<WhatsAppSent[]>;
  /** Taps a reply button (the id and title the bot sent). */
  tapButton(button: { id: string; title: string }, opts?: { id?: string }): Promise<WhatsAppSent[]>;
  /** Picks a list row. */
  pickRow(row: { id: string; title: string }, opts?: { id?: string }): Promise<WhatsAppSent[]>;
  /** Posts any webhook payload signed (or with `signature`), waits for the turn; status and the sends it caused. */
  deliver(payload: unknown, opts?: { signature?: string | null }): Promise<{ status: number; sent: WhatsAppSent[] }>;
  /** Every accepted send to this user so far. */
  sent(): WhatsAppSent[];
}

/** What one Messenger Send API call says. */
export interface MessengerSent {
  request: RecordedRequest;
  text: string;
  quickReplies: { title: string; payload: string }[];
  /** Button template buttons (links and postbacks). */
  buttons: { type: string; title: string; url?: string; payload?: string }[];
}

export function describeMessengerSend(request: RecordedRequest): MessengerSent {
  type J = Record<string, unknown>;
  const m = (request.body.message ?? {}) as J;
  const payload = ((m.attachment as J | undefined)?.payload ?? {}) as J;
  return {
    request,
    text: String(m.text ?? payload.text ?? ''),
    quickReplies: (m.quick_replies as { title: string; payload: string }[] | undefined) ?? [],
    buttons: (payload.buttons as MessengerSent['buttons'] | undefined) ?? [],
  };
}

export interface MessengerUser {
  psid: string;
  say(text: string): Promise<MessengerSent[]>;
  quickReply(payload: string, title?: string): Promise<MessengerSent[]>;
  postback(payload: string, title?: string): Promise<MessengerSent[]>;
  sent(): MessengerSent[];
}

/** A web chat visitor speaking Direct Line 3.0 over HTTP (as Web Chat does with `webSocket: false`). */
export interface WebChatUser {
  conversationId: string;
  token: string;
  /** Posts a message (the turn runs before the POST answers); returns the bot's activities since the last call. */
  say(text: string): Promise<Partial<Activity>[]>;
  /** The bot's activities logged since the last `say`/`newActivities` call. */
  newActivities(): Promise<Partial<Activity>[]>;
  /** The whole conversation as the Direct Line service returns it (user and bot). */
  history(): Promise<Partial<Activity>[]>;
}

export interface E2eApp {
  /** `http://127.0.0.1:{port}`, also PUBLIC_URL (payment links point here). */
  base: string;
  app: ComposedApp;
  graph: FakeGraphApi;
  dataDir: string;
  /** Every log line the product wrote (JSON strings). */
  logLines: string[];
  whatsapp(waId: string, name?: string): WhatsAppUser;
  messenger(psid: string): MessengerUser;
  /** Starts a web chat conversation, as the subscriber `msisdn` (operator-signed identity) or anonymous. */
  webchat(msisdn?: string): Promise<WebChatUser>;
  /** A subscriber as the core holds it now. */
  subscriber(msisdn: string): Promise<Subscriber>;
  /** The one-time-code SMS texts sent to `msisdn`, read through `GET /api/v1/outbox` with ADMIN_TOKEN. */
  outbox(msisdn: string): Promise<string[]>;
  /** Waits until every channel turn and payment notice started so far has finished. */
  idle(): Promise<void>;
  /** Stops the product (stores flushed to DATA_DIR) and the fake Graph API, keeping DATA_DIR to inspect. Idempotent. */
  stop(): Promise<void>;
  /** `stop()`, then deletes DATA_DIR. Idempotent. */
  close(): Promise<void>;
  /**
   * Waits (polling, after `idle()`) until `check` returns a value other than `undefined`/`false`, and returns it.
   * A guard against hanging only (`what` names the wait in the error): never a timing assertion.
   */
  waitUntil<T>(what: string, check: () => T | undefined | false | Promise<T | undefined | false>): Promise<T>;
}

export interface StartE2eOptions {
  /** Extra environment for loadConfig. */
  env?: Record<string, string>;
}

/** A free TCP port on 127.0.0.1 (PUBLIC_URL must be known before composing: dialogs keep it). */
async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve, reject) => {
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/** After the 200, Meta webhooks are processed on the next turn of the event loop (setImmediate). */
const nextTick = () => new Promise<void>((resolve) => setImmediate(resolve));

export async function startE2eApp(opts: StartE2eOptions = {}): Promise<E2eApp> {
  const temp = tempDir('telco-e2e-');
  const graph = await startFakeGraphApi({
    whatsapp: { accessToken: E2E_SECRETS.whatsappAccessToken, phoneNumberId: E2E_SECRETS.phoneNumberId },
    messenger: { pageAccessToken: E2E_SECRETS.pageAccessToken },
  });
  const logLines: string[] = [];
  const logger = createLogger('debug', { service: 'telco-bot-e2e' }, (line) => logLines.push(line));
  const recognizer = await e2eRecognizer();

  let app: ComposedApp | undefined;
  let port = 0;
  // The port is chosen before composing (PUBLIC_URL is baked into links); in the rare case another process
  // takes it meanwhile, compose again on another one.
  for (let attempt = 0; !app; attempt++) {
    port = await freePort();
    const base = `http://127.0.0.1:${port}`;
    const config = loadConfig({
      PORT: String(port),
      PUBLIC_URL: base,
      DATA_DIR: temp.path,
      LOG_LEVEL: 'debug',
      ADMIN_TOKEN: E2E_SECRETS.adminToken,
      GRAPH_API_URL: graph.url,
      WHATSAPP_PROVIDER: 'cloud',
      WHATSAPP_APP_SECRET: E2E_SECRETS.whatsappAppSecret,
      WHATSAPP_VERIFY_TOKEN: E2E_SECRETS.whatsappVerifyToken,
      WHATSAPP_ACCESS_TOKEN: E2E_SECRETS.whatsappAccessToken,
      WHATSAPP_PHONE_NUMBER_ID: E2E_SECRETS.phoneNumberId,
      MESSENGER_APP_SECRET: E2E_SECRETS.messengerAppSecret,
      MESSENGER_VERIFY_TOKEN: E2E_SECRETS.messengerVerifyToken,
      MESSENGER_PAGE_ACCESS_TOKEN: E2E_SECRETS.pageAccessToken,
      WEBCHAT_IDENTITY_SECRET: E2E_SECRETS.webchatIdentitySecret,
      PAYMENT_CALLBACK_SECRET: E2E_SECRETS.paymentCallbackSecret,
      OPERATOR_NAME: 'Acme Mobile',
      ...opts.env,
    });
    const composed = await composeApp({ config, logger, recognizer });
    try {
      await composed.listen('127.0.0.1');
      app = composed;
    } catch (error) {
      await composed.close().catch(() => undefined);
      if (attempt >= 3 || (error as NodeJS.ErrnoException).code !== 'EADDRINUSE') throw error;
    }
  }
  const composed = app;
  const base = `http://127.0.0.1:${port}`;
  const adapterOf = <T>(channelId: string, type: abstract new (...args: never[]) => T): T => {
    const adapter: BotAdapter | undefined = composed.adapters[channelId];
    if (!(adapter instanceof type)) throw new Error(`the ${channelId} channel is not enabled`);
    return adapter;
  };
  const waAdapter = adapterOf('whatsapp', WhatsAppCloudAdapter);
  const fbAdapter = adapterOf('messenger', MessengerAdapter);

  const idle = async () => {
    await nextTick();
    await waAdapter.idle();
    await fbAdapter.idle();
    await composed.payments.notifier.idle();
    await waAdapter.idle();
    await fbAdapter.idle();
  };

  const whatsapp = (waId: string, name = 'Test User'): WhatsAppUser => {
    const sender = (id?: string) => ({ waId, phoneNumberId: E2E_SECRETS.phoneNumberId, name, id: id ?? newWamid() });
    const mine = () =>
      graph
        .messages('whatsapp')
        .filter((r) => r.body.to === waId)
        .map(describeWhatsAppSend);
    const deliver = async (payload: unknown, o: { signature?: string | null } = {}) => {
      const before = mine().length;
      const res = await postSignedWebhook(`${base}/webhooks/whatsapp`, E2E_SECRETS.whatsappAppSecret, payload, o);
      await idle();
      return { status: res.status, sent: mine().slice(before) };
    };
    const accepted = async (payload: unknown) => {
      const { status, sent } = await deliver(payload);
      if (status !== 200) throw new Error(`the WhatsApp webhook answered ${status}`);
      return sent;
    };
    return {
      waId,
      say: (text, o = {}) => accepted(waTextWebhook(sender(o.id), text)),
      tapButton: (button, o = {}) => accepted(waButtonReplyWebhook(sender(o.id), button.id, button.title)),
      pickRow: (row, o = {}) => accepted(waListReplyWebhook(sender(o.id), row.id, row.title)),
      deliver,
      sent: mine,
    };
  };

  const messenger = (psid: string): MessengerUser => {
    const s = { psid, pageId: E2E_SECRETS.pageId };
    const mine = () =>
      graph
        .messages('messenger')
        .filter((r) => (r.body.recipient as { id?: string } | undefined)?.id === psid)
        .map(describeMessengerSend);
    const accepted = async (payload: unknown) => {
      const before = mine().length;
      const res = await postSignedWebhook(`${base}/webhooks/messenger`, E2E_SECRETS.messengerAppSecret, payload);
      if (res.status !== 200) throw new Error(`the Messenger webhook answered ${res.status}`);
      await idle();
      return mine().slice(before);
    };
    return {
      psid,
      say: (text) => accepted(messengerTextWebhook({ ...s, mid: newMid() }, text)),
      quickReply: (payload, title) => accepted(messengerQuickReplyWebhook(s, payload, title)),
      postback: (payload, title) => accepted(messengerPostbackWebhook(s, payload, title)),
      sent: mine,
    };
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
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path}: ${res.status} ${text}`);
    return (text ? JSON.parse(text) : {}) as Record<string, unknown>;
  };

  let stopped: Promise<void> | undefined;
  const stop = () => {
    stopped ??= (async () => {
      await idle();
      await composed.close();
      await graph.close();
    })();
    return stopped;
  };

  let clientIds = 0;
  const webchat = async (msisdn?: string): Promise<WebChatUser> => {
    const identity = msisdn
      ? signVisitorIdentity(E2E_SECRETS.webchatIdentitySecret, msisdn, Date.now(), 600)
      : undefined;
    const visitor = await directLine('POST', '/api/webchat/token', undefined, identity ? { identity } : {});
    const started = await directLine('POST', '/v3/directline/conversations', String(visitor.token), {
      user: { id: 'ignored' },
      locale: 'en-US',
    });
    const conversationId = String(started.conversationId);
    const token = String(started.token);
    let watermark = '';
    const page = async (from: string) => {
      const set = await directLine(
        'GET',
        `/v3/directline/conversations/${encodeURIComponent(conversationId)}/activities?watermark=${encodeURIComponent(from)}`,
        token,
      );
      return { activities: set.activities as Partial<Activity>[], watermark: String(set.watermark ?? from) };
    };
    const newActivities = async () => {
      await idle();
      const set = await page(watermark);
      watermark = set.watermark;
      return set.activities.filter((a) => a.from?.role !== 'user');
    };
    return {
      conversationId,
      token,
      async say(text) {
        await directLine(
          'POST',
          `/v3/directline/conversations/${encodeURIComponent(conversationId)}/activities`,
          token,
          {
            type: 'message',
            text,
            from: { id: 'visitor', role: 'user' },
            locale: 'en-US',
            channelData: { clientActivityID: `e2e-${++clientIds}` },
          },
        );
        return newActivities();
      },
      newActivities,
      history: async () => (await page('')).activities,
    };
  };

  return {
    base,
    app: composed,
    graph,
    dataDir: temp.path,
    logLines,
    whatsapp,
    messenger,
    webchat,
    async subscriber(msisdn) {
      const found = await composed.charging.getSubscriber(msisdn);
      if (!found.ok) throw new Error(`subscriber ${found.error.code}`);
      return found.value;
    },
    async outbox(msisdn) {
      const res = await fetch(`${base}/api/v1/outbox?msisdn=${encodeURIComponent(msisdn)}`, {
        headers: { Authorization: `Bearer ${E2E_SECRETS.adminToken}` },
      });
      if (res.status !== 200) throw new Error(`outbox: ${res.status}`);
      const body = (await res.json()) as { messages: { text?: string; body?: string }[] };
      return body.messages.map((m) => String(m.text ?? m.body ?? ''));
    },
    idle,
    async waitUntil(what, check) {
      const deadline = Date.now() + 30_000;
      for (;;) {
        await idle();
        const value = await check();
        if (value !== undefined && value !== false) return value;
        if (Date.now() > deadline) throw new Error(`gave up waiting for ${what}`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
    },
    stop,
    async close() {
      await stop();
      temp.remove();
    },
  };
}

/** The quantity left in a subscriber's bucket for `app` (summed over buckets of that app). */
export function sessionsOf(subscriber: Subscriber, app: string): number {
  return subscriber.buckets.filter((b) => b.app === app).reduce((sum, b) => sum + b.remainingValue, 0);
}
