/**
 * What the two Meta Graph API channels (WhatsApp Cloud API, Messenger) share as botbuilder adapters: their
 * options, a Graph API client, per-user channel state in `Storage`, one queue per user (a user's turns keep
 * their order, users run in parallel) and the outbound loop over a turn's activities.
 */
import { type Activity, ActivityTypes, type ResourceResponse, type Storage, type TurnContext } from 'botbuilder';
import type { Logger } from '../../../bot/logger.js';
import { ChannelBotAdapter } from '../shared/channel-bot-adapter.js';
import { ChannelUserStateStore } from '../shared/channel-user-state.js';
import { KeyedQueue } from '../shared/keyed-queue.js';
import { GraphApiClient } from './graph-api.client.js';

/** The settings every Meta Graph channel has; each channel adds its own token and ids. */
export interface MetaChannelSettings {
  graphApiUrl: string;
}

export interface MetaChannelAdapterOptions<S extends MetaChannelSettings> {
  settings: S;
  storage: Storage;
  logger: Logger;
  clock?: () => number;
  /** Graph API retry waits (ms); tests pass short ones. */
  retryDelaysMs?: readonly number[];
  /** Answer to media without text (the bot reads text only). */
  mediaReply?: string;
}

/** Told when an inbound message is taken for a turn and when that turn is done. */
export interface InboundTurnObserver {
  turnStarted(): void;
  turnEnded(): void;
}

/** Base of the WhatsApp Cloud and Messenger adapters; each renders and sends its own payloads. */
export abstract class MetaChannelAdapter<S extends MetaChannelSettings> extends ChannelBotAdapter {
  protected readonly graph: GraphApiClient;
  protected readonly users: ChannelUserStateStore;
  protected readonly queue = new KeyedQueue();
  protected readonly clock: () => number;
  /**
   * Told of every inbound message turn from the moment it is queued, before its dedup and channel state are
   * read and written (the middleware sees a turn only after that), so background work (proactive alerts) can
   * give way to the whole turn. Set by the composition root.
   */
  inboundTurns: InboundTurnObserver | undefined;

  /**
   * @param channelId the activities' `channelId`, also the key space of the users' state in `Storage`.
   * @param sender names what refuses edits and deletes in the error ("WhatsApp", "Messenger").
   */
  protected constructor(
    readonly channelId: string,
    sender: string,
    protected readonly opts: MetaChannelAdapterOptions<S>,
  ) {
    super(sender);
    this.clock = opts.clock ?? Date.now;
    this.graph = new GraphApiClient({
      baseUrl: opts.settings.graphApiUrl,
      logger: opts.logger,
      retryDelaysMs: opts.retryDelaysMs,
    });
    this.users = new ChannelUserStateStore(opts.storage, channelId);
  }

  /** Resolves once every queued turn has finished. */
  idle(): Promise<void> {
    return this.queue.idle();
  }

  /** Runs `turn` after the user's earlier turns; a failure is logged (`<channelId> turn failed`), not thrown. */
  protected inUserOrder(userId: string, turn: () => Promise<void>): Promise<void> {
    const observer = this.inboundTurns;
    observer?.turnStarted();
    return this.queue
      .run(userId, () =>
        turn().catch((error: unknown) => {
          this.opts.logger.error(`${this.channelId} turn failed`, {
            error: error instanceof Error ? error : String(error),
          });
        }),
      )
      .finally(() => observer?.turnEnded());
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type === 'delay') {
        await new Promise((r) => setTimeout(r, typeof activity.value === 'number' ? activity.value : 1000));
        responses.push({ id: '' });
      } else if (activity.type === ActivityTypes.Message) {
        responses.push({ id: await this.sendMessage(context, activity) });
      } else {
        responses.push({ id: '' }); // typing, trace, events: nothing to send on these channels
      }
    }
    return responses;
  }

  /** Sends one message activity; returns the channel's id of what went out last, or '' when nothing was sent. */
  protected abstract sendMessage(context: TurnContext, activity: Partial<Activity>): Promise<string>;
}
