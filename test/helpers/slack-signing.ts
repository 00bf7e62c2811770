/**
 * Signed Slack deliveries for tests, built like Slack sends them: Events API envelopes as JSON, interactivity
 * (`block_actions`, `view_submission`) as a form with one `payload` field; signed `v0` over the exact bytes sent
 * (bolt-js test recipe: HMAC-SHA256 of `v0:<timestamp>:<body>`).
 */
import { createHmac } from 'node:crypto';

export function signSlack(secret: string, timestamp: number, rawBody: string): string {
  return `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${rawBody}`).digest('hex')}`;
}

export interface SlackPostOptions {
  /** Seconds since the epoch for `X-Slack-Request-Timestamp`; default now. */
  timestamp?: number;
  /** Override the signature (`null` omits the headers entirely). */
  signature?: string | null;
  /** Marks the delivery as Slack's retry number n. */
  retryNum?: number;
}

export async function postToSlackEndpoint(
  url: string,
  secret: string,
  delivery: { json: unknown } | { payload: unknown },
  opts: SlackPostOptions = {},
): Promise<{ status: number; text: string }> {
  const isJson = 'json' in delivery;
  const raw = isJson
    ? JSON.stringify(delivery.json)
    : new URLSearchParams({ payload: JSON.stringify(delivery.payload) }).toString();
  const timestamp = opts.timestamp ?? Math.floor(Date.now() / 1000);
  const headers: Record<string, string> = {
    'Content-Type': isJson ? 'application/json' : 'application/x-www-form-urlencoded',
  };
  if (opts.signature !== null) {
    headers['X-Slack-Request-Timestamp'] = String(timestamp);
    headers['X-Slack-Signature'] = opts.signature ?? signSlack(secret, timestamp, raw);
  }
  if (opts.retryNum !== undefined) {
    headers['X-Slack-Retry-Num'] = String(opts.retryNum);
    headers['X-Slack-Retry-Reason'] = 'http_timeout';
  }
  const res = await fetch(url, { method: 'POST', headers, body: raw });
  return { status: res.status, text: await res.text() };
}

let counter = 0;
const nextId = (prefix: string) => `${prefix}${Date.now().toString(36)}${(counter++).toString(36)}`;

/** An Events API `message` event in a thread of the agent channel. */
export function threadReplyEvent(a: {
  channel: string;
  threadTs: string;
  user: string;
  text: string;
  eventId?: string;
}) {
  const ts = `1700000999.${String(counter++).padStart(6, '0')}`;
  return {
    token: 'legacy-verification-token',
    team_id: 'T1',
    api_app_id: 'A1',
    type: 'event_callback',
    event_id: a.eventId ?? nextId('Ev'),
    event_time: Math.floor(Date.now() / 1000),
    event: {
      type: 'message',
      channel: a.channel,
      channel_type: 'channel',
      user: a.user,
      text: a.text,
      ts,
      thread_ts: a.threadTs,
      event_ts: ts,
    },
  };
}

/** A `block_actions` payload for a button of the card (parent message `messageTs` in `channel`). */
export function blockAction(a: {
  actionId: string;
  value: string;
  user: string;
  channel: string;
  messageTs: string;
  actionTs?: string;
}) {
  return {
    type: 'block_actions',
    team: { id: 'T1', domain: 'fake' },
    user: { id: a.user, username: a.user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    container: { type: 'message', message_ts: a.messageTs, channel_id: a.channel, is_ephemeral: false },
    trigger_id: nextId('trigger.'),
    channel: { id: a.channel, name: 'agents' },
    message: { type: 'message', ts: a.messageTs, text: 'Handoff', bot_id: 'BBOT' },
    response_url: 'http://127.0.0.1:9/response-url-unused',
    actions: [
      {
        type: 'button',
        action_id: a.actionId,
        block_id: 'handoff_actions',
        text: { type: 'plain_text', text: a.actionId },
        value: a.value,
        action_ts: a.actionTs ?? `${Math.floor(Date.now() / 1000)}.${String(counter++).padStart(6, '0')}`,
      },
    ],
  };
}

/** A `view_submission` of the goodwill modal. */
export function grantSubmission(a: {
  user: string;
  handoffId: string;
  what: string;
  quantity: string;
  viewId?: string;
}) {
  return {
    type: 'view_submission',
    team: { id: 'T1', domain: 'fake' },
    user: { id: a.user, username: a.user.toLowerCase(), team_id: 'T1' },
    api_app_id: 'A1',
    token: 'legacy-verification-token',
    trigger_id: nextId('trigger.'),
    view: {
      id: a.viewId ?? nextId('V'),
      hash: nextId('h'),
      type: 'modal',
      callback_id: 'handoff_grant_submit',
      private_metadata: a.handoffId,
      team_id: 'T1',
      app_id: 'A1',
      bot_id: 'BBOT',
      title: { type: 'plain_text', text: 'Goodwill' },
      blocks: [],
      state: {
        values: {
          what: {
            value: {
              type: 'static_select',
              selected_option: { text: { type: 'plain_text', text: a.what }, value: a.what },
            },
          },
          quantity: { value: { type: 'plain_text_input', value: a.quantity } },
        },
      },
    },
  };
}
