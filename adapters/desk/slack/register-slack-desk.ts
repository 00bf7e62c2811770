/**
 * Wires the Slack agent desk onto the one restify server: a Bolt `App` with the project's own receiver at
 * `POST /slack/events`, the `SlackDesk` attached to the handoff service, the listeners, and the queue sweep.
 * Skipped with one log line when `SLACK_BOT_TOKEN`, `SLACK_SIGNING_SECRET` or `SLACK_AGENT_CHANNEL` is missing.
 */
import { SLACK_DISABLED_MESSAGE, slackDeskConfigured } from './slack-settings.js';
import { App, type webApi } from '@slack/bolt';
import type { Storage } from 'botbuilder';
import type { Server } from 'restify';
import { type Clock, systemClock } from '../../../charging/ports.js';
import type { Config } from '../../../bot/config.js';
import type { HandoffService } from '../../../bot/handoff/handoff.service.js';
import type { Logger } from '../../../bot/logger.js';
import { boltLogger } from './bolt-logger.js';
import { RestifySlackReceiver } from './restify-slack.receiver.js';
import { SlackDeliveryLog } from './slack-dedup.js';
import { SlackDesk } from './slack.desk.js';
import { registerSlackListeners } from './slack-listeners.js';

export interface SlackDeskDeps {
  /** `config.slack` (token, signing secret, agent channel, API URL, optional bot ids). */
  slack: Config['slack'];
  handoff: HandoffService;
  /** Where handled Slack deliveries are remembered (the same `Storage` as the rest of the bot). */
  storage: Storage;
  logger: Logger;
  /** Clock of the signature freshness check. Default: system time. */
  clock?: Clock;
  /** Web API retries. Default `{ retries: 2 }`: the desk must not wait Slack's default half hour. Tests pass `{ retries: 0 }`. */
  retryConfig?: webApi.RetryOptions;
  /** Start the queue-timeout sweep of the handoff service. Default true. */
  startQueueSweep?: boolean;
}

export interface SlackDeskHandle {
  app: App;
  desk: SlackDesk;
  /** Stops the queue sweep (the server itself is closed by its owner). */
  stop(): void;
}

export function registerSlackDesk(server: Server, deps: SlackDeskDeps): SlackDeskHandle | undefined {
  const { slack, handoff, storage } = deps;
  const logger = deps.logger.child({ component: 'slack-desk' });
  if (!slackDeskConfigured(slack)) {
    logger.info(SLACK_DISABLED_MESSAGE);
    return undefined;
  }
  const receiver = new RestifySlackReceiver({
    signingSecret: slack.signingSecret,
    deliveries: new SlackDeliveryLog(storage),
    clock: deps.clock ?? systemClock,
    logger,
  });
  const app = new App({
    token: slack.botToken,
    // With both ids Bolt skips `auth.test`; without them it calls it on the first event, not at start.
    botId: slack.botId,
    botUserId: slack.botUserId,
    tokenVerificationEnabled: false,
    receiver,
    convoStore: false,
    logger: boltLogger(logger),
    clientOptions: {
      slackApiUrl: slack.apiUrl.endsWith('/') ? slack.apiUrl : `${slack.apiUrl}/`,
      retryConfig: deps.retryConfig ?? { retries: 2 },
      timeout: 10_000,
    },
  });
  app.error(async (error) => {
    logger.error('slack listener failed', { error });
  });
  receiver.mount(server);
  const desk = new SlackDesk(app.client, slack.agentChannel);
  registerSlackListeners({ app, service: handoff, desk, logger });
  handoff.attachDesk(desk);
  if (deps.startQueueSweep !== false) handoff.startQueueSweep();
  logger.info('slack agent desk enabled', { route: '/slack/events' });
  return { app, desk, stop: () => handoff.stop() };
}
