/**
 * `POST /api/messages`: the standard Bot Framework endpoint (CloudAdapter), so the Emulator and Azure Bot
 * Service channels work unchanged. An empty `MicrosoftAppId` disables authentication (local use); with one
 * set, requests need a valid Bot Framework token (protocols.md 7.2).
 */
import {
  type ActivityHandler,
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  type ConfigurationBotFrameworkAuthenticationOptions,
  type TurnContext,
} from 'botbuilder';
import type { Request, Response, Next, Server } from 'restify';
import type { Config } from './config.js';
import { jsonBody } from './http.js';
import type { Logger } from './logger.js';

/** Bot Framework activities are small; 256 KB leaves room for attachments' metadata. */
const MAX_ACTIVITY_BYTES = 256 * 1024;

export function registerBotFrameworkEndpoint(
  server: Server,
  deps: {
    bot: ActivityHandler;
    config: Config;
    logger: Logger;
    /** The bot's turn-error handler (`BotApp.onTurnError`); a generic apology and log otherwise. */
    onTurnError?: (context: TurnContext, error: unknown) => Promise<void>;
  },
): CloudAdapter {
  const { appId, appPassword, appType, tenantId } = deps.config.microsoftApp;
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: appId,
    MicrosoftAppPassword: appPassword,
    MicrosoftAppType: appType,
    MicrosoftAppTenantId: tenantId,
  } as ConfigurationBotFrameworkAuthenticationOptions);
  const adapter = new CloudAdapter(auth);
  const logger = deps.logger.child({ component: 'bot-framework-endpoint' });
  adapter.onTurnError =
    deps.onTurnError ??
    (async (context, error) => {
      logger.error('turn failed', {
        channelId: context.activity.channelId,
        error: error instanceof Error ? error : String(error),
      });
      await context.sendActivity('Sorry, something went wrong on my side. Please try again in a moment.');
    });

  // restify rejects async handlers that also take `next`: settle the promise here instead.
  server.post('/api/messages', ...jsonBody(MAX_ACTIVITY_BYTES), (req: Request, res: Response, next: Next) => {
    // Only in-process channel adapters may vouch for a number (docs/ARCHITECTURE.md): an identity claimed by
    // whoever posts here is dropped, so nobody can read another subscriber's account by asserting their MSISDN.
    const channelData = (req.body as { channelData?: { identity?: unknown } }).channelData;
    if (channelData && typeof channelData === 'object') delete channelData.identity;
    adapter
      .process(req, res, (context) => deps.bot.run(context))
      .catch((error: unknown) => {
        logger.error('request failed', { error: error instanceof Error ? error : String(error) });
        if (!res.headersSent) res.send(500);
      })
      .finally(() => next(false));
  });
  return adapter;
}
