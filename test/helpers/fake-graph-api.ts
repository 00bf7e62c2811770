/**
 * A local stand-in for Meta's Graph API over real HTTP, for tests and benchmarks. It speaks Meta's request
 * and response shapes: `POST /{phone-number-id}/messages` (WhatsApp sends and mark-as-read),
 * `POST /me/messages` (Messenger Send API), `POST /me/messenger_profile`; it checks the bearer token and the
 * phone number id, enforces the documented limits (buttons, rows, titles, quick replies, messaging_type),
 * answers errors with Meta's body `{ "error": { message, type, code, error_subcode, fbtrace_id } }`, and
 * can be told to fail the next sends (5xx, rate limits) or to treat a recipient's window as closed (131047).
 * Every request is recorded with its arrival time.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface GraphError {
  message: string;
  type: string;
  code: number;
  error_subcode?: number;
  error_data?: Record<string, unknown>;
}

export type RequestKind = 'message' | 'read' | 'sender_action' | 'profile' | 'other';

export interface RecordedRequest {
  /** `performance.now()` when the request arrived (same clock as the caller's in-process timings). */
  arrivedAt: number;
  method: string;
  path: string;
  channel: 'whatsapp' | 'messenger' | 'other';
  kind: RequestKind;
  authorization?: string;
  body: Record<string, unknown>;
  status: number;
  response: unknown;
}

export interface FakeGraphApiOptions {
  whatsapp?: { accessToken: string; phoneNumberId: string };
  messenger?: { pageAccessToken: string };
  port?: number;
}

export interface InjectedFailure {
  status: number;
  error: GraphError;
  /** Which sends it applies to (all by default). */
  channel?: 'whatsapp' | 'messenger';
  /** Adds a `Retry-After` header (seconds). */
  retryAfter?: number;
}

export interface FakeGraphApi {
  /** Base URL to use as GRAPH_API_URL (no trailing slash, no version: the fake accepts any prefix-less path). */
  url: string;
  requests: RecordedRequest[];
  /** Accepted message sends (not mark-as-read or sender actions), optionally of one channel, in arrival order. */
  messages(channel?: 'whatsapp' | 'messenger'): RecordedRequest[];
  /** Resolves with the accepted sends once there are at least `n` (rejects after `timeoutMs`, a guard only). */
  waitForMessages(
    n: number,
    opts?: { channel?: 'whatsapp' | 'messenger'; timeoutMs?: number },
  ): Promise<RecordedRequest[]>;
  /** The next `count` message sends fail with `failure` (Meta did not send them). */
  failNext(count: number, failure: InjectedFailure): void;
  /** Free-form WhatsApp messages to this wa_id fail with 131047 (templates still pass). */
  closeWindow(waId: string): void;
  /** Calls `listener` with every request once answered; returns the unsubscribe function. */
  subscribe(listener: (request: RecordedRequest) => void): () => void;
  reset(): void;
  close(): Promise<void>;
}

const fbtrace = () => randomBytes(8).toString('base64url');

export const GRAPH_ERRORS = {
  serverError: (): InjectedFailure => ({
    status: 500,
    error: { message: 'An unknown error has occurred.', type: 'OAuthException', code: 1 },
  }),
  throughput: (): InjectedFailure => ({
    status: 400,
    error: {
      message: '(#130429) Rate limit hit',
      type: 'OAuthException',
      code: 130429,
      error_subcode: 2494055,
      error_data: { messaging_product: 'whatsapp', details: 'Cloud API message throughput has been reached.' },
    },
  }),
  transient: (): InjectedFailure => ({
    status: 503,
    error: { message: '(#131016) Service unavailable', type: 'OAuthException', code: 131016 },
  }),
  invalidParameter: (details: string): InjectedFailure => ({
    status: 400,
    error: {
      message: '(#131009) Parameter value is not valid',
      type: 'OAuthException',
      code: 131009,
      error_subcode: 2494010,
      error_data: { messaging_product: 'whatsapp', details },
    },
  }),
} as const;

function reject(res: ServerResponse, status: number, error: GraphError, headers: Record<string, string> = {}) {
  const body = JSON.stringify({ error: { ...error, fbtrace_id: fbtrace() } });
  res.writeHead(status, {
    'Content-Type': 'application/json',
    'WWW-Authenticate': 'OAuth "Facebook Platform"',
    ...headers,
  });
  res.end(body);
  return JSON.parse(body) as unknown;
}

function ok(res: ServerResponse, value: unknown) {
  res.writeHead(200, { 'Content-Type': 'application/json' });
  res.end(JSON.stringify(value));
  return value;
}

const invalid = (details: string) => GRAPH_ERRORS.invalidParameter(details).error;
const len = (s: unknown) => (typeof s === 'string' ? Array.from(s).length : 0);

type Json = Record<string, unknown>;

/** Meta's documented limits for WhatsApp payloads (protocols.md 1.5); returns what is wrong, if anything. */
function whatsappViolation(b: Json): string | undefined {
  if (b.messaging_product !== 'whatsapp') return 'messaging_product must be whatsapp';
  if (typeof b.to !== 'string' || b.to === '') return 'to is required';
  if (b.type === 'text') {
    const body = (b.text as Json | undefined)?.body;
    if (len(body) < 1 || len(body) > 4096) return 'text.body must be 1-4096 characters';
    return undefined;
  }
  if (b.type === 'template') {
    const t = b.template as Json | undefined;
    if (!t?.name || !(t.language as Json | undefined)?.code) return 'template name and language.code are required';
    return undefined;
  }
  if (b.type !== 'interactive') return `unsupported type ${String(b.type)}`;
  const i = b.interactive as Json;
  const action = i.action as Json;
  const bodyText = (i.body as Json | undefined)?.text;
  if (i.type === 'button') {
    const buttons = action.buttons as { reply: { id: string; title: string } }[];
    if (len(bodyText) < 1 || len(bodyText) > 1024) return 'interactive.body.text must be 1-1024 characters';
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return 'buttons must be 1-3';
    if (buttons.some((x) => len(x.reply?.title) < 1 || len(x.reply.title) > 20))
      return 'button title must be 1-20 characters';
    if (buttons.some((x) => len(x.reply?.id) < 1 || len(x.reply.id) > 256)) return 'button id must be 1-256 characters';
    if (new Set(buttons.map((x) => x.reply.id)).size !== buttons.length) return 'button ids must be unique';
    return undefined;
  }
  if (i.type === 'list') {
    const sections = action.sections as { rows: { id: string; title: string; description?: string }[] }[];
    if (len(bodyText) < 1 || len(bodyText) > 4096) return 'interactive.body.text must be 1-4096 characters';
    if (len(action.button) < 1 || len(action.button) > 20) return 'action.button must be 1-20 characters';
    const rows = (sections ?? []).flatMap((s) => s.rows ?? []);
    if (rows.length < 1 || rows.length > 10) return 'lists hold 1-10 rows in total';
    if (rows.some((r) => len(r.title) < 1 || len(r.title) > 24)) return 'row title must be 1-24 characters';
    if (rows.some((r) => len(r.description) > 72)) return 'row description must be at most 72 characters';
    if (rows.some((r) => len(r.id) < 1 || len(r.id) > 200)) return 'row id must be 1-200 characters';
    if (new Set(rows.map((r) => r.id)).size !== rows.length) return 'row ids must be unique';
    return undefined;
  }
  return `unsupported interactive type ${String(i.type)}`;
}

/** Meta's documented limits for Messenger Send API payloads (protocols.md 3.3). */
function messengerViolation(b: Json): string | undefined {
  if (!(b.recipient as Json | undefined)?.id) return 'recipient.id is required';
  if (b.sender_action !== undefined) return undefined;
  const type = b.messaging_type;
  if (type !== 'RESPONSE' && type !== 'UPDATE' && type !== 'MESSAGE_TAG') return 'messaging_type is required';
  if (type === 'MESSAGE_TAG' && typeof b.tag !== 'string') return 'tag is required with MESSAGE_TAG';
  const m = b.message as Json | undefined;
  if (!m) return 'message is required';
  if (m.text !== undefined && (len(m.text) < 1 || len(m.text) > 2000)) return 'text must be 1-2000 characters';
  const qr = m.quick_replies as { title: string; payload: string }[] | undefined;
  if (qr && (qr.length > 13 || qr.some((q) => len(q.title) > 20 || len(q.payload) > 1000)))
    return 'quick_replies limits';
  const att = m.attachment as Json | undefined;
  if (att) {
    const p = att.payload as Json;
    const buttons = p.buttons as unknown[];
    if (p.template_type !== 'button' || len(p.text) < 1 || len(p.text) > 640) return 'button template text 1-640';
    if (!Array.isArray(buttons) || buttons.length < 1 || buttons.length > 3) return 'button template holds 1-3 buttons';
  } else if (m.text === undefined) return 'message needs text or attachment';
  return undefined;
}

export async function startFakeGraphApi(opts: FakeGraphApiOptions = {}): Promise<FakeGraphApi> {
  const requests: RecordedRequest[] = [];
  const failures: { count: number; failure: InjectedFailure }[] = [];
  const closedWindows = new Set<string>();
  const waiters: (() => void)[] = [];
  const listeners = new Set<(request: RecordedRequest) => void>();
  let counter = 0;

  const takeFailure = (channel: 'whatsapp' | 'messenger'): InjectedFailure | undefined => {
    const f = failures.find((x) => x.count > 0 && (!x.failure.channel || x.failure.channel === channel));
    if (!f) return undefined;
    f.count--;
    return f.failure;
  };

  const handle = (req: IncomingMessage, res: ServerResponse, raw: string, arrivedAt: number) => {
    const path = (req.url ?? '/').split('?')[0].replace(/^\/v\d+\.\d+/, '');
    const auth = req.headers.authorization;
    const rec: RecordedRequest = {
      arrivedAt,
      method: req.method ?? '',
      path,
      channel: 'other',
      kind: 'other',
      authorization: auth,
      body: {},
      status: 0,
      response: undefined,
    };
    requests.push(rec);
    const done = (status: number, response: unknown) => {
      rec.status = status;
      rec.response = response;
      for (const w of waiters.splice(0)) w();
      for (const l of listeners) l(rec);
    };
    try {
      rec.body = raw ? (JSON.parse(raw) as Json) : {};
    } catch {
      return done(400, reject(res, 400, { message: 'Invalid JSON', type: 'OAuthException', code: 100 }));
    }
    if (req.method !== 'POST')
      return done(
        400,
        reject(res, 400, {
          message: 'Unsupported get request.',
          type: 'GraphMethodException',
          code: 100,
          error_subcode: 33,
        }),
      );
    const bad190 = () =>
      done(
        401,
        reject(res, 401, {
          message: 'Invalid OAuth access token - Cannot parse access token',
          type: 'OAuthException',
          code: 190,
        }),
      );
    const b = rec.body;

    const wa = /^\/([^/]+)\/messages$/.exec(path);
    if (wa && wa[1] !== 'me') {
      rec.channel = 'whatsapp';
      rec.kind = b.status === 'read' ? 'read' : 'message';
      if (!opts.whatsapp || auth !== `Bearer ${opts.whatsapp.accessToken}`) return bad190();
      if (wa[1] !== opts.whatsapp.phoneNumberId) {
        return done(
          400,
          reject(res, 400, {
            message: `Unsupported post request. Object with ID '${wa[1]}' does not exist, cannot be loaded due to missing permissions, or does not support this operation.`,
            type: 'GraphMethodException',
            code: 100,
            error_subcode: 33,
          }),
        );
      }
      if (rec.kind === 'read') {
        if (b.messaging_product !== 'whatsapp' || typeof b.message_id !== 'string')
          return done(400, reject(res, 400, invalid('message_id is required')));
        return done(200, ok(res, { success: true }));
      }
      const failure = takeFailure('whatsapp');
      if (failure)
        return done(
          failure.status,
          reject(
            res,
            failure.status,
            failure.error,
            failure.retryAfter ? { 'Retry-After': String(failure.retryAfter) } : {},
          ),
        );
      const violation = whatsappViolation(b);
      if (violation) return done(400, reject(res, 400, invalid(violation)));
      if (b.type !== 'template' && closedWindows.has(String(b.to))) {
        return done(
          400,
          reject(res, 400, {
            message: '(#131047) Re-engagement message',
            type: 'OAuthException',
            code: 131047,
            error_data: {
              messaging_product: 'whatsapp',
              details:
                'Message failed to send because more than 24 hours have passed since the customer last replied to this number.',
            },
          }),
        );
      }
      const to = String(b.to);
      return done(
        200,
        ok(res, {
          messaging_product: 'whatsapp',
          contacts: [{ input: to, wa_id: to.replace(/^\+/, '') }],
          messages: [{ id: `wamid.FAKE${String(++counter).padStart(8, '0')}` }],
        }),
      );
    }

    if (path === '/me/messages' || path === '/me/messenger_profile') {
      rec.channel = 'messenger';
      rec.kind =
        path === '/me/messenger_profile' ? 'profile' : b.sender_action !== undefined ? 'sender_action' : 'message';
      if (!opts.messenger || auth !== `Bearer ${opts.messenger.pageAccessToken}`) return bad190();
      if (rec.kind === 'profile') return done(200, ok(res, { result: 'success' }));
      if (rec.kind === 'message') {
        const failure = takeFailure('messenger');
        if (failure) return done(failure.status, reject(res, failure.status, failure.error));
      }
      const violation = messengerViolation(b);
      if (violation)
        return done(400, reject(res, 400, { message: `(#100) ${violation}`, type: 'OAuthException', code: 100 }));
      const recipient = String((b.recipient as Json).id);
      return done(
        200,
        ok(
          res,
          rec.kind === 'message'
            ? { recipient_id: recipient, message_id: `m_FAKE${String(++counter).padStart(8, '0')}` }
            : { recipient_id: recipient },
        ),
      );
    }
    return done(400, reject(res, 400, { message: 'Unknown path components', type: 'OAuthException', code: 2500 }));
  };

  const server: Server = createServer((req, res) => {
    const arrivedAt = performance.now();
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => handle(req, res, Buffer.concat(chunks).toString('utf8'), arrivedAt));
  });
  server.keepAliveTimeout = 30000;
  await new Promise<void>((r) => server.listen(opts.port ?? 0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;

  const messages = (channel?: 'whatsapp' | 'messenger') =>
    requests.filter((r) => r.kind === 'message' && r.status === 200 && (!channel || r.channel === channel));

  return {
    url: `http://127.0.0.1:${port}`,
    requests,
    messages,
    waitForMessages(n, o = {}) {
      return new Promise((resolve, rejectWait) => {
        const check = () => {
          const got = messages(o.channel);
          if (got.length >= n) {
            clearTimeout(timer);
            resolve(got);
            return true;
          }
          return false;
        };
        const timer = setTimeout(
          () => rejectWait(new Error(`expected ${n} messages, got ${messages(o.channel).length}`)),
          o.timeoutMs ?? 5000,
        );
        const loop = () => {
          if (!check()) waiters.push(loop);
        };
        loop();
      });
    },
    failNext(count, failure) {
      failures.push({ count, failure });
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    closeWindow(waId) {
      closedWindows.add(waId);
    },
    reset() {
      requests.length = 0;
      failures.length = 0;
      closedWindows.clear();
    },
    close() {
      server.closeAllConnections();
      return new Promise((r) => server.close(() => r()));
    },
  };
}
