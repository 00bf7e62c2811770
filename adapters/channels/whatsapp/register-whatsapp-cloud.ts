/**
 * Mounts the WhatsApp Cloud API webhook on the one server (CONTRACTS.md 3.2):
 * `GET /webhooks/whatsapp` (Meta's handshake) and `POST /webhooks/whatsapp` (signed payloads).
 * Called by the composition root; a channel without its four settings is skipped with one log line.
 */
import type { TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import { type MetaChannelDeps, metaAdapterOptions } from '../meta/meta-channel-deps.js';
import { mountMetaWebhook } from '../meta/meta-webhook.js';
import { requireSettings } from '../shared/required-settings.js';
import { WhatsAppCloudAdapter } from './whatsapp-cloud.adapter.js';

export type { ChannelBot } from '../meta/meta-channel-deps.js';
export type WhatsAppCloudDeps = MetaChannelDeps;

export function registerWhatsAppCloud(server: Server, deps: WhatsAppCloudDeps): { adapter?: WhatsAppCloudAdapter } {
  const whatsapp = requireSettings(
    deps.config.whatsapp,
    ['appSecret', 'verifyToken', 'accessToken', 'phoneNumberId'],
    deps.logger,
    'whatsapp cloud',
  );
  if (!whatsapp) return {};
  const logger = deps.logger.child({ channel: 'whatsapp' });
  const adapter = new WhatsAppCloudAdapter(
    metaAdapterOptions(deps, logger, {
      graphApiUrl: deps.config.graphApiUrl,
      accessToken: whatsapp.accessToken,
      phoneNumberId: whatsapp.phoneNumberId,
      templates: whatsapp.templates,
      templateLanguage: whatsapp.templateLanguage,
    }),
  );
  const logic = (context: TurnContext) => deps.bot.run(context);
  mountMetaWebhook(server, {
    path: '/webhooks/whatsapp',
    secrets: whatsapp,
    channel: 'whatsapp',
    logger,
    process: (payload) => adapter.processWebhook(payload, logic),
  });
  logger.info('whatsapp cloud channel enabled');
  return { adapter };
}
