/**
 * Composition of the web chat channel on the one restify server: our Direct Line 3.0 service, the token endpoint
 * of CONTRACTS.md 3.3, the WebSocket stream, the pages, and (demo installs only) the demo identity route.
 * `bot/main.ts` calls `registerWebChat(server, deps)` and keeps the returned adapter for proactive messages.
 */
import type { Storage, TurnContext } from 'botbuilder';
import type { Server } from 'restify';
import type { Config } from '../../../bot/config.js';
import type { Logger } from '../../../bot/logger.js';
import { ConversationStore } from './conversation-store.js';
import { registerCors } from './cors.js';
import { DEFAULT_DEMO_MSISDN, registerDemoIdentity } from './demo-identity.js';
import { DEFAULT_LIMITS, registerDirectLineRoutes, type WebChatLimits } from './directline-service.js';
import { DirectLineTokens } from './directline-tokens.js';
import { loadOrCreateInstallSecret } from './install-secret.js';
import { RateLimiter } from './rate-limiter.js';
import { StreamHub } from './stream-hub.js';
import { WebChatAdapter } from './webchat.adapter.js';
import { registerWebChatPages } from './webchat-pages.js';

export interface WebChatDeps {
  bot: { run(context: TurnContext): Promise<void> };
  storage: Storage;
  config: Config;
  logger: Logger;
  /** Milliseconds since the epoch; defaults to `Date.now`. */
  clock?: () => number;
  /** Overrides of the limits (tests, operators with other needs). */
  limits?: Partial<WebChatLimits>;
  /** Which MSISDNs the demo identity route may sign (default: the fictional +1 555 numbers). */
  isDemoMsisdn?: (msisdn: string) => boolean;
}

export interface WebChat {
  adapter: WebChatAdapter;
  /** Closes the streams and waits for pending writes (shutdown, tests). */
  close(): Promise<void>;
  /** Whether `/demo/identity` is served (SEED_DEMO on and no WEBCHAT_IDENTITY_SECRET). */
  demoIdentities: boolean;
}

export function registerWebChat(server: Server, deps: WebChatDeps): WebChat {
  const { config, logger } = deps;
  const clock = deps.clock ?? Date.now;
  const limits: WebChatLimits = { ...DEFAULT_LIMITS, ...deps.limits };
  const tokenSecret = config.webchat.tokenSecret || loadOrCreateInstallSecret(config.dataDir, 'webchat-token.secret');
  const demoIdentities = config.seedDemo && !config.webchat.identitySecret;
  const demoSecret = demoIdentities
    ? loadOrCreateInstallSecret(config.dataDir, 'webchat-demo-identity.secret')
    : undefined;

  const conversations = new ConversationStore(deps.storage, {
    maxActivities: limits.maxActivitiesPerConversation,
    maxCached: limits.maxCachedConversations,
  });
  const hub = new StreamHub(limits.keepAliveMs);
  const adapter = new WebChatAdapter({
    conversations,
    hub,
    logger: logger.child({ component: 'webchat' }),
    clock,
    serviceUrl: () => config.publicUrl,
    bot: { id: config.microsoftApp.appId || 'bot', name: config.webchat.operatorName },
  });

  registerCors(server);
  registerDirectLineRoutes(server, {
    ...deps,
    clock,
    limits,
    adapter,
    conversations,
    hub,
    tokens: new DirectLineTokens(tokenSecret, limits.tokenTtlSeconds),
    rateLimiter: new RateLimiter(limits.activitiesPerSecond, limits.activitiesBurst, clock),
    identitySecret: config.webchat.identitySecret ?? demoSecret,
  });
  registerWebChatPages(server, config, { demoIdentities });
  if (demoSecret) {
    registerDemoIdentity(server, {
      secret: demoSecret,
      clock,
      isDemoMsisdn: deps.isDemoMsisdn ?? ((m) => DEFAULT_DEMO_MSISDN.test(m)),
    });
  }
  logger.info('web chat ready', {
    identity: config.webchat.identitySecret ? 'operator-signed' : demoIdentities ? 'demo' : 'anonymous-only',
  });

  return {
    adapter,
    demoIdentities,
    close: async () => {
      hub.close();
      await conversations.flush();
    },
  };
}
