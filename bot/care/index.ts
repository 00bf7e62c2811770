/**
 * Proactive care, wired in one call for the composition root:
 *
 *   const care = createProactiveCare({ charging, storage, bot, adapters, config, logger, clock });
 *   for (const adapter of adapters) adapter.use(care.middleware);
 *   const stopCare = care.start();
 *   ...
 *   stopCare(); await care.idle();
 */
import type { Storage } from 'botbuilder';
import type { ChargingService, Clock } from '../../charging/ports.js';
import type { BotApp } from '../app.js';
import type { Config } from '../config.js';
import type { Logger } from '../logger.js';
import type { ProactiveChannel } from '../payments/payment-notifier.js';
import { CareMiddleware } from './care.middleware.js';
import { ProactiveCare } from './proactive-care.js';

export { alertCommandOf } from './alert-commands.js';
export { CARE_EVENT_TYPES, careMessage } from './care-messages.js';
export { CareMiddleware } from './care.middleware.js';
export { type HandleOutcome, ProactiveCare, type ProactiveCareDeps } from './proactive-care.js';
export { isQuiet, localDay, quietEndsAt } from './quiet-hours.js';

export interface CareWiring {
  charging: ChargingService;
  storage: Storage;
  bot: Pick<BotApp, 'conversationReferences' | 'profileOf'>;
  /** Channel id -> adapter (read at send time, so adapters added later count). */
  adapters: Record<string, ProactiveChannel>;
  config: Pick<Config, 'alerts' | 'microsoftApp'>;
  logger: Logger;
  clock?: Clock;
  concurrency?: number;
  maxYieldMs?: number;
  settleMs?: number;
  flushIntervalMs?: number;
}

export interface CareHandle {
  care: ProactiveCare;
  middleware: CareMiddleware;
  /** Subscribes to the core's events and starts the deferred-alert timer; returns the stop function. */
  start(): () => void;
  idle(): Promise<void>;
}

export function createProactiveCare(w: CareWiring): CareHandle {
  const care = new ProactiveCare({
    charging: w.charging,
    storage: w.storage,
    references: w.bot.conversationReferences,
    channelFor: (channelId) => w.adapters[channelId],
    botAppId: w.config.microsoftApp.appId,
    settings: w.config.alerts,
    logger: w.logger,
    clock: w.clock,
    concurrency: w.concurrency,
    maxYieldMs: w.maxYieldMs,
    settleMs: w.settleMs,
    flushIntervalMs: w.flushIntervalMs,
  });
  const middleware = new CareMiddleware({
    care,
    references: w.bot.conversationReferences,
    msisdnOf: async (context) => (await w.bot.profileOf(context)).msisdn,
    logger: w.logger,
    clock: w.clock,
  });
  return { care, middleware, start: () => care.start(), idle: () => care.idle() };
}
