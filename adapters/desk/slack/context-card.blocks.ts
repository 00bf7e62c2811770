/**
 * Renders a handoff's context card as Block Kit: the parent message of the case's thread in the agent channel.
 * Buttons carry the handoff id as `value`; `action_id`s `handoff_claim` and `handoff_resolve` are part of
 * CONTRACTS.md 3.4. Customer-supplied text is escaped (see `slack-text.ts`) and clipped to Block Kit's limits.
 */
import type { types } from '@slack/bolt';
import type { HandoffCard } from '../../../bot/handoff/desk.port.js';
import { clip, escapeSlack } from './slack-text.js';

export const ActionIds = {
  claim: 'handoff_claim',
  resolve: 'handoff_resolve',
  grant: 'handoff_grant',
  approveCreditLimit: 'handoff_credit_limit_approve',
  declineCreditLimit: 'handoff_credit_limit_decline',
} as const;

export const GRANT_VIEW_CALLBACK_ID = 'handoff_grant_submit';

const REASONS: Record<string, string> = {
  customer_request: 'Customer asked for a person',
  misunderstood: 'Bot misunderstood twice; customer accepted a person',
  negative_sentiment: 'Strongly negative sentiment',
  credit_limit_review: 'Credit-limit request needs a decision',
};

const CHANNELS: Record<string, string> = { whatsapp: 'WhatsApp', messenger: 'Messenger', webchat: 'Web chat' };

function statusLine(card: HandoffCard): string {
  switch (card.state) {
    case 'queued':
      return card.callbackOffered
        ? `:hourglass: Nobody claimed in time: *call back offered* to the customer`
        : `:hourglass_flowing_sand: Waiting for an agent${card.estimatedWaitMinutes ? ` (told ~${card.estimatedWaitMinutes} min)` : ''}`;
    case 'agent':
      return `:speech_balloon: With <@${card.agentId}>: reply in this thread to talk to the customer`;
    case 'callback':
      return ':telephone_receiver: *Call back requested*: the customer left a message (in the thread)';
    case 'resolved':
      return `:white_check_mark: Resolved by <@${card.resolvedBy}>${card.rating ? ` · rated ${card.rating}/5` : ''}`;
  }
}

function sentimentText(score: number | undefined): string {
  if (score === undefined) return 'n/a';
  const mood = score <= -0.5 ? 'very negative' : score < 0 ? 'negative' : score > 0 ? 'positive' : 'neutral';
  return `${mood} (${score.toFixed(2)})`;
}

/** The card's plain-text fallback (notifications, screen readers): no personal data beyond the masked number. */
export function cardFallbackText(card: HandoffCard): string {
  const who = card.customer.name ?? 'Unidentified customer';
  return `Handoff: ${who} ${card.customer.maskedMsisdn ?? ''} on ${CHANNELS[card.channelId] ?? card.channelId}`.trim();
}

export function contextCardBlocks(card: HandoffCard): types.KnownBlock[] {
  const who = card.customer.name ? escapeSlack(card.customer.name) : 'Unidentified customer';
  const blocks: types.KnownBlock[] = [
    {
      type: 'header',
      text: {
        type: 'plain_text',
        text: clip(`${card.customer.name ?? 'Unidentified customer'} ${card.customer.maskedMsisdn ?? ''}`.trim(), 150),
      },
    },
    { type: 'section', text: { type: 'mrkdwn', text: statusLine(card) } },
    {
      type: 'section',
      fields: [
        { type: 'mrkdwn', text: `*Customer*\n${who} ${card.customer.maskedMsisdn ?? ''}` },
        { type: 'mrkdwn', text: `*Channel*\n${CHANNELS[card.channelId] ?? escapeSlack(card.channelId)}` },
        { type: 'mrkdwn', text: `*Plan*\n${card.customer.plan ?? 'unknown'}` },
        {
          type: 'mrkdwn',
          text: `*Balance*\n${card.balance ?? 'n/a'}${card.creditLimit ? ` (limit ${card.creditLimit})` : ''}`,
        },
        { type: 'mrkdwn', text: `*Reason*\n${escapeSlack(REASONS[card.reason] ?? card.reason)}` },
        { type: 'mrkdwn', text: `*Sentiment*\n${sentimentText(card.sentiment)}` },
      ],
    },
  ];
  const account: string[] = [];
  account.push(
    `*Balances*\n${card.buckets.length > 0 ? card.buckets.map((b) => `• ${escapeSlack(b)}`).join('\n') : 'none'}`,
  );
  account.push(
    `*Open bill*\n${card.openBill ? `${card.openBill.billNo}: ${card.openBill.remaining} due ${card.openBill.dueDate} (${card.openBill.state})` : 'none'}`,
  );
  account.push(
    `*Recent payments*\n${card.recentPayments.length > 0 ? card.recentPayments.map((p) => `• ${p}`).join('\n') : 'none'}`,
  );
  if (card.pendingCreditLimit) {
    account.push(
      `*Pending credit-limit request*\n${card.pendingCreditLimit.previous} → ${card.pendingCreditLimit.requested}`,
    );
  }
  blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(account.join('\n\n'), 3000) } });

  if (card.lastTurns.length > 0) {
    const lines = card.lastTurns.map(
      (t) =>
        `*${t.from === 'customer' ? 'Customer' : t.from === 'bot' ? 'Bot' : 'Agent'}:* ${escapeSlack(clip(t.text, 300))}`,
    );
    blocks.push({ type: 'section', text: { type: 'mrkdwn', text: clip(`*Last turns*\n${lines.join('\n')}`, 3000) } });
  }
  if (card.callbackMessage) {
    blocks.push({
      type: 'section',
      text: { type: 'mrkdwn', text: clip(`*Call-back message*\n${escapeSlack(card.callbackMessage)}`, 3000) },
    });
  }

  if (card.state !== 'resolved') {
    const buttons: types.Button[] = [];
    if (card.state !== 'agent') {
      buttons.push({
        type: 'button',
        action_id: ActionIds.claim,
        style: 'primary',
        text: { type: 'plain_text', text: 'Claim' },
        value: card.handoffId,
      });
    }
    buttons.push({
      type: 'button',
      action_id: ActionIds.resolve,
      text: { type: 'plain_text', text: 'Resolve' },
      value: card.handoffId,
    });
    if (card.customer.maskedMsisdn && card.balance !== undefined) {
      buttons.push({
        type: 'button',
        action_id: ActionIds.grant,
        text: { type: 'plain_text', text: 'Grant goodwill' },
        value: card.handoffId,
      });
    }
    if (card.pendingCreditLimit) {
      buttons.push(
        {
          type: 'button',
          action_id: ActionIds.approveCreditLimit,
          style: 'primary',
          text: { type: 'plain_text', text: 'Approve credit limit' },
          value: `${card.handoffId}|${card.pendingCreditLimit.requestId}`,
        },
        {
          type: 'button',
          action_id: ActionIds.declineCreditLimit,
          style: 'danger',
          text: { type: 'plain_text', text: 'Decline credit limit' },
          value: `${card.handoffId}|${card.pendingCreditLimit.requestId}`,
        },
      );
    }
    blocks.push({ type: 'actions', block_id: 'handoff_actions', elements: buttons });
  }
  blocks.push({
    type: 'context',
    elements: [
      {
        type: 'mrkdwn',
        text: `Handoff ${card.handoffId} · queued ${card.queuedAt.slice(0, 16).replace('T', ' ')} UTC`,
      },
    ],
  });
  return blocks;
}

/** The goodwill modal: what to grant (credit or an app's sessions) and how much. */
export function grantModal(card: HandoffCard): types.ModalView {
  const options: types.PlainTextOption[] = [
    { text: { type: 'plain_text', text: `Credit (${card.currency ?? 'money'})` }, value: 'credit' },
    ...card.grantableApps.slice(0, 99).map((a) => ({
      text: { type: 'plain_text' as const, text: clip(`${a.name} sessions`, 75) },
      value: `app:${a.id}`,
    })),
  ];
  return {
    type: 'modal',
    callback_id: GRANT_VIEW_CALLBACK_ID,
    private_metadata: card.handoffId,
    title: { type: 'plain_text', text: 'Goodwill' },
    submit: { type: 'plain_text', text: 'Grant' },
    close: { type: 'plain_text', text: 'Cancel' },
    blocks: [
      {
        type: 'input',
        block_id: 'what',
        label: { type: 'plain_text', text: 'What to grant' },
        element: { type: 'static_select', action_id: 'value', options },
      },
      {
        type: 'input',
        block_id: 'quantity',
        label: { type: 'plain_text', text: 'Amount (credit in currency units, e.g. 2.50) or number of sessions' },
        element: { type: 'plain_text_input', action_id: 'value' },
      },
    ],
  };
}
