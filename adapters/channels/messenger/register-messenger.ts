/**
 * Mounts the Messenger webhook on the one server (CONTRACTS.md 3.2): `GET /webhooks/messenger` (handshake)
 * and `POST /webhooks/messenger` (signed payloads). A channel without its three settings is skipped with one
 * log line.
 */
import type { TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { type MetaChannelDeps, metaAdapterOptions } from '../meta/meta-channel-deps.js';
import { mountMetaWebhook } from '../meta/meta-webhook.js';
import { requireSettings } from '../shared/required-settings.js';
import { MessengerAdapter } from './messenger.adapter.js';

export type MessengerDeps = MetaChannelDeps;

export function registerMessenger(server: Server, deps: MessengerDeps): { adapter?: MessengerAdapter } {
  const messenger = requireSettings(
    deps.config.messenger,
    ['appSecret', 'verifyToken', 'pageAccessToken'],
    deps.logger,
    'messenger',
  );
  if (!messenger) return {};
  const logger = deps.logger.child({ channel: 'messenger' });
  const adapter = new MessengerAdapter(
    metaAdapterOptions(deps, logger, {
      graphApiUrl: deps.config.graphApiUrl,
      pageAccessToken: messenger.pageAccessToken,
    }),
  );
  const logic = (context: TurnContext) => deps.bot.run(context);
  mountMetaWebhook(server, {
    path: '/webhooks/messenger',
    secrets: messenger,
    channel: 'messenger',
    logger,
    process: (payload) => adapter.processWebhook(payload, logic),
  });
  logger.info('messenger channel enabled');
  return { adapter };
}
