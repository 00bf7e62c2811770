/**
 * What the agent desk does with Slack's events and clicks. Every listener acknowledges first (Slack wants an
 * answer within 3 seconds) and works after; outcomes are confirmed in the case's thread, refusals are shown only
 * to the agent concerned. Account actions carry an idempotency key derived from Slack's ids, so a redelivered
 * click or submission changes the account once even if it got past the delivery log.
 */
import type { App, BlockAction, ViewSubmitAction } from '@slack/bolt';
import type { GoodwillGrant, HandoffService } from '../../../bot/handoff/handoff.service.js';
import type { HandoffResult } from '../../../bot/handoff/handoff.model.js';
import type { Logger } from '../../../bot/logger.js';
import { ActionIds, GRANT_VIEW_CALLBACK_ID } from './context-card.blocks.js';
import type { SlackDesk } from './slack.desk.js';
import { slackToPlainText } from './slack-text.js';

export interface SlackListenerDeps {
  app: App;
  service: HandoffService;
  desk: SlackDesk;
  logger: Logger;
}

interface ThreadMessage {
  channel: string;
  user?: string;
  text?: string;
  ts: string;
  thread_ts?: string;
  subtype?: string;
  bot_id?: string;
}

function asThreadMessage(event: object): ThreadMessage | undefined {
  const e = event as Partial<ThreadMessage>;
  if (typeof e.channel !== 'string' || typeof e.ts !== 'string') return undefined;
  return e as ThreadMessage;
}

function buttonValue(action: BlockAction['actions'][number]): string {
  return 'value' in action && typeof action.value === 'string' ? action.value : '';
}

/** Parses the goodwill modal: `credit` takes a decimal amount in currency units, sessions a whole number. */
export function parseGrant(what: string | undefined, quantity: string | undefined): GoodwillGrant | { error: string } {
  const text = (quantity ?? '').trim().replace(',', '.');
  if (what === 'credit') {
    if (!/^\d{1,7}(\.\d{1,2})?$/.test(text) || Number(text) <= 0) return { error: 'Enter an amount such as 2.50' };
    return { amount: Math.round(Number(text) * 100) };
  }
  if (what?.startsWith('app:')) {
    if (!/^\d{1,5}$/.test(text) || Number(text) <= 0) return { error: 'Enter a whole number of sessions' };
    return { app: what.slice(4), quantity: Number(text) };
  }
  return { error: 'Choose what to grant' };
}

function refusal(result: HandoffResult<unknown>): string {
  if (result.ok) return '';
  switch (result.error.code) {
    case 'HANDOFF.ALREADY_CLAIMED':
      return 'Another agent has already claimed this conversation.';
    case 'HANDOFF.NOT_OWNER':
      return 'Only the agent who claimed this conversation can do that.';
    case 'HANDOFF.NOT_ACTIVE':
      return 'This conversation is not with an agent (claim it first, or it is already resolved).';
    case 'HANDOFF.NO_SUBSCRIBER':
      return 'The customer is not identified, so there is no account to act on.';
    case 'HANDOFF.CHARGING_FAILED':
      return `The charging core refused: ${result.error.cause ?? ''} ${result.error.message}`.trim();
    default:
      return `That did not work: ${result.error.message}.`;
  }
}

export function registerSlackListeners({ app, service, desk, logger }: SlackListenerDeps): void {
  const caseOf = async (handoffId: string): Promise<string | undefined> =>
    (await service.getHandoff(handoffId))?.caseRef;

  const refuse = async (handoffId: string, user: string, result: HandoffResult<unknown>): Promise<void> => {
    const caseRef = await caseOf(handoffId);
    if (caseRef) await desk.tellAgent(caseRef, user, refusal(result));
  };

  app.action<BlockAction>(ActionIds.claim, async ({ ack, body, action }) => {
    await ack();
    const handoffId = buttonValue(action);
    const result = await service.claim(handoffId, body.user.id);
    if (!result.ok) return refuse(handoffId, body.user.id, result);
    if (result.value.caseRef) {
      await desk.postInThread(
        result.value.caseRef,
        `<@${body.user.id}> claimed this conversation. Replies in this thread go to the customer.`,
      );
    }
  });

  app.action<BlockAction>(ActionIds.resolve, async ({ ack, body, action }) => {
    await ack();
    const handoffId = buttonValue(action);
    const result = await service.resolve(handoffId, body.user.id);
    if (!result.ok) return refuse(handoffId, body.user.id, result);
    if (result.value.caseRef) {
      await desk.postInThread(
        result.value.caseRef,
        `<@${body.user.id}> resolved this conversation: the customer is back with the bot and was asked for a rating.`,
      );
    }
  });

  app.action<BlockAction>(ActionIds.grant, async ({ ack, body, action }) => {
    await ack();
    const handoffId = buttonValue(action);
    const card = await service.cardOf(handoffId);
    if (!card) return;
    await desk.openGrantModal(body.trigger_id, card);
  });

  for (const [actionId, approve] of [
    [ActionIds.approveCreditLimit, true],
    [ActionIds.declineCreditLimit, false],
  ] as const) {
    app.action<BlockAction>(actionId, async ({ ack, body, action }) => {
      await ack();
      const [handoffId, requestId] = buttonValue(action).split('|');
      const key = `slack:action:${actionId}:${'action_ts' in action ? action.action_ts : ''}:${body.user.id}`;
      const result = await service.decideCreditLimit(handoffId, body.user.id, requestId ?? '', approve, key);
      if (!result.ok) return refuse(handoffId, body.user.id, result);
      const caseRef = await caseOf(handoffId);
      if (caseRef) {
        await desk.postInThread(
          caseRef,
          `<@${body.user.id}> ${result.value.status} the credit-limit request; the limit is ${result.value.limit}. The customer was told.`,
        );
      }
    });
  }

  app.view<ViewSubmitAction>(GRANT_VIEW_CALLBACK_ID, async ({ ack, body, view }) => {
    const values = view.state.values;
    const parsed = parseGrant(values.what?.value?.selected_option?.value, values.quantity?.value?.value ?? undefined);
    if ('error' in parsed) {
      const block = parsed.error.startsWith('Choose') ? 'what' : 'quantity';
      await ack({ response_action: 'errors', errors: { [block]: parsed.error } });
      return;
    }
    await ack();
    const handoffId = view.private_metadata;
    // One modal is submitted once: its view id names the grant, so a redelivered submission applies once.
    const result = await service.grant(handoffId, body.user.id, parsed, `slack:view:${view.id}`);
    if (!result.ok) return refuse(handoffId, body.user.id, result);
    const caseRef = await caseOf(handoffId);
    if (caseRef) {
      await desk.postInThread(
        caseRef,
        `<@${body.user.id}> granted ${result.value.description} as goodwill (recorded in the ledger as agent:${body.user.id}).`,
      );
    }
  });

  app.event('message', async ({ event }) => {
    const message = asThreadMessage(event);
    // Only people's replies inside a thread: no parent messages, edits, deletions or bot posts (our own relays).
    if (!message?.thread_ts || message.thread_ts === message.ts || !message.user || message.bot_id) return;
    if (message.subtype !== undefined && message.subtype !== 'thread_broadcast') return;
    const handoffId = await service.handoffIdOfCase(`${message.channel}/${message.thread_ts}`);
    if (!handoffId) return;
    const text = slackToPlainText(message.text ?? '');
    if (!text) return;
    const result = await service.deliverAgentReply(handoffId, message.user, text);
    if (!result.ok) {
      logger.info('slack: thread reply not delivered', { handoffId, code: result.error.code });
      const caseRef = `${message.channel}/${message.thread_ts}`;
      const record = await service.getHandoff(handoffId);
      const why =
        result.error.code === 'HANDOFF.NOT_OWNER'
          ? `Not delivered: only <@${record?.agentId}>, who claimed this conversation, talks to the customer.`
          : `Not delivered: ${refusal(result)}`;
      await desk.tellAgent(caseRef, message.user, why);
    }
  });
}
