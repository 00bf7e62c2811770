/**
 * A local stand-in for Slack's Web API over real HTTP, for tests: `POST /api/<method>` with Slack's
 * `application/x-www-form-urlencoded` bodies (non-scalar arguments such as `blocks` and `view` JSON-encoded, as
 * `@slack/web-api` sends them) or JSON, a bearer token checked like Slack (`invalid_auth`), and JSON answers
 * `{ ok: true, ... }` in Slack's shapes for the methods the desk uses. Every call is recorded.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface SlackCall {
  method: string;
  args: Record<string, unknown>;
  authorization?: string;
  /** What the fake answered. */
  response: Record<string, unknown>;
}

export interface FakeSlackApi {
  /** Base URL to use as SLACK_API_URL (ends with `/api/`). */
  url: string;
  calls: SlackCall[];
  callsOf(method: string): SlackCall[];
  /** The id Slack gives the agent channel (the desk may be configured with a name). */
  channelId: string;
  reset(): void;
  close(): Promise<void>;
}

const JSON_ARGS = new Set(['blocks', 'attachments', 'view', 'metadata']);

function parseArgs(raw: string, contentType: string | undefined): Record<string, unknown> {
  if (contentType?.includes('application/json')) return JSON.parse(raw || '{}') as Record<string, unknown>;
  const out: Record<string, unknown> = {};
  for (const [k, v] of new URLSearchParams(raw)) out[k] = JSON_ARGS.has(k) ? JSON.parse(v) : v;
  return out;
}

export async function startFakeSlackApi(opts: {
  token: string;
  channelId?: string;
  botUserId?: string;
}): Promise<FakeSlackApi> {
  const calls: SlackCall[] = [];
  const channelId = opts.channelId ?? 'C0AGENTS';
  let seq = 100;
  const nextTs = () => `1700000000.${String(seq++).padStart(6, '0')}`;
  const channelOf = (name: unknown) => (typeof name === 'string' && name.startsWith('#') ? channelId : String(name));

  const answer = (method: string, args: Record<string, unknown>): Record<string, unknown> => {
    switch (method) {
      case 'auth.test':
        return {
          ok: true,
          url: 'https://fake.slack.com/',
          team: 'Fake',
          user: 'desk',
          team_id: 'T1',
          user_id: opts.botUserId ?? 'UBOT',
          bot_id: 'BBOT',
        };
      case 'chat.postMessage': {
        if (!args.channel || (!args.text && !args.blocks)) return { ok: false, error: 'no_text' };
        const ts = nextTs();
        return {
          ok: true,
          channel: channelOf(args.channel),
          ts,
          message: { type: 'message', text: args.text, ts, bot_id: 'BBOT' },
        };
      }
      case 'chat.update':
        if (!args.channel || !args.ts) return { ok: false, error: 'message_not_found' };
        return { ok: true, channel: args.channel, ts: args.ts, text: args.text };
      case 'chat.postEphemeral':
        if (!args.channel || !args.user) return { ok: false, error: 'user_not_in_channel' };
        return { ok: true, message_ts: nextTs() };
      case 'views.open':
        if (!args.trigger_id || !args.view) return { ok: false, error: 'invalid_arguments' };
        return { ok: true, view: { ...(args.view as object), id: `V${seq++}`, hash: `h${seq}` } };
      default:
        return { ok: false, error: 'unknown_method' };
    }
  };

  const server: Server = createServer((req: IncomingMessage, res: ServerResponse) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const method = (req.url ?? '').replace(/^\/api\//, '').split('?')[0];
      const authorization = req.headers.authorization;
      let body: Record<string, unknown>;
      try {
        const args = parseArgs(Buffer.concat(chunks).toString('utf8'), req.headers['content-type']);
        body = authorization === `Bearer ${opts.token}` ? answer(method, args) : { ok: false, error: 'invalid_auth' };
        calls.push({ method, args, authorization, response: body });
      } catch {
        body = { ok: false, error: 'invalid_form_data' };
      }
      res.writeHead(200, { 'Content-Type': 'application/json; charset=utf-8' });
      res.end(JSON.stringify(body));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/api/`,
    calls,
    callsOf: (method) => calls.filter((c) => c.method === method),
    channelId,
    reset: () => {
      calls.length = 0;
    },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}
