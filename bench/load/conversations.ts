/**
 * Conversations the load generator drives, on either HTTP path both bots serve:
 *
 * - `api-messages`: `POST /api/messages` with `deliveryMode: expectReplies` (the replies come back in the HTTP
 *   response). That endpoint drops any identity a caller claims (only in-process channel adapters may vouch for
 *   a number), so on the product each conversation's user is verified once, in setup, the way a subscriber
 *   would: ask for the balance, give the number, read the one-time code from the SMS outbox
 *   (`GET /api/v1/outbox`, admin token), type it.
 * - `directline`: Direct Line 3.0 as Web Chat speaks it. The visitor token carries an identity signed with
 *   WEBCHAT_IDENTITY_SECRET (CONTRACTS.md 3.3: a visitor logged in on the operator's site), then a conversation
 *   is started, then activities are posted. Our Direct Line answers the POST once the bot's turn is over (its
 *   replies are in the conversation log and on the stream by then), so one POST is one complete turn.
 *
 * Each conversation walks a fixed script and remembers where it is (`cursor`), across runs, so a dialog that a
 * run left waiting for "yes" gets its "yes" first in the next run.
 */
import { signVisitorIdentity } from '../../adapters/channels/webchat/visitor-identity.js';

export type BotPath = 'api-messages' | 'directline';

/** One message of the script and how to recognise the product's answer to it (in expectReplies bodies). */
export interface ScriptStep {
  text: string;
  /** A fragment of the product's reply; the echo bot's reply is `echo: <text>`. */
  productReply: string;
}

/** Balance questions and complete swaps (quote, then confirm) against the embedded core. */
export const TURN_SCRIPT: readonly ScriptStep[] = [
  { text: 'what is my balance', productReply: 'Here is what you have' },
  { text: 'swap 2 facebook sessions for youtube', productReply: 'Shall I do it?' },
  { text: 'yes', productReply: 'Done:' },
];

export interface BuiltRequest {
  method: 'POST';
  path: string;
  headers: Record<string, string>;
  body: string;
}

export interface Conversation {
  readonly path: BotPath;
  readonly index: number;
  /** Next step of TURN_SCRIPT. */
  cursor: number;
  /** Builds the request carrying the next step and advances the cursor (a request sent is a turn taken). */
  next(): { request: BuiltRequest; step: ScriptStep };
}

export interface OpenOptions {
  baseUrl: string;
  path: BotPath;
  count: number;
  /** The subscriber each conversation speaks for. */
  msisdnOf: (index: number) => string;
  /** Whether users must be verified (the product) or not (the echo bot). */
  verify: boolean;
  adminToken: string;
  identitySecret: string;
  /** Keeps the ids of one bench run apart from another's. */
  tag: string;
  /** Setup requests in flight at once. */
  parallel?: number;
}

async function postJson(url: string, body: unknown, token?: string): Promise<{ status: number; json: unknown }> {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, json: text ? (JSON.parse(text) as unknown) : undefined };
}

function repliesOf(json: unknown): string[] {
  const activities = (json as { activities?: { text?: string }[] } | undefined)?.activities ?? [];
  return activities.map((a) => a.text ?? '');
}

class ApiMessagesConversation implements Conversation {
  readonly path = 'api-messages' as const;
  cursor = 0;
  private seq = 0;
  readonly user: string;
  readonly conversation: string;

  constructor(
    readonly index: number,
    tag: string,
  ) {
    this.user = `bench-${tag}-user-${index}`;
    this.conversation = `bench-${tag}-conv-${index}`;
  }

  activity(text: string): string {
    return JSON.stringify({
      type: 'message',
      id: `${this.conversation}-${this.seq++}`,
      channelId: 'emulator',
      // Never called: with expectReplies the adapter returns the replies instead of posting them back.
      serviceUrl: 'http://127.0.0.1:9/',
      from: { id: this.user },
      recipient: { id: 'bot' },
      conversation: { id: this.conversation },
      locale: 'en-US',
      text,
      deliveryMode: 'expectReplies',
    });
  }

  next() {
    const step = TURN_SCRIPT[this.cursor % TURN_SCRIPT.length] as ScriptStep;
    this.cursor++;
    return {
      step,
      request: {
        method: 'POST' as const,
        path: '/api/messages',
        headers: { 'Content-Type': 'application/json' },
        body: this.activity(step.text),
      },
    };
  }

  /** Setup only: one turn, its reply texts. */
  async say(baseUrl: string, text: string): Promise<string[]> {
    const { status, json } = await postJson(`${baseUrl}/api/messages`, JSON.parse(this.activity(text)));
    if (status !== 200) throw new Error(`setup turn: HTTP ${status}`);
    return repliesOf(json);
  }
}

class DirectLineConversation implements Conversation {
  readonly path = 'directline' as const;
  cursor = 0;

  constructor(
    readonly index: number,
    readonly conversationId: string,
    readonly token: string,
  ) {}

  next() {
    const step = TURN_SCRIPT[this.cursor % TURN_SCRIPT.length] as ScriptStep;
    this.cursor++;
    return {
      step,
      request: {
        method: 'POST' as const,
        path: `/v3/directline/conversations/${encodeURIComponent(this.conversationId)}/activities`,
        headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${this.token}` },
        body: JSON.stringify({ type: 'message', locale: 'en-US', text: step.text }),
      },
    };
  }
}

async function verifyByCode(conv: ApiMessagesConversation, opts: OpenOptions): Promise<void> {
  const msisdn = opts.msisdnOf(conv.index);
  await conv.say(opts.baseUrl, TURN_SCRIPT[0]?.text ?? 'balance');
  await conv.say(opts.baseUrl, msisdn);
  const res = await fetch(`${opts.baseUrl}/api/v1/outbox?msisdn=${encodeURIComponent(msisdn)}`, {
    headers: { Authorization: `Bearer ${opts.adminToken}` },
  });
  const { messages } = (await res.json()) as { messages?: { text: string }[] };
  const code = messages?.at(-1)?.text.match(/\b\d{6}\b/)?.[0];
  if (!code) throw new Error('setup: no one-time code in the outbox');
  const replies = await conv.say(opts.baseUrl, code);
  // The balance asked for before verification follows the confirmation: the script resumes after it.
  if (!replies.some((r) => r.includes(TURN_SCRIPT[0]?.productReply ?? ''))) {
    throw new Error('setup: verification did not lead to the balance');
  }
  conv.cursor = 1;
}

async function openDirectLine(index: number, opts: OpenOptions): Promise<DirectLineConversation> {
  const identity = signVisitorIdentity(opts.identitySecret, opts.msisdnOf(index), Date.now(), 3600);
  const visitor = await postJson(`${opts.baseUrl}/api/webchat/token`, { identity });
  const token = (visitor.json as { token?: string } | undefined)?.token;
  if (visitor.status !== 200 || !token) throw new Error(`setup: visitor token HTTP ${visitor.status}`);
  const started = await postJson(`${opts.baseUrl}/v3/directline/conversations`, {}, token);
  const body = started.json as { conversationId?: string; token?: string } | undefined;
  if (started.status !== 201 || !body?.conversationId || !body.token) {
    throw new Error(`setup: start conversation HTTP ${started.status}`);
  }
  return new DirectLineConversation(index, body.conversationId, body.token);
}

/** Opens `count` conversations (verified users on the product), a few at a time. */
export async function openConversations(opts: OpenOptions): Promise<Conversation[]> {
  const out: Conversation[] = new Array(opts.count);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < opts.count; i = next++) {
      if (opts.path === 'directline') {
        out[i] = await openDirectLine(i, opts);
      } else {
        const conv = new ApiMessagesConversation(i, opts.tag);
        if (opts.verify) await verifyByCode(conv, opts);
        out[i] = conv;
      }
    }
  };
  await Promise.all(Array.from({ length: opts.parallel ?? 8 }, worker));
  return out;
}

/** Reads a Direct Line conversation's log: the texts the bot sent, newest last (for a check after a run). */
export async function directLineBotTexts(baseUrl: string, conv: Conversation): Promise<string[]> {
  if (!(conv instanceof DirectLineConversation)) return [];
  const res = await fetch(
    `${baseUrl}/v3/directline/conversations/${encodeURIComponent(conv.conversationId)}/activities`,
    { headers: { Authorization: `Bearer ${conv.token}` } },
  );
  const { activities } = (await res.json()) as {
    activities?: { from?: { role?: string; id?: string }; text?: string }[];
  };
  return (activities ?? []).filter((a) => a.from?.role === 'bot' || a.from?.id === 'bot').map((a) => a.text ?? '');
}
