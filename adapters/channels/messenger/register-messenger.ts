/**
 * Mounts the Messenger webhook on the one server (CONTRACTS.md 3.2): `GET /webhooks/messenger` (handshake)
 * and `POST /webhooks/messenger` (signed payloads). A channel without its three settings is skipped with one
 * log line.
 */
import type { Storage, TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import type { Config } from '../../../bot/config.js';
import { readRawBody } from '../../../bot/http.js';
import type { Logger } from '../../../bot/logger.js';
import { metaVerificationHandler, metaWebhookHandler } from '../whatsapp/meta-webhook.js';
import { MessengerAdapter } from './messenger.adapter.js';

export interface MessengerDeps {
  bot: { run(context: TurnContext): Promise<void> };
  storage: Storage;
  config: Config;
  logger: Logger;
  clock?: () => number;
  retryDelaysMs?: readonly number[];
}

const MAX_WEBHOOK_BYTES = 1024 * 1024;

export function registerMessenger(server: Server, deps: MessengerDeps): { adapter?: MessengerAdapter } {
  const { messenger } = deps.config;
  const missing = (['appSecret', 'verifyToken', 'pageAccessToken'] as const).filter((k) => !messenger[k]);
  if (missing.length) {
    deps.logger.info('messenger channel disabled: settings missing', { missing });
    return {};
  }
  const logger = deps.logger.child({ channel: 'messenger' });
  const adapter = new MessengerAdapter({
    settings: { graphApiUrl: deps.config.graphApiUrl, pageAccessToken: messenger.pageAccessToken! },
    storage: deps.storage,
    logger,
    clock: deps.clock,
    retryDelaysMs: deps.retryDelaysMs,
  });
  const logic = (context: TurnContext) => deps.bot.run(context);
  server.get('/webhooks/messenger', metaVerificationHandler(messenger.verifyToken!));
  server.post(
    '/webhooks/messenger',
    readRawBody(MAX_WEBHOOK_BYTES),
    metaWebhookHandler(messenger.appSecret!, (payload) => {
      adapter.processWebhook(payload, logic).catch((error: unknown) => {
        logger.error('messenger webhook processing failed', { error: error instanceof Error ? error : String(error) });
      });
    }),
  );
  logger.info('messenger channel enabled');
  return { adapter };
}
