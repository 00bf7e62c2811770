/**
 * The running product around the handoff, for the desk's end-to-end tests: one restify server with the real
 * WhatsApp Cloud webhook (fake Graph API behind it) and `POST /slack/events` (fake Slack Web API behind it), the
 * real charging core with the demo data, the handoff service and its middleware on the channel adapter, and a
 * small bot that asks for a human on "agent" and otherwise echoes (so silence is visible).
 */
import { ActivityHandler, MemoryStorage, type Storage, type TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { loadConfig } from '../../../bot/config.js';
import { HandoffMiddleware } from '../../../bot/handoff/handoff.middleware.js';
import { HandoffService } from '../../../bot/handoff/handoff.service.js';
import { requestHuman } from '../../../bot/handoff/request-human.js';
import { silentLogger } from '../../../bot/logger.js';
import { createHttpServer } from '../../../bot/server.js';
import type { Clock } from '../../../charging/ports.js';
import { type ChargingCore, createChargingCore } from '../../../charging/core.js';
import { seedDemo } from '../../../charging/demo.js';
import { createMemoryChargingStore } from '../../../charging/memory-store.js';
import { registerWhatsAppCloud } from '../../../adapters/channels/whatsapp/register-whatsapp-cloud.js';
import type { WhatsAppCloudAdapter } from '../../../adapters/channels/whatsapp/whatsapp-cloud.adapter.js';
import { registerWebChat, type WebChat } from '../../../adapters/channels/webchat/register-webchat.js';
import { whatsappWindowCheck } from '../../../adapters/desk/slack/customer-window.js';
import { registerSlackDesk, type SlackDeskHandle } from '../../../adapters/desk/slack/register-slack-desk.js';
import { type FakeGraphApi, startFakeGraphApi } from '../../helpers/fake-graph-api.js';
import { type FakeSlackApi, startFakeSlackApi } from '../../helpers/fake-slack-api.js';
import { postSignedWebhook, waTextWebhook } from '../../helpers/meta-signing.js';
import { blockAction, postToSlackEndpoint, threadReplyEvent } from '../../helpers/slack-signing.js';
import { tempDir } from '../../helpers/temp-dir.js';

export const SECRETS = {
  slackToken: 'xoxb-test-token',
  signingSecret: 'slack-signing-secret',
  agentChannel: '#agents',
  waAppSecret: 'wa-app-secret',
  waAccessToken: 'wa-access-token',
  webchatIdentitySecret: 'webchat-identity-secret',
  phoneNumberId: '106540352242922',
} as const;

/** Ana, a demo prepaid subscriber (10 YouTube sessions, credit 5.00). */
export const ANA = { waId: '15550100001', msisdn: '+15550100001' } as const;

/** Echoes what it hears; "agent" asks for a human. `heard` shows whether the dialogs ran for a message. */
export class DeskTestBot extends ActivityHandler {
  readonly heard: string[] = [];

  constructor() {
    super();
    this.onMessage(async (context, next) => {
      const text = context.activity.text ?? '';
      this.heard.push(text);
      if (text.trim().toLowerCase() === 'agent') {
        await context.sendActivity('Let me find someone for you.');
        await requestHuman(context, { reason: 'customer_request', sentiment: -0.7 });
      } else {
        await context.sendActivity(`Bot heard: ${text}`);
      }
      await next();
    });
  }
}

export interface Rig {
  baseUrl: string;
  graph: FakeGraphApi;
  slack: FakeSlackApi;
  core: ChargingCore;
  storage: Storage;
  service: HandoffService;
  whatsapp: WhatsAppCloudAdapter;
  bot: DeskTestBot;
  desk: SlackDeskHandle;
  webchat: WebChat;
  /** The customer writes on WhatsApp; resolves once the turn has finished. */
  customerSays(text: string, who?: { waId: string }): Promise<void>;
  /** A signed delivery into `/slack/events`. */
  slackPost(
    delivery: { json: unknown } | { payload: unknown },
    opts?: Parameters<typeof postToSlackEndpoint>[3],
  ): Promise<{ status: number; text: string }>;
  click(actionId: string, value: string, user: string, actionTs?: string): Promise<{ status: number }>;
  agentReplies(user: string, text: string): Promise<{ status: number }>;
  /** WhatsApp text bodies sent to the customer, in order. */
  whatsappTexts(waId?: string): string[];
  /** The latest case (parent message) the desk opened: channel and ts. */
  lastCase(): { channel: string; ts: string; blocks: unknown[] };
  close(): Promise<void>;
}

/** Polls `check` until it holds (the desk works after its ack); the guard only bounds a failing test. */
export async function eventually(check: () => boolean | Promise<boolean>, what: string, guardMs = 5000): Promise<void> {
  const until = Date.now() + guardMs;
  while (!(await check())) {
    if (Date.now() > until) throw new Error(`never happened: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

export async function startRig(
  opts: {
    storage?: Storage;
    core?: ChargingCore;
    graph?: FakeGraphApi;
    slack?: FakeSlackApi;
    clock?: Clock;
    queueTimeoutSeconds?: number;
    /** The WhatsApp adapter's clock (ms), to move past the 24-hour window. */
    waNow?: () => number;
  } = {},
): Promise<Rig> {
  const storage = opts.storage ?? new MemoryStorage();
  let core = opts.core;
  if (!core) {
    core = createChargingCore({ store: createMemoryChargingStore() });
    await seedDemo(core);
  }
  const graph =
    opts.graph ??
    (await startFakeGraphApi({
      whatsapp: { accessToken: SECRETS.waAccessToken, phoneNumberId: SECRETS.phoneNumberId },
    }));
  const slack = opts.slack ?? (await startFakeSlackApi({ token: SECRETS.slackToken }));
  const dataDir = tempDir('handoff-rig-');
  const config = loadConfig({
    GRAPH_API_URL: graph.url,
    WHATSAPP_APP_SECRET: SECRETS.waAppSecret,
    WHATSAPP_VERIFY_TOKEN: 'verify',
    WHATSAPP_ACCESS_TOKEN: SECRETS.waAccessToken,
    WHATSAPP_PHONE_NUMBER_ID: SECRETS.phoneNumberId,
    SLACK_BOT_TOKEN: SECRETS.slackToken,
    SLACK_SIGNING_SECRET: SECRETS.signingSecret,
    SLACK_AGENT_CHANNEL: SECRETS.agentChannel,
    SLACK_API_URL: slack.url,
    SLACK_BOT_ID: 'BBOT',
    SLACK_BOT_USER_ID: 'UBOT',
    HANDOFF_QUEUE_TIMEOUT_SECONDS: String(opts.queueTimeoutSeconds ?? 300),
    WEBCHAT_IDENTITY_SECRET: SECRETS.webchatIdentitySecret,
    DATA_DIR: dataDir.path,
  });
  const bot = new DeskTestBot();
  const server: Server = createHttpServer({ logger: silentLogger, isReady: () => true });
  const waNow = opts.waNow ?? Date.now;
  const whatsapp = registerWhatsAppCloud(server, {
    bot: { run: (context: TurnContext) => bot.run(context) },
    storage,
    config,
    logger: silentLogger,
    clock: waNow,
    retryDelaysMs: [5],
  }).adapter!;
  const webchat = registerWebChat(server, {
    bot: { run: (context: TurnContext) => bot.run(context) },
    storage,
    config,
    logger: silentLogger,
    limits: { activitiesPerSecond: 1000, activitiesBurst: 1000 },
  });
  const service = new HandoffService({
    storage,
    charging: core,
    adapters: { whatsapp, webchat: webchat.adapter },
    queueTimeoutSeconds: config.slack.queueTimeoutSeconds,
    clock: opts.clock,
    logger: silentLogger,
    isWindowClosed: whatsappWindowCheck(storage, waNow),
  });
  whatsapp.use(new HandoffMiddleware(service));
  webchat.adapter.use(new HandoffMiddleware(service));
  const desk = registerSlackDesk(server, {
    slack: config.slack,
    handoff: service,
    storage,
    logger: silentLogger,
    retryConfig: { retries: 0 },
    startQueueSweep: false,
  })!;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  const baseUrl = `http://127.0.0.1:${port}`;

  const slackPost: Rig['slackPost'] = (delivery, o) =>
    postToSlackEndpoint(`${baseUrl}/slack/events`, SECRETS.signingSecret, delivery, o);
  const lastCase = () => {
    const opened = slack.callsOf('chat.postMessage').filter((c) => !c.args.thread_ts);
    const last = opened[opened.length - 1];
    if (!last) throw new Error('no case opened');
    return {
      channel: String(last.response.channel),
      ts: String(last.response.ts),
      blocks: last.args.blocks as unknown[],
    };
  };

  return {
    baseUrl,
    graph,
    slack,
    core,
    storage,
    service,
    whatsapp,
    bot,
    desk,
    webchat,
    customerSays: async (text, who = ANA) => {
      const res = await postSignedWebhook(
        `${baseUrl}/webhooks/whatsapp`,
        SECRETS.waAppSecret,
        waTextWebhook({ waId: who.waId, phoneNumberId: SECRETS.phoneNumberId, name: 'Ana' }, text),
      );
      if (res.status !== 200) throw new Error(`webhook answered ${res.status}`);
      await whatsapp.idle();
    },
    slackPost,
    click: (actionId, value, user, actionTs) => {
      const c = lastCase();
      return slackPost({
        payload: blockAction({ actionId, value, user, channel: c.channel, messageTs: c.ts, actionTs }),
      });
    },
    agentReplies: (user, text) => {
      const c = lastCase();
      return slackPost({ json: threadReplyEvent({ channel: c.channel, threadTs: c.ts, user, text }) });
    },
    whatsappTexts: (waId = ANA.waId) =>
      graph
        .messages('whatsapp')
        .filter((m) => m.body.to === waId)
        .map((m) => {
          const b = m.body as {
            type?: string;
            text?: { body?: string };
            interactive?: { body?: { text?: string } };
            template?: { name?: string };
          };
          if (b.type === 'template') return `[template ${b.template?.name}]`;
          return b.text?.body ?? b.interactive?.body?.text ?? '';
        }),
    lastCase,
    close: async () => {
      desk.stop();
      service.stop();
      await webchat.close();
      server.server.closeAllConnections?.();
      await new Promise<void>((r) => server.close(() => r()));
      dataDir.remove();
      if (!opts.graph) await graph.close();
      if (!opts.slack) await slack.close();
    },
  };
}
