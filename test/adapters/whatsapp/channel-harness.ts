/**
 * A running restify server (bot/server.ts) with the WhatsApp Cloud and Messenger webhooks registered, a
 * fake Graph API behind them, and a settable clock: what the channel end-to-end tests (and the lead's
 * full-bot flows) start from. Pass any bot with `run(context)`.
 */
import { MemoryStorage, type Storage, type TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { type Config, loadConfig } from '../../../bot/config.js';
import { silentLogger } from '../../../bot/logger.js';
import { createHttpServer } from '../../../bot/server.js';
import type { MessengerAdapter } from '../../../adapters/channels/messenger/messenger.adapter.js';
import { registerMessenger } from '../../../adapters/channels/messenger/register-messenger.js';
import { registerWhatsAppCloud } from '../../../adapters/channels/whatsapp/register-whatsapp-cloud.js';
import type { WhatsAppCloudAdapter } from '../../../adapters/channels/whatsapp/whatsapp-cloud.adapter.js';
import { type FakeGraphApi, startFakeGraphApi } from '../../helpers/fake-graph-api.js';

export const TEST_SECRETS = {
  whatsappAppSecret: 'wa-app-secret',
  whatsappVerifyToken: 'wa-verify-token',
  whatsappAccessToken: 'wa-access-token',
  phoneNumberId: '27681414235104944',
  messengerAppSecret: 'fb-app-secret',
  messengerVerifyToken: 'fb-verify-token',
  pageAccessToken: 'fb-page-token',
} as const;

export interface ChannelHarness {
  baseUrl: string;
  graph: FakeGraphApi;
  whatsapp: WhatsAppCloudAdapter;
  messenger: MessengerAdapter;
  config: Config;
  storage: Storage;
  /** Moves the adapters' clock. */
  advance(ms: number): void;
  /** Waits until both adapters have finished every turn started so far. */
  idle(): Promise<void>;
  /** Closes the server (and the fake Graph API unless it was passed in). */
  close(): Promise<void>;
}

export async function startChannelHarness(opts: {
  bot: { run(context: TurnContext): Promise<void> };
  storage?: Storage;
  graph?: FakeGraphApi;
  now?: number;
}): Promise<ChannelHarness> {
  const ownGraph = !opts.graph;
  const graph =
    opts.graph ??
    (await startFakeGraphApi({
      whatsapp: { accessToken: TEST_SECRETS.whatsappAccessToken, phoneNumberId: TEST_SECRETS.phoneNumberId },
      messenger: { pageAccessToken: TEST_SECRETS.pageAccessToken },
    }));
  const config = loadConfig({
    GRAPH_API_URL: graph.url,
    WHATSAPP_APP_SECRET: TEST_SECRETS.whatsappAppSecret,
    WHATSAPP_VERIFY_TOKEN: TEST_SECRETS.whatsappVerifyToken,
    WHATSAPP_ACCESS_TOKEN: TEST_SECRETS.whatsappAccessToken,
    WHATSAPP_PHONE_NUMBER_ID: TEST_SECRETS.phoneNumberId,
    MESSENGER_APP_SECRET: TEST_SECRETS.messengerAppSecret,
    MESSENGER_VERIFY_TOKEN: TEST_SECRETS.messengerVerifyToken,
    MESSENGER_PAGE_ACCESS_TOKEN: TEST_SECRETS.pageAccessToken,
  });
  let now = opts.now ?? Date.now();
  const clock = () => now;
  const storage = opts.storage ?? new MemoryStorage();
  const server: Server = createHttpServer({ logger: silentLogger, isReady: () => true });
  const deps = { bot: opts.bot, storage, config, logger: silentLogger, clock, retryDelaysMs: [5, 10, 20] };
  const whatsapp = registerWhatsAppCloud(server, deps).adapter!;
  const messenger = registerMessenger(server, deps).adapter!;
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as { port: number };
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    graph,
    whatsapp,
    messenger,
    config,
    storage,
    advance: (ms) => {
      now += ms;
    },
    idle: async () => {
      await whatsapp.idle();
      await messenger.idle();
    },
    close: async () => {
      await new Promise<void>((r) => server.close(() => r()));
      if (ownGraph) await graph.close();
    },
  };
}
