/**
 * Mounts the WhatsApp Cloud API webhook on the one server (CONTRACTS.md 3.2):
 * `GET /webhooks/whatsapp` (Meta's handshake) and `POST /webhooks/whatsapp` (signed payloads).
 * Called by the composition root; a channel without its four settings is skipped with one log line.
 */
import type { Storage, TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import type { Config } from '../../../bot/config.js';
import { readRawBody } from '../../../bot/http.js';
import type { Logger } from '../../../bot/logger.js';
import { metaVerificationHandler, metaWebhookHandler } from './meta-webhook.js';
import { WhatsAppCloudAdapter } from './whatsapp-cloud.adapter.js';

export interface ChannelBot {
  run(context: TurnContext): Promise<void>;
}

export interface WhatsAppCloudDeps {
  bot: ChannelBot;
  storage: Storage;
  config: Config;
  logger: Logger;
  clock?: () => number;
  /** Graph API retry waits in ms (tests use short ones). */
  retryDelaysMs?: readonly number[];
}

/** Webhook bodies are small; a whole batch from Meta stays far below this. */
const MAX_WEBHOOK_BYTES = 1024 * 1024;

export function registerWhatsAppCloud(server: Server, deps: WhatsAppCloudDeps): { adapter?: WhatsAppCloudAdapter } {
  const { whatsapp } = deps.config;
  const missing = (['appSecret', 'verifyToken', 'accessToken', 'phoneNumberId'] as const).filter((k) => !whatsapp[k]);
  if (missing.length) {
    deps.logger.info('whatsapp cloud channel disabled: settings missing', { missing });
    return {};
  }
  const logger = deps.logger.child({ channel: 'whatsapp' });
  const adapter = new WhatsAppCloudAdapter({
    settings: {
      graphApiUrl: deps.config.graphApiUrl,
      accessToken: whatsapp.accessToken!,
      phoneNumberId: whatsapp.phoneNumberId!,
      templates: whatsapp.templates,
      templateLanguage: whatsapp.templateLanguage,
    },
    storage: deps.storage,
    logger,
    clock: deps.clock,
    retryDelaysMs: deps.retryDelaysMs,
  });
  const logic = (context: TurnContext) => deps.bot.run(context);
  server.get('/webhooks/whatsapp', metaVerificationHandler(whatsapp.verifyToken!));
  server.post(
    '/webhooks/whatsapp',
    readRawBody(MAX_WEBHOOK_BYTES),
    metaWebhookHandler(whatsapp.appSecret!, (payload) => {
      adapter.processWebhook(payload, logic).catch((error: unknown) => {
        logger.error('whatsapp webhook processing failed', { error: error instanceof Error ? error : String(error) });
      });
    }),
  );
  logger.info('whatsapp cloud channel enabled');
  return { adapter };
}
