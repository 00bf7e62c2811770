/**
 * A real server for the web chat tests, browser test and bench: restify (bot/server.ts) on 127.0.0.1 port 0 with
 * the web chat registered, PUBLIC_URL set to the bound address, a temp DATA_DIR, and a small Direct Line client
 * (fetch + ws) speaking the protocol as DirectLineJS does.
 */
import type { Activity, Storage, TurnContext } from 'botbuilder';
import { MemoryStorage } from 'botbuilder';
import { WebSocket } from 'ws';
import { type Config, loadConfig } from '../../../bot/config.js';
import { silentLogger } from '../../../bot/logger.js';
import { createHttpServer } from '../../../bot/server.js';
import {
  registerWebChat,
  type WebChat,
  type WebChatDeps,
} from '../../../adapters/channels/webchat/register-webchat.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { WebChatTestBot } from './test-bot.js';

export const TEST_IDENTITY_SECRET = 'operator-identity-secret-for-tests';

export interface StartedWebChat {
  base: string;
  config: Config;
  webchat: WebChat;
  storage: Storage;
  close(): Promise<void>;
}

export interface StartOptions {
  bot?: { run(context: TurnContext): Promise<void> };
  storage?: Storage;
  /** DATA_DIR; a temp dir (removed on close) when absent. */
  dataDir?: string;
  /** Extra environment for loadConfig (WEBCHAT_IDENTITY_SECRET defaults to TEST_IDENTITY_SECRET; '' unsets it). */
  env?: Record<string, string>;
  clock?: () => number;
  limits?: WebChatDeps['limits'];
  port?: number;
}

export async function startWebChatServer(opts: StartOptions = {}): Promise<StartedWebChat> {
  const temp = opts.dataDir ? undefined : tempDir('webchat-test-');
  const config = loadConfig({
    PORT: '0',
    DATA_DIR: opts.dataDir ?? temp?.path ?? '',
    LOG_LEVEL: 'error',
    WEBCHAT_IDENTITY_SECRET: TEST_IDENTITY_SECRET,
    OPERATOR_NAME: 'Acme Mobile',
    OPERATOR_COLOR: '#c2185b',
    ...opts.env,
  });
  const server = createHttpServer({ logger: silentLogger, isReady: () => true });
  await new Promise<void>((resolve) => server.listen(opts.port ?? 0, '127.0.0.1', () => resolve()));
  const base = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  // PUBLIC_URL is read at request time: stream URLs and the page point at the bound port.
  config.publicUrl = base;
  const storage = opts.storage ?? new MemoryStorage();
  const bot = opts.bot ?? new WebChatTestBot();
  const webchat = registerWebChat(server, {
    bot,
    storage,
    config,
    logger: silentLogger,
    clock: opts.clock,
    limits: { activitiesPerSecond: 1000, activitiesBurst: 1000, ...opts.limits },
  });
  return {
    base,
    config,
    webchat,
    storage,
    close: async () => {
      await webchat.close();
      server.server.closeAllConnections?.();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      temp?.remove();
    },
  };
}

/** JSON over HTTP with an optional bearer token; returns status, headers and the parsed body. */
export async function call(
  base: string,
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; rawBody?: string; headers?: Record<string, string> } = {},
): Promise<{ status: number; headers: Headers; body: Record<string, unknown> }> {
  const headers: Record<string, string> = { ...opts.headers };
  if (opts.token) headers.Authorization = `Bearer ${opts.token}`;
  let payload: string | undefined = opts.rawBody;
  if (opts.body !== undefined) payload = JSON.stringify(opts.body);
  if (payload !== undefined) headers['Content-Type'] ??= 'application/json';
  const res = await fetch(base + path, { method, headers, body: payload });
  const text = await res.text();
  let body: Record<string, unknown> = {};
  if (text) {
    try {
      body = JSON.parse(text) as Record<string, unknown>;
    } catch {
      body = { text };
    }
  }
  return { status: res.status, headers: res.headers, body };
}

export interface Conversation {
  conversationId: string;
  token: string;
  streamUrl: string;
}

/** Visitor token (anonymous or for an identity JWT), then POST /conversations: a started conversation. */
export async function startConversation(base: string, identity?: string): Promise<Conversation> {
  const visitor = await call(base, 'POST', '/api/webchat/token', { body: identity ? { identity } : {} });
  if (visitor.status !== 200) throw new Error(`token: ${visitor.status}`);
  const started = await call(base, 'POST', '/v3/directline/conversations', {
    token: String(visitor.body.token),
    body: { user: { id: 'ignored' }, locale: 'en-US' },
  });
  if (started.status !== 201) throw new Error(`start: ${started.status}`);
  return started.body as unknown as Conversation;
}

let clientActivityCounter = 0;

/** Posts a message as Web Chat does (with a clientActivityID); returns the HTTP answer and the id used. */
export async function postMessage(base: string, conv: Conversation, text: string, extra: Partial<Activity> = {}) {
  const clientActivityID = `client-${++clientActivityCounter}`;
  const res = await call(base, 'POST', `/v3/directline/conversations/${conv.conversationId}/activities`, {
    token: conv.token,
    body: {
      type: 'message',
      text,
      from: { id: 'whoever', role: 'user' },
      locale: 'en-US',
      ...extra,
      channelData: { clientActivityID, ...(extra.channelData as object | undefined) },
    },
  });
  return { ...res, clientActivityID };
}

export interface ActivitySet {
  activities: Partial<Activity>[];
  watermark?: string;
}

/** A WebSocket stream client that collects frames and waits for them. */
export class StreamClient {
  readonly frames: (ActivitySet | '')[] = [];
  readonly ws: WebSocket;
  closed: { code: number; reason: string } | undefined;
  readonly #waiters: (() => void)[] = [];

  private constructor(ws: WebSocket) {
    this.ws = ws;
    ws.on('message', (data) => {
      const text = data.toString();
      this.frames.push(text === '' ? '' : (JSON.parse(text) as ActivitySet));
      this.#wake();
    });
    ws.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.#wake();
    });
  }

  static open(url: string): Promise<StreamClient> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url);
      const client = new StreamClient(ws);
      ws.once('open', () => resolve(client));
      ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
      ws.once('error', reject);
    });
  }

  get activities(): Partial<Activity>[] {
    return this.frames.flatMap((f) => (f === '' ? [] : f.activities));
  }

  /** Resolves once `predicate` holds over what was received (rejects after `ms`, so a broken stream fails). */
  async until(predicate: (client: StreamClient) => boolean, ms = 5000): Promise<void> {
    const deadline = Date.now() + ms;
    while (!predicate(this)) {
      if (Date.now() > deadline) throw new Error('stream: timed out waiting for a frame');
      await new Promise<void>((resolve) => {
        this.#waiters.push(resolve);
        setTimeout(resolve, 100);
      });
    }
  }

  close(): void {
    this.ws.close();
  }

  #wake(): void {
    for (const w of this.#waiters.splice(0)) w();
  }
}
