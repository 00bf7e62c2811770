/**
 * The Direct Line 3.0 REST surface (`/v3/directline/...`), the token endpoint of CONTRACTS.md 3.3
 * (`POST /api/webchat/token`) and the WebSocket stream, on the one restify server.
 *
 * Status codes follow the Direct Line service: 401 no usable `Authorization` header; 403 a token that is invalid,
 * expired (`TokenExpired`, DirectLineJS then reports ExpiredToken) or for another conversation; 404 an unknown
 * conversation (DirectLineJS ends the conversation); 502 the bot failed; 413 / 429 over a limit. Bodies carry
 * the house shape `{code, message}` plus Direct Line's own `{error: {code, message}}`.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import type { Activity, Storage, TurnContext } from 'botbuilder';
import type { Request, Response, Server } from 'restify';
import { WebSocketServer } from 'ws';
import type { Config } from '../../../bot/config.js';
import { jsonBody, sendJson } from '../../../bot/http.js';
import type { Logger } from '../../../bot/logger.js';
import type { ConversationRecord, ConversationStore } from './conversation-store.js';
import { type DirectLineClaims, type DirectLineTokens, randomId } from './directline-tokens.js';
import { parseClientActivity, toLoggedActivity, toTurnActivity } from './inbound-activity.js';
import type { RateLimiter } from './rate-limiter.js';
import type { StreamHub } from './stream-hub.js';
import { verifyVisitorIdentity } from './visitor-identity.js';
import type { WebChatAdapter } from './webchat.adapter.js';

export interface WebChatLimits {
  /** Largest JSON body accepted on POST routes, in bytes (413 above). */
  maxBodyBytes: number;
  /** Longest message text, in characters (413 above). */
  maxTextLength: number;
  /** Sustained activities per second per conversation, and the burst allowed (429 above). */
  activitiesPerSecond: number;
  activitiesBurst: number;
  /** Conversations one visitor token (and its refreshes) may start (429 above). */
  conversationsPerToken: number;
  /** Activities kept per conversation log; older ones fall off. */
  maxActivitiesPerConversation: number;
  /** Conversation records kept in memory (the rest stay in storage). */
  maxCachedConversations: number;
  /** Lifetime of Direct Line tokens (`expires_in`). */
  tokenTtlSeconds: number;
  /** Interval of WebSocket keep-alive frames and liveness pings. */
  keepAliveMs: number;
}

export const DEFAULT_LIMITS: WebChatLimits = {
  maxBodyBytes: 32 * 1024,
  maxTextLength: 2000,
  activitiesPerSecond: 5,
  activitiesBurst: 10,
  conversationsPerToken: 10,
  maxActivitiesPerConversation: 500,
  maxCachedConversations: 5000,
  tokenTtlSeconds: 1800,
  keepAliveMs: 15_000,
};

export interface DirectLineServiceDeps {
  bot: { run(context: TurnContext): Promise<void> };
  storage: Storage;
  config: Config;
  logger: Logger;
  clock: () => number;
  limits: WebChatLimits;
  adapter: WebChatAdapter;
  conversations: ConversationStore;
  hub: StreamHub;
  tokens: DirectLineTokens;
  rateLimiter: RateLimiter;
  /** The secret identities are verified with: WEBCHAT_IDENTITY_SECRET, or the demo secret, or none. */
  identitySecret: string | undefined;
}

type DirectLineErrorCode =
  | 'BadArgument'
  | 'TokenExpired'
  | 'NotFound'
  | 'ServiceError'
  | 'MessageSizeTooBig'
  | 'TooManyRequests';

function fail(
  res: Response,
  status: number,
  code: string,
  dlCode: DirectLineErrorCode,
  message: string,
  headers: Record<string, string> = {},
): void {
  sendJson(res, status, { code, message, error: { code: dlCode, message } }, headers);
}

function bearerOf(req: Request): string | undefined {
  const header = req.headers.authorization;
  const match = typeof header === 'string' ? /^Bearer\s+(\S+)$/i.exec(header) : null;
  return match?.[1];
}

function queryString(req: Request, name: string): string | undefined {
  const v = (req.query as Record<string, unknown> | undefined)?.[name];
  return typeof v === 'string' ? v : undefined;
}

export function registerDirectLineRoutes(server: Server, deps: DirectLineServiceDeps): void {
  const { config, logger, clock, limits, adapter, conversations, tokens } = deps;
  const log = logger.child({ component: 'webchat' });
  const conversationsPerGrant = new Map<string, { count: number; exp: number }>();
  const starting = new Map<string, Promise<ConversationRecord>>();
  const streamUrlOf = (conversationId: string, token: string, watermark?: string) =>
    `${config.publicUrl.replace(/^http/, 'ws')}/v3/directline/conversations/${encodeURIComponent(conversationId)}/stream?t=${encodeURIComponent(token)}${watermark ? `&watermark=${encodeURIComponent(watermark)}` : ''}`;

  /** Checks the bearer token; with `conversationId`, it must be that conversation's token. Sends the error. */
  const authenticate = (req: Request, res: Response, conversationId?: string): DirectLineClaims | undefined => {
    const token = bearerOf(req);
    if (!token) {
      fail(res, 401, 'WEBCHAT.TOKEN_MISSING', 'BadArgument', 'an Authorization: Bearer token is required');
      return undefined;
    }
    const result = tokens.verify(token, clock());
    if (!result.ok) {
      if (result.code === 'TOKEN.EXPIRED')
        fail(res, 403, 'WEBCHAT.TOKEN_EXPIRED', 'TokenExpired', 'the token has expired');
      else fail(res, 403, 'WEBCHAT.TOKEN_INVALID', 'BadArgument', 'the token is not valid');
      return undefined;
    }
    if (conversationId !== undefined && result.claims.conv !== conversationId) {
      fail(res, 403, 'WEBCHAT.TOKEN_FORBIDDEN', 'BadArgument', 'the token is not valid for this conversation');
      return undefined;
    }
    return result.claims;
  };

  const loadConversation = async (res: Response, conversationId: string): Promise<ConversationRecord | undefined> => {
    const record = await conversations.get(conversationId);
    if (!record) fail(res, 404, 'WEBCHAT.CONVERSATION_NOT_FOUND', 'NotFound', 'no such conversation');
    return record;
  };

  /** Counts a new conversation against the visitor token's grant; false when over the limit. */
  const reserveConversation = (claims: DirectLineClaims): boolean => {
    const now = clock() / 1000;
    if (conversationsPerGrant.size > 10_000) {
      // Forget grants whose tokens (and refreshes within a lifetime) are long expired.
      for (const [grant, entry] of conversationsPerGrant) {
        if (entry.exp < now - limits.tokenTtlSeconds) conversationsPerGrant.delete(grant);
      }
    }
    const entry = conversationsPerGrant.get(claims.grant) ?? { count: 0, exp: claims.exp };
    if (entry.count >= limits.conversationsPerToken) return false;
    conversationsPerGrant.set(claims.grant, { count: entry.count + 1, exp: Math.max(entry.exp, claims.exp) });
    return true;
  };

  const tooManyConversations = (res: Response) =>
    fail(
      res,
      429,
      'WEBCHAT.TOO_MANY_CONVERSATIONS',
      'TooManyRequests',
      `at most ${limits.conversationsPerToken} conversations per token`,
    );

  const participants = (record: ConversationRecord) => ({
    conversationId: record.id,
    userId: record.userId,
    botId: adapter.botAccount.id,
    botName: adapter.botAccount.name,
    serviceUrl: config.publicUrl,
  });

  /** Creates the conversation and runs the bot's welcome (a conversationUpdate with the members added). */
  const startConversation = async (claims: DirectLineClaims, conversationId: string, locale: string | undefined) => {
    const record = await conversations.create({
      id: conversationId,
      userId: claims.user,
      ...(claims.msisdn ? { msisdn: claims.msisdn } : {}),
      createdAt: new Date(clock()).toISOString(),
    });
    const p = participants(record);
    const update: Partial<Activity> = {
      type: 'conversationUpdate',
      id: randomId('cu-'),
      channelId: 'webchat',
      serviceUrl: p.serviceUrl,
      timestamp: new Date(clock()),
      ...(locale ? { locale } : {}),
      conversation: { id: record.id, isGroup: false, conversationType: 'personal', name: '' },
      from: { id: record.userId, name: '', role: 'user' },
      recipient: { id: p.botId, name: p.botName, role: 'bot' },
      membersAdded: [
        { id: p.botId, name: p.botName },
        { id: record.userId, name: '' },
      ],
      channelData: record.msisdn ? { identity: { msisdn: record.msisdn, verifiedBy: 'webchat-token' } } : {},
    };
    const outcome = await adapter.processActivity(update, (ctx) => deps.bot.run(ctx));
    if (!outcome.ok) log.warn('welcome turn failed');
    return record;
  };

  // POST /api/webchat/token {identity?}: a visitor token, anonymous or for a verified MSISDN.
  server.post('/api/webchat/token', ...jsonBody(8 * 1024), async (req: Request, res: Response) => {
    const body = req.body as Record<string, unknown>;
    let msisdn: string | undefined;
    if (body.identity !== undefined && body.identity !== null && body.identity !== '') {
      if (typeof body.identity !== 'string' || !deps.identitySecret) {
        fail(res, 401, 'WEBCHAT.IDENTITY_INVALID', 'BadArgument', 'the identity token is not valid');
        return;
      }
      const verified = verifyVisitorIdentity(deps.identitySecret, body.identity, clock());
      if (!verified.ok) {
        fail(res, 401, verified.code, 'BadArgument', verified.message);
        return;
      }
      msisdn = verified.msisdn;
    }
    const issued = tokens.issue({ user: randomId('wc-'), grant: randomId(''), msisdn }, clock());
    log.info('visitor token issued', { verified: msisdn !== undefined });
    sendJson(res, 200, { token: issued.token, expires_in: issued.expiresIn }, { 'Cache-Control': 'no-store' });
  });

  // POST /v3/directline/tokens/generate: a token bound to a new conversation id (the conversation starts on the
  // first POST /conversations with it), as the Direct Line service does with a secret.
  server.post(
    '/v3/directline/tokens/generate',
    ...jsonBody(limits.maxBodyBytes),
    async (req: Request, res: Response) => {
      const claims = authenticate(req, res);
      if (!claims) return;
      if (claims.conv) {
        fail(res, 403, 'WEBCHAT.TOKEN_FORBIDDEN', 'BadArgument', 'a conversation token cannot generate tokens');
        return;
      }
      if (!reserveConversation(claims)) return tooManyConversations(res);
      const conversationId = randomId('');
      const issued = tokens.issue({ ...claims, conv: conversationId }, clock());
      sendJson(
        res,
        200,
        { conversationId, token: issued.token, expires_in: issued.expiresIn },
        { 'Cache-Control': 'no-store' },
      );
    },
  );

  // POST /v3/directline/tokens/refresh: the same grant, a new expiry. An expired token cannot be refreshed (403).
  server.post(
    '/v3/directline/tokens/refresh',
    ...jsonBody(limits.maxBodyBytes),
    async (req: Request, res: Response) => {
      const claims = authenticate(req, res);
      if (!claims) return;
      const issued = tokens.issue(claims, clock());
      sendJson(
        res,
        200,
        { ...(claims.conv ? { conversationId: claims.conv } : {}), token: issued.token, expires_in: issued.expiresIn },
        { 'Cache-Control': 'no-store' },
      );
    },
  );

  // POST /v3/directline/conversations: start (201) or, with the token of an existing conversation, resume (200).
  server.post('/v3/directline/conversations', ...jsonBody(limits.maxBodyBytes), async (req: Request, res: Response) => {
    const claims = authenticate(req, res);
    if (!claims) return;
    const body = req.body as { locale?: unknown };
    const locale = typeof body.locale === 'string' && body.locale.length <= 20 ? body.locale : undefined;
    try {
      if (claims.conv) {
        const conv = claims.conv;
        const token = bearerOf(req) ?? '';
        // Two starts of one generated conversation at once (a double load) share one start and one welcome:
        // the one that starts it answers 201, the other 200.
        let record = (await starting.get(conv)) ?? (await conversations.get(conv));
        let created = false;
        if (!record) {
          let start = starting.get(conv);
          if (!start) {
            start = startConversation(claims, conv, locale);
            created = true;
            starting.set(conv, start);
            void start.then(
              () => starting.delete(conv),
              () => starting.delete(conv),
            );
          }
          record = await start;
        }
        sendJson(res, created ? 201 : 200, {
          conversationId: record.id,
          token,
          expires_in: Math.max(0, Math.floor(claims.exp - clock() / 1000)),
          streamUrl: streamUrlOf(record.id, token),
        });
        return;
      }
      if (!reserveConversation(claims)) return tooManyConversations(res);
      const conversationId = randomId('');
      const issued = tokens.issue({ ...claims, conv: conversationId }, clock());
      await startConversation(claims, conversationId, locale);
      sendJson(res, 201, {
        conversationId,
        token: issued.token,
        expires_in: issued.expiresIn,
        streamUrl: streamUrlOf(conversationId, issued.token),
      });
    } catch (err) {
      log.error('start conversation failed', { error: err });
      fail(res, 500, 'INTERNAL', 'ServiceError', 'internal error');
    }
  });

  // GET /v3/directline/conversations/{id}?watermark=: reconnect, with a fresh token and stream URL.
  server.get('/v3/directline/conversations/:conversationId', async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    const claims = authenticate(req, res, conversationId);
    if (!claims) return;
    const record = await loadConversation(res, conversationId);
    if (!record) return;
    const issued = tokens.issue(claims, clock());
    const watermark = queryString(req, 'watermark');
    sendJson(res, 200, {
      conversationId,
      token: issued.token,
      expires_in: issued.expiresIn,
      streamUrl: streamUrlOf(
        conversationId,
        issued.token,
        watermark && /^\d+$/.test(watermark) ? watermark : undefined,
      ),
    });
  });

  // GET /v3/directline/conversations/{id}/activities?watermark=: polling.
  server.get('/v3/directline/conversations/:conversationId/activities', async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    if (!authenticate(req, res, conversationId)) return;
    const record = await loadConversation(res, conversationId);
    if (!record) return;
    sendJson(res, 200, conversations.since(record, queryString(req, 'watermark')));
  });

  // POST /v3/directline/conversations/{id}/activities: echo (logged, with its clientActivityID), then the turn.
  server.post(
    '/v3/directline/conversations/:conversationId/activities',
    ...jsonBody(limits.maxBodyBytes, false),
    async (req: Request, res: Response) => {
      const conversationId = String(req.params.conversationId);
      if (!authenticate(req, res, conversationId)) return;
      const record = await loadConversation(res, conversationId);
      if (!record) return;
      const allowed = deps.rateLimiter.take(conversationId);
      if (!allowed.ok) {
        fail(res, 429, 'WEBCHAT.RATE_LIMITED', 'TooManyRequests', 'too many activities; slow down', {
          'Retry-After': String(allowed.retryAfterSeconds),
        });
        return;
      }
      const parsed = parseClientActivity(req.body, limits.maxTextLength);
      if (!parsed.ok) {
        fail(
          res,
          parsed.status,
          parsed.code,
          parsed.status === 413 ? 'MessageSizeTooBig' : 'BadArgument',
          parsed.message,
        );
        return;
      }
      try {
        const shaped = toLoggedActivity(parsed.activity, participants(record), new Date(clock()).toISOString());
        let echoed: Partial<Activity>;
        if (shaped.type === 'typing') {
          // Typing travels on the stream only and is never logged; its echo still carries an id.
          echoed = { ...shaped, id: `${conversationId}|${randomId('typing-')}` };
          adapter.pushTransient(conversationId, echoed);
        } else {
          echoed = await adapter.logActivity(conversationId, shaped);
        }
        const outcome = await adapter.processActivity(toTurnActivity(echoed, record.msisdn), (ctx) =>
          deps.bot.run(ctx),
        );
        if (!outcome.ok) {
          fail(res, 502, outcome.code, 'ServiceError', 'the bot could not handle the activity');
          return;
        }
        sendJson(res, 200, { id: echoed.id });
      } catch (err) {
        log.error('post activity failed', { error: err });
        fail(res, 500, 'INTERNAL', 'ServiceError', 'internal error');
      }
    },
  );

  // POST /v3/directline/conversations/{id}/upload: not offered (the page hides the upload button).
  server.post('/v3/directline/conversations/:conversationId/upload', async (req: Request, res: Response) => {
    const conversationId = String(req.params.conversationId);
    if (!authenticate(req, res, conversationId)) return;
    fail(res, 415, 'WEBCHAT.UPLOAD_UNSUPPORTED', 'BadArgument', 'file uploads are not accepted on this chat', {
      Connection: 'close',
    });
  });

  registerStream(server, deps, log);
}

const STREAM_PATH = /^\/v3\/directline\/conversations\/([^/]+)\/stream$/;

function reject(socket: Duplex, status: number, reason: string): void {
  socket.end(`HTTP/1.1 ${status} ${reason}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/** The WebSocket stream: `streamUrl` is pre-authorised by its `t` token, which must be the conversation's. */
function registerStream(server: Server, deps: DirectLineServiceDeps, log: Logger): void {
  const wss = new WebSocketServer({ noServer: true, maxPayload: 4096 });
  server.server.on('upgrade', (req: IncomingMessage, socket: Duplex, head: Buffer) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (!url.pathname.startsWith('/v3/directline/')) return; // someone else's upgrade
    const match = STREAM_PATH.exec(url.pathname);
    if (!match) return reject(socket, 404, 'Not Found');
    const conversationId = decodeURIComponent(match[1] ?? '');
    const verified = deps.tokens.verify(url.searchParams.get('t') ?? '', deps.clock());
    if (!verified.ok || verified.claims.conv !== conversationId) return reject(socket, 403, 'Forbidden');
    deps.conversations.get(conversationId).then(
      (record) => {
        if (!record) return reject(socket, 404, 'Not Found');
        wss.handleUpgrade(req, socket, head, (ws) => {
          // Synchronous from here: the replay is read from memory and the socket attached in one step, so an
          // activity logged meanwhile is either in the replay or pushed to the socket, never both or neither.
          const current = deps.conversations.peek(conversationId) ?? record;
          deps.hub.attach(
            conversationId,
            ws,
            deps.conversations.since(current, url.searchParams.get('watermark') ?? undefined),
          );
        });
      },
      (err: unknown) => {
        log.error('stream upgrade failed', { error: err });
        reject(socket, 500, 'Internal Server Error');
      },
    );
  });
}
