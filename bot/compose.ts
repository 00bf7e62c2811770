/**
 * Composition root: builds every part by hand from the settings and serves them on one restify server.
 * `main.ts` calls it for `npm start`; end-to-end tests call it with settings that point Meta's Graph API and
 * Slack's Web API at local fakes, so they run exactly what an operator runs.
 */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import type { BotAdapter, Storage } from 'botbuilder';
import type { Server } from 'restify';
import { HttpChargingClient } from '../adapters/charging-http/client.js';
import { registerChargingApi } from '../adapters/charging-http/api.js';
import type { WebChatLimits } from '../adapters/channels/webchat/directline-service.js';
import { registerWebChat, type WebChat } from '../adapters/channels/webchat/register-webchat.js';
import { registerMessenger } from '../adapters/channels/messenger/register-messenger.js';
import { MetaChannelAdapter } from '../adapters/channels/meta/meta-channel.adapter.js';
import { registerWhatsAppCloud } from '../adapters/channels/whatsapp/register-whatsapp-cloud.js';
import type { WhatsAppWebClient } from '../adapters/channels/whatsapp/whatsapp-web.adapter.js';
import { whatsappWindowCheck } from '../adapters/desk/slack/customer-window.js';
import type { SlackDeskHandle } from '../adapters/desk/slack/register-slack-desk.js';
import { SLACK_DISABLED_MESSAGE, slackDeskConfigured } from '../adapters/desk/slack/slack-settings.js';
import { registerSandboxPayments } from '../adapters/payments/sandbox/sandbox-payments.js';
import { OutboxSmsSender } from '../adapters/sms/outbox/outbox-sms-sender.js';
import { registerOutboxRoute } from '../adapters/sms/outbox/outbox.route.js';
import { createLowdbChargingStore } from '../adapters/store/lowdb/charging-store.js';
import { LowdbStorage } from '../adapters/store/lowdb/lowdb-storage.js';
import { type ChargingCore, createChargingCore } from '../charging/core.js';
import { seedDemo } from '../charging/demo.js';
import type { ChargingService, Clock } from '../charging/ports.js';
import { createRecognizer } from '../nlu/nlpjs-recognizer.js';
import type { Recognizer } from '../nlu/recognizer.js';
import { type BotApp, createBotApp } from './app.js';
import { registerBotFrameworkEndpoint } from './bot-framework.endpoint.js';
import type { Config } from './config.js';
import { type CareHandle, createProactiveCare } from './care/index.js';
import { HandoffMiddleware, HandoffService, handoffRequester } from './handoff/index.js';
import type { Logger } from './logger.js';
import { CardNumberGuard } from './payments/card-number-guard.js';
import { PaymentConversations } from './payments/payment-conversations.js';
import { PaymentLinkRecorder } from './payments/payment-link-recorder.js';
import { PaymentNotifier } from './payments/payment-notifier.js';
import { createHttpServer } from './server.js';

export interface ComposeOptions {
  config: Config;
  logger: Logger;
  clock?: Clock;
  /** Tests: a recognizer trained once and shared, instead of loading the cached model from DATA_DIR. */
  recognizer?: Recognizer;
  /** Tests: the whatsapp-web.js client (a fake with the library's event interface). */
  createWhatsAppWebClient?: () => WhatsAppWebClient;
  /** Tests: Slack Web API retries (default 2). */
  slackRetries?: number;
  /** How often the core's time-driven work runs (expiry, due bills). Default 60 s. */
  tickIntervalMs?: number;
  /** Overrides of the web chat's Direct Line limits (benchmarks raise the per-conversation rate limit). */
  webchatLimits?: Partial<WebChatLimits>;
}

export interface ComposedApp {
  server: Server;
  config: Config;
  charging: ChargingService;
  /** The embedded core (undefined when CHARGING_URL points at a remote one). */
  core?: ChargingCore;
  storage: Storage;
  bot: BotApp;
  outbox: OutboxSmsSender;
  /** Channel id -> adapter, for proactive messages. */
  adapters: Record<string, BotAdapter>;
  webchat: WebChat;
  handoff: HandoffService;
  slack?: SlackDeskHandle;
  payments: { notifier: PaymentNotifier; checkoutUrl(paymentId: string): string };
  /** Proactive care: alerts from the core's events on the subscriber's last-used channel. */
  care: CareHandle;
  /** Listens on `config.port` (0 = any free port); resolves with the bound port. */
  listen(host?: string): Promise<number>;
  /** Stops timers, closes the server and flushes the stores. */
  close(): Promise<void>;
}

export async function composeApp(opts: ComposeOptions): Promise<ComposedApp> {
  const { config, logger } = opts;
  mkdirSync(config.dataDir, { recursive: true });

  // -- the charging core: embedded by default, remote when CHARGING_URL is set
  let core: ChargingCore | undefined;
  let charging: ChargingService;
  if (config.chargingUrl) {
    charging = new HttpChargingClient({ baseUrl: config.chargingUrl, token: config.chargingToken });
    logger.info('charging: remote core', { component: 'charging' });
  } else {
    core = createChargingCore({
      store: createLowdbChargingStore({ dir: join(config.dataDir, 'charging') }),
      clock: opts.clock,
    });
    await core.ready();
    if (config.seedDemo) await seedDemo(core);
    charging = core;
  }

  // -- bot-side state, understanding, one-time codes, the bot
  const storage = new LowdbStorage({ dir: join(config.dataDir, 'state') });
  const recognizer = opts.recognizer ?? (await createRecognizer({ cacheDir: join(config.dataDir, 'nlu'), logger }));
  const outbox = new OutboxSmsSender(storage, opts.clock);
  const bot = await createBotApp({ charging, recognizer, storage, sms: outbox, config, logger, clock: opts.clock });

  let ready = false;
  const server = createHttpServer({ logger, isReady: () => ready });

  // -- HTTP surface: core API, outbox, Bot Framework endpoint, channels, checkout
  registerChargingApi(server, { charging, adminToken: config.adminToken, logger });
  registerOutboxRoute(server, { outbox, adminToken: config.adminToken });
  const cloudAdapter = registerBotFrameworkEndpoint(server, {
    bot: bot.bot,
    config,
    logger,
    onTurnError: bot.onTurnError,
  });
  // WhatsApp's and Messenger's 24-hour windows follow the injected clock (business time); Direct Line tokens keep
  // to the wall clock, as the browser holding them does.
  const nowMs = opts.clock ? () => opts.clock!.now().getTime() : undefined;
  const webchat = registerWebChat(server, {
    bot: bot.bot,
    storage,
    config,
    logger,
    limits: opts.webchatLimits,
  });
  const adapters: Record<string, BotAdapter> = {
    webchat: webchat.adapter,
    emulator: cloudAdapter,
    msteams: cloudAdapter,
  };
  if (config.whatsapp.provider === 'cloud') {
    const wa = registerWhatsAppCloud(server, { bot: bot.bot, storage, config, logger, clock: nowMs });
    if (wa.adapter) adapters.whatsapp = wa.adapter;
  } else if (config.whatsapp.provider === 'web') {
    // Loaded only when used: whatsapp-web.js (and puppeteer) cost start-up time for everyone else.
    const { startWhatsAppWeb } = await import('../adapters/channels/whatsapp/whatsapp-web.adapter.js');
    const wa = startWhatsAppWeb({
      bot: bot.bot,
      storage,
      config,
      logger,
      clock: nowMs,
      createClient: opts.createWhatsAppWebClient,
    });
    adapters.whatsapp = wa.adapter;
  } else {
    logger.info('whatsapp disabled: WHATSAPP_PROVIDER=off');
  }
  const messenger = registerMessenger(server, { bot: bot.bot, storage, config, logger, clock: nowMs });
  if (messenger.adapter) adapters.messenger = messenger.adapter;

  const sandbox = registerSandboxPayments(server, { charging, config, logger, clock: opts.clock });

  // -- human handoff and the Slack desk
  const handoff = new HandoffService({
    storage,
    charging,
    adapters,
    botAppId: config.microsoftApp.appId,
    queueTimeoutSeconds: config.slack.queueTimeoutSeconds,
    clock: opts.clock,
    logger,
    resolveMsisdn: async (context) => (await bot.profileOf(context)).msisdn,
    // Tells the agent when a WhatsApp reply had to go out as a template (outside the 24-hour window).
    isWindowClosed: whatsappWindowCheck(storage),
  });
  bot.useHandoff({ requester: handoffRequester });
  // Bolt is loaded only when the desk is configured (start-up time); registerSlackDesk logs why it is off.
  let slack: SlackDeskHandle | undefined;
  if (slackDeskConfigured(config.slack)) {
    const { registerSlackDesk } = await import('../adapters/desk/slack/register-slack-desk.js');
    slack = registerSlackDesk(server, {
      slack: config.slack,
      handoff,
      storage,
      logger,
      clock: opts.clock,
      retryConfig: { retries: opts.slackRetries ?? 2 },
    });
  } else {
    logger.info(SLACK_DISABLED_MESSAGE);
  }

  // -- payments back in the chat
  const paymentConversations = new PaymentConversations(storage);
  const notifier = new PaymentNotifier({
    charging,
    storage,
    conversations: paymentConversations,
    channelFor: (channelId) => adapters[channelId],
    botAppId: config.microsoftApp.appId,
    checkoutUrl: (id) => sandbox.checkoutUrl(id),
    logger,
  });
  const stopNotifier = notifier.start();

  // -- proactive care: the core's events become alerts on the subscriber's last-used channel
  const care = createProactiveCare({ charging, storage, bot, adapters, config, logger, clock: opts.clock });
  const stopCare = care.start();
  // Alerts give way to a WhatsApp or Messenger turn from its arrival, not only once it reaches the middleware.
  for (const adapter of new Set(Object.values(adapters))) {
    if (adapter instanceof MetaChannelAdapter) adapter.inboundTurns = care.care;
  }

  // Middleware on every channel, in order: card numbers are removed before anything else sees the message (the
  // bot then warns in the customer's language and points to their payment link); then "stop alerts" /
  // "start alerts" are answered, even while a human owns the conversation, and the last-used channel is noted;
  // then the handoff (a conversation owned by a human never reaches the dialogs); then payment links are
  // remembered with their conversation so the outcome is told where the customer paid from.
  const middleware = [
    new CardNumberGuard({ speak: false }),
    care.middleware,
    new HandoffMiddleware(handoff),
    new PaymentLinkRecorder(paymentConversations, config.publicUrl),
  ];
  for (const adapter of new Set(Object.values(adapters))) adapter.use(...middleware);

  // -- time-driven work of the core (bucket expiry, bills due and overdue)
  const tick = setInterval(() => {
    charging.tick().catch((error: unknown) => logger.error('charging tick failed', { error }));
  }, opts.tickIntervalMs ?? 60_000);
  tick.unref();

  return {
    server,
    config,
    charging,
    core,
    storage,
    bot,
    outbox,
    adapters,
    webchat,
    handoff,
    slack,
    payments: { notifier, checkoutUrl: (id) => sandbox.checkoutUrl(id) },
    care,
    listen: (host) =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        const onListening = () => {
          ready = true;
          resolve((server.address() as { port: number }).port);
        };
        if (host) server.listen(config.port, host, onListening);
        else server.listen(config.port, onListening);
      }),
    async close() {
      ready = false;
      clearInterval(tick);
      stopNotifier();
      stopCare();
      handoff.stop();
      slack?.stop();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await webchat.close();
      await notifier.idle();
      await care.idle();
      await storage.close();
      await core?.close();
    },
  };
}
