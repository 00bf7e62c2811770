/**
 * What the composition root hands a Meta channel's registration (`registerWhatsAppCloud`, `registerMessenger`),
 * and the adapter options built from it.
 */
import type { Storage, TurnContext } from 'botbuilder';
import type { Config } from '../../../bot/config.js';
import type { Logger } from '../../../bot/logger.js';
import type { MetaChannelAdapterOptions, MetaChannelSettings } from './meta-channel.adapter.js';

/** The bot as a channel sees it: something that runs a turn. */
export interface ChannelBot {
  run(context: TurnContext): Promise<void>;
}

export interface MetaChannelDeps {
  bot: ChannelBot;
  storage: Storage;
  config: Config;
  logger: Logger;
  clock?: () => number;
  /** Graph API retry waits in ms (tests use short ones). */
  retryDelaysMs?: readonly number[];
}

/** The adapter options both Meta channels build the same way from their deps and their own settings. */
export function metaAdapterOptions<S extends MetaChannelSettings>(
  deps: MetaChannelDeps,
  logger: Logger,
  settings: S,
): MetaChannelAdapterOptions<S> {
  return { settings, storage: deps.storage, logger, clock: deps.clock, retryDelaysMs: deps.retryDelaysMs };
}
