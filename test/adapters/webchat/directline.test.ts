import { expect } from 'chai';
import type { Activity } from 'botbuilder';
import { signHs256 } from '../../../adapters/channels/webchat/hs256-jwt.js';
import { signVisitorIdentity } from '../../../adapters/channels/webchat/visitor-identity.js';
import { CARD_PLACEHOLDER } from '../../../bot/card-redaction.js';
import { WELCOME_TEXT } from './test-bot.js';
import {
  type Conversation,
  call,
  postMessage,
  type StartedWebChat,
  StreamClient,
  startConversation,
  startWebChatServer,
  TEST_IDENTITY_SECRET,
} from './webchat-server.js';

const MSISDN = '+15550100001';
const texts = (activities: Partial<Activity>[], role: string) =>
  activities.filter((a) => a.type === 'message' && a.from?.role === role).map((a) => a.text);

describe('web chat: Direct Line 3.0 service', () => {
  let srv: StartedWebChat;
  let offsetMs = 0;
  before(async () => {
    srv = await startWebChatServer({ clock: () => Date.now() + offsetMs });
  });
  after(() => srv.close());
  afterEach(() => {
    offsetMs = 0;
  });

  const activitiesOf = async (conv: Conversation, watermark = '') => {
    const res = await call(
      srv.base,
      'GET',
      `/v3/directline/conversations/${conv.conversationId}/activities?watermark=${watermark}`,
      {
        token: conv.token,
      },
    );
    expect(res.status).to.equal(200);
    return res.body as unknown as { activities: Partial<Activity>[]; watermark: string };
  };

  describe('POST /api/webchat/token', () => {
    it('issues an anonymous visitor token with its lifetime', async () => {
      const res = await call(srv.base, 'POST', '/api/webchat/token', { body: {} });
      expect(res.status).to.equal(200);
      expect(res.body.token).to.be.a('string');
      expect(res.body.expires_in).to.equal(1800);
    });

    it('recognises a signed identity: every turn carries channelData.identity', async () => {
      const conv = await startConversation(srv.base, signVisitorIdentity(TEST_IDENTITY_SECRET, MSISDN, Date.now()));
      await postMessage(srv.base, conv, 'who');
      expect(texts((await activitiesOf(conv)).activities, 'bot')).to.include(`you are ${MSISDN} via webchat-token`);
    });

    it('never shows the MSISDN in the token or the logged activities', async () => {
      const conv = await startConversation(srv.base, signVisitorIdentity(TEST_IDENTITY_SECRET, MSISDN, Date.now()));
      await postMessage(srv.base, conv, 'hello');
      const payload = Buffer.from(conv.token.split('.')[1] ?? '', 'base64url').toString('utf8');
      expect(payload).not.to.include('5550100001');
      const page = await activitiesOf(conv);
      expect(JSON.stringify(page.activities.filter((a) => a.from?.role === 'user'))).not.to.include('5550100001');
    });

    it('answers 401 to a bad, expired, unsigned or wrongly-algorithmed identity', async () => {
      const now = Date.now();
      const bad = [
        signVisitorIdentity('another-secret', MSISDN, now),
        signVisitorIdentity(TEST_IDENTITY_SECRET, MSISDN, now - 600_000, 300),
        signHs256(TEST_IDENTITY_SECRET, { sub: MSISDN }),
        signHs256(TEST_IDENTITY_SECRET, { sub: '15550100001', exp: now / 1000 + 300 }),
        `${Buffer.from('{"alg":"none","typ":"JWT"}').toString('base64url')}.${Buffer.from(JSON.stringify({ sub: MSISDN, exp: now / 1000 + 300 })).toString('base64url')}.`,
        'not-a-jwt',
        42,
      ];
      for (const identity of bad) {
        const res = await call(srv.base, 'POST', '/api/webchat/token', { body: { identity } });
        expect(res.status, String(identity)).to.equal(401);
        expect(String(res.body.code)).to.match(/^WEBCHAT\.IDENTITY_/);
      }
    });

    it('strips an identity the client puts in channelData', async () => {
      const conv = await startConversation(srv.base);
      await postMessage(srv.base, conv, 'who', {
        channelData: { identity: { msisdn: MSISDN, verifiedBy: 'webchat-token' } },
      });
      const page = await activitiesOf(conv);
      expect(texts(page.activities, 'bot')).to.include('you are anonymous');
      expect(JSON.stringify(page.activities)).not.to.include(MSISDN);
    });
  });

  describe('conversations', () => {
    it('starts with 201, a ws:// streamUrl from PUBLIC_URL and the bot welcome; the same token resumes with 200', async () => {
      const conv = await startConversation(srv.base);
      expect(conv.streamUrl).to.equal(
        `${srv.base.replace('http', 'ws')}/v3/directline/conversations/${conv.conversationId}/stream?t=${encodeURIComponent(conv.token)}`,
      );
      expect(texts((await activitiesOf(conv)).activities, 'bot')).to.deep.equal([WELCOME_TEXT]);
      const again = await call(srv.base, 'POST', '/v3/directline/conversations', { token: conv.token, body: {} });
      expect(again.status).to.equal(200);
      expect(again.body.conversationId).to.equal(conv.conversationId);
      expect(texts((await activitiesOf(conv)).activities, 'bot')).to.deep.equal([WELCOME_TEXT]);
    });

    it('tokens/generate binds a token to a conversation that starts on the first POST /conversations', async () => {
      const visitor = await call(srv.base, 'POST', '/api/webchat/token', { body: {} });
      const gen = await call(srv.base, 'POST', '/v3/directline/tokens/generate', { token: String(visitor.body.token) });
      expect(gen.status).to.equal(200);
      const token = String(gen.body.token);
      const conversationId = String(gen.body.conversationId);
      const notYet = await call(srv.base, 'GET', `/v3/directline/conversations/${conversationId}/activities`, {
        token,
      });
      expect(notYet.status).to.equal(404);
      const first = await call(srv.base, 'POST', '/v3/directline/conversations', { token });
      expect(first.status).to.equal(201);
      expect(first.body.conversationId).to.equal(conversationId);
      const second = await call(srv.base, 'POST', '/v3/directline/conversations', { token });
      expect(second.status).to.equal(200);
      const conversationToken = await call(srv.base, 'POST', '/v3/directline/tokens/generate', { token });
      expect(conversationToken.status).to.equal(403);
    });

    it('starts a generated conversation once when two starts race: one 201, one 200, one welcome', async () => {
      const visitor = await call(srv.base, 'POST', '/api/webchat/token', { body: {} });
      const gen = await call(srv.base, 'POST', '/v3/directline/tokens/generate', { token: String(visitor.body.token) });
      const token = String(gen.body.token);
      const both = await Promise.all([
        call(srv.base, 'POST', '/v3/directline/conversations', { token }),
        call(srv.base, 'POST', '/v3/directline/conversations', { token }),
      ]);
      expect(both.map((r) => r.status).sort()).to.deep.equal([200, 201]);
      const conv = { conversationId: String(gen.body.conversationId), token, streamUrl: '' };
      expect(texts((await activitiesOf(conv)).activities, 'bot')).to.deep.equal([WELCOME_TEXT]);
    });

    it('reconnect (GET /conversations/{id}) gives a fresh token and a streamUrl carrying the watermark', async () => {
      const conv = await startConversation(srv.base);
      const res = await call(srv.base, 'GET', `/v3/directline/conversations/${conv.conversationId}?watermark=1`, {
        token: conv.token,
      });
      expect(res.status).to.equal(200);
      expect(res.body.conversationId).to.equal(conv.conversationId);
      expect(String(res.body.streamUrl)).to.match(
        /^ws:\/\/127\.0\.0\.1:\d+\/v3\/directline\/conversations\/.+\/stream\?t=.+&watermark=1$/,
      );
      const fresh = String(res.body.token);
      expect(
        (
          await call(srv.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
            token: fresh,
          })
        ).status,
      ).to.equal(200);
    });

    it('limits conversations per visitor token with 429 and a JSON body', async () => {
      const limited = await startWebChatServer({ limits: { conversationsPerToken: 2 } });
      try {
        const visitor = String((await call(limited.base, 'POST', '/api/webchat/token', { body: {} })).body.token);
        expect((await call(limited.base, 'POST', '/v3/directline/conversations', { token: visitor })).status).to.equal(
          201,
        );
        expect(
          (await call(limited.base, 'POST', '/v3/directline/tokens/generate', { token: visitor })).status,
        ).to.equal(200);
        const over = await call(limited.base, 'POST', '/v3/directline/conversations', { token: visitor });
        expect(over.status).to.equal(429);
        expect(over.body.code).to.equal('WEBCHAT.TOO_MANY_CONVERSATIONS');
        const refreshed = String(
          (await call(limited.base, 'POST', '/v3/directline/tokens/refresh', { token: visitor })).body.token,
        );
        expect(
          (await call(limited.base, 'POST', '/v3/directline/tokens/generate', { token: refreshed })).status,
        ).to.equal(429);
        expect((await call(limited.base, 'GET', '/healthz')).status).to.equal(200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('tokens: wrong, expired, other conversation', () => {
    it('answers 401 without a bearer token and 403 to a forged one, on every route', async () => {
      const conv = await startConversation(srv.base);
      const forged = `${conv.token.slice(0, -4)}AAAA`;
      const routes: [string, string][] = [
        ['POST', '/v3/directline/conversations'],
        ['POST', '/v3/directline/tokens/refresh'],
        ['POST', '/v3/directline/tokens/generate'],
        ['GET', `/v3/directline/conversations/${conv.conversationId}`],
        ['GET', `/v3/directline/conversations/${conv.conversationId}/activities`],
        ['POST', `/v3/directline/conversations/${conv.conversationId}/activities`],
        ['POST', `/v3/directline/conversations/${conv.conversationId}/upload`],
      ];
      for (const [method, path] of routes) {
        const body = method === 'POST' ? { type: 'message', text: 'x' } : undefined;
        const none = await call(srv.base, method, path, { body });
        expect(none.status, `${method} ${path} without token`).to.equal(401);
        const wrong = await call(srv.base, method, path, { token: forged, body });
        expect(wrong.status, `${method} ${path} forged`).to.equal(403);
        expect((wrong.body.error as { code: string }).code).to.equal('BadArgument');
      }
      const foreign = await call(srv.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
        token: signHs256('not-our-secret', {
          aud: 'directline',
          user: 'u',
          grant: 'g',
          conv: conv.conversationId,
          exp: Date.now() / 1000 + 60,
        }),
      });
      expect(foreign.status).to.equal(403);
    });

    it("refuses another conversation's token (403) and a visitor token on a conversation (403)", async () => {
      const a = await startConversation(srv.base);
      const b = await startConversation(srv.base);
      await postMessage(srv.base, b, 'secret of b');
      const read = await call(srv.base, 'GET', `/v3/directline/conversations/${b.conversationId}/activities`, {
        token: a.token,
      });
      expect(read.status).to.equal(403);
      expect(read.body.code).to.equal('WEBCHAT.TOKEN_FORBIDDEN');
      const write = await postMessage(srv.base, { ...b, token: a.token }, 'intrusion');
      expect(write.status).to.equal(403);
      const reconnect = await call(srv.base, 'GET', `/v3/directline/conversations/${b.conversationId}`, {
        token: a.token,
      });
      expect(reconnect.status).to.equal(403);
      const visitor = String((await call(srv.base, 'POST', '/api/webchat/token', { body: {} })).body.token);
      expect(
        (await call(srv.base, 'GET', `/v3/directline/conversations/${b.conversationId}/activities`, { token: visitor }))
          .status,
      ).to.equal(403);
      await StreamClient.open(b.streamUrl.replace(encodeURIComponent(b.token), encodeURIComponent(a.token))).then(
        () => expect.fail('the stream opened with another conversation token'),
        (err: Error) => expect(err.message).to.equal('HTTP 403'),
      );
    });

    it('expires tokens (403 TokenExpired, also on refresh and the stream); a refreshed token lives on', async () => {
      const conv = await startConversation(srv.base);
      offsetMs = 20 * 60_000;
      const refreshed = await call(srv.base, 'POST', '/v3/directline/tokens/refresh', { token: conv.token });
      expect(refreshed.status).to.equal(200);
      expect(refreshed.body.conversationId).to.equal(conv.conversationId);
      offsetMs = 31 * 60_000;
      const expired = await call(srv.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
        token: conv.token,
      });
      expect(expired.status).to.equal(403);
      expect(expired.body.code).to.equal('WEBCHAT.TOKEN_EXPIRED');
      expect((expired.body.error as { code: string }).code).to.equal('TokenExpired');
      expect((await call(srv.base, 'POST', '/v3/directline/tokens/refresh', { token: conv.token })).status).to.equal(
        403,
      );
      await StreamClient.open(conv.streamUrl).then(
        () => expect.fail('the stream opened with an expired token'),
        (err: Error) => expect(err.message).to.equal('HTTP 403'),
      );
      const ok = await call(srv.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
        token: String(refreshed.body.token),
      });
      expect(ok.status).to.equal(200);
    });
  });

  describe('activities', () => {
    it('echoes the posted activity with its clientActivityID and a server id, and answers {id}', async () => {
      const conv = await startConversation(srv.base);
      const posted = await postMessage(srv.base, conv, 'hello');
      expect(posted.status).to.equal(200);
      const page = await activitiesOf(conv);
      const echo = page.activities.find(
        (a) =>
          (a.channelData as { clientActivityID?: string } | undefined)?.clientActivityID === posted.clientActivityID,
      );
      expect(echo?.id).to.equal(posted.body.id);
      expect(echo?.from?.role).to.equal('user');
      expect(echo?.channelId).to.equal('webchat');
      expect(echo?.conversation?.id).to.equal(conv.conversationId);
      expect(texts(page.activities, 'bot')).to.deep.equal([WELCOME_TEXT, 'echo: hello']);
      expect(page.activities.some((a) => a.type === 'typing' || a.type === 'conversationUpdate')).to.equal(false);
    });

    it('removes card numbers before logging, echoing or running the text', async () => {
      const conv = await startConversation(srv.base);
      await postMessage(srv.base, conv, 'my card 4242 4242 4242 4242');
      const page = await activitiesOf(conv);
      expect(JSON.stringify(page.activities)).not.to.include('4242 4242');
      expect(texts(page.activities, 'user')).to.deep.equal([`my card ${CARD_PLACEHOLDER}`]);
      expect(texts(page.activities, 'bot')).to.include(`echo: my card ${CARD_PLACEHOLDER}`);
    });

    it('pages by watermark: only activities after it, and an opaque increasing watermark', async () => {
      const conv = await startConversation(srv.base);
      const first = await activitiesOf(conv);
      expect(first.watermark).to.be.a('string');
      await postMessage(srv.base, conv, 'one');
      const second = await activitiesOf(conv, first.watermark);
      expect(second.activities.map((a) => a.text)).to.deep.equal(['one', 'echo: one']);
      const third = await activitiesOf(conv, second.watermark);
      expect(third.activities).to.deep.equal([]);
      expect(third.watermark).to.equal(second.watermark);
      expect(Number(second.watermark)).to.be.greaterThan(Number(first.watermark));
    });

    it('rejects malformed activities with 400 and changes nothing', async () => {
      const conv = await startConversation(srv.base);
      const path = `/v3/directline/conversations/${conv.conversationId}/activities`;
      const before = await activitiesOf(conv);
      const bad: [string | undefined, unknown][] = [
        ['{not json', undefined],
        [undefined, ['message']],
        [undefined, { text: 'no type' }],
        [undefined, { type: 'bogus', text: 'x' }],
        [undefined, { type: 'message', text: 42 }],
        [undefined, { type: 'message' }],
        [undefined, { type: 'message', text: 'x', channelData: 'nope' }],
        [undefined, { type: 'event' }],
        [undefined, { type: 'message', text: 'x', attachments: 'nope' }],
      ];
      for (const [rawBody, body] of bad) {
        const res = await call(srv.base, 'POST', path, { token: conv.token, rawBody, body });
        expect(res.status, JSON.stringify(rawBody ?? body)).to.equal(400);
        expect(res.body.code).to.be.a('string');
      }
      expect((await activitiesOf(conv)).activities).to.deep.equal(before.activities);
    });

    it('rejects oversize bodies and overlong messages with 413', async () => {
      const conv = await startConversation(srv.base);
      const path = `/v3/directline/conversations/${conv.conversationId}/activities`;
      const huge = await call(srv.base, 'POST', path, {
        token: conv.token,
        body: { type: 'message', text: 'x'.repeat(40_000) },
      });
      expect(huge.status).to.equal(413);
      expect(huge.body.code).to.equal('REQUEST.TOO_LARGE');
      const long = await call(srv.base, 'POST', path, {
        token: conv.token,
        body: { type: 'message', text: 'x'.repeat(2001) },
      });
      expect(long.status).to.equal(413);
      expect(long.body.code).to.equal('WEBCHAT.MESSAGE_TOO_LONG');
      expect((await postMessage(srv.base, conv, 'still fine')).status).to.equal(200);
    });

    it('answers 502 when the bot fails, and the server stays healthy', async () => {
      const conv = await startConversation(srv.base);
      const res = await postMessage(srv.base, conv, 'fail');
      expect(res.status).to.equal(502);
      expect(res.body.code).to.equal('WEBCHAT.BOT_FAILED');
      expect((await postMessage(srv.base, conv, 'after')).status).to.equal(200);
    });

    it('answers 404 for unknown conversation ids', async () => {
      const visitor = String((await call(srv.base, 'POST', '/api/webchat/token', { body: {} })).body.token);
      const gen = await call(srv.base, 'POST', '/v3/directline/tokens/generate', { token: visitor });
      const token = String(gen.body.token);
      const id = String(gen.body.conversationId);
      expect((await call(srv.base, 'GET', `/v3/directline/conversations/${id}`, { token })).status).to.equal(404);
      expect((await call(srv.base, 'GET', `/v3/directline/conversations/${id}/activities`, { token })).status).to.equal(
        404,
      );
      const post = await call(srv.base, 'POST', `/v3/directline/conversations/${id}/activities`, {
        token,
        body: { type: 'message', text: 'hi' },
      });
      expect(post.status).to.equal(404);
      expect((post.body.error as { code: string }).code).to.equal('NotFound');
    });

    it('refuses uploads with a clear 415', async () => {
      const conv = await startConversation(srv.base);
      const res = await call(srv.base, 'POST', `/v3/directline/conversations/${conv.conversationId}/upload?userId=u`, {
        token: conv.token,
        rawBody: '--x--',
        headers: { 'Content-Type': 'multipart/form-data; boundary=x' },
      });
      expect(res.status).to.equal(415);
      expect(res.body.code).to.equal('WEBCHAT.UPLOAD_UNSUPPORTED');
    });

    it('keeps activity logs bounded while watermarks keep growing', async () => {
      const small = await startWebChatServer({ limits: { maxActivitiesPerConversation: 5 } });
      try {
        const conv = await startConversation(small.base);
        for (let i = 0; i < 6; i++) await postMessage(small.base, conv, `m${i}`);
        const page = await call(small.base, 'GET', `/v3/directline/conversations/${conv.conversationId}/activities`, {
          token: conv.token,
        });
        const activities = page.body.activities as Partial<Activity>[];
        expect(activities).to.have.length(5);
        expect(activities.at(-1)?.text).to.equal('echo: m5');
        expect(page.body.watermark).to.equal('13');
      } finally {
        await small.close();
      }
    });
  });

  describe('limits', () => {
    it('rate-limits activities per conversation with 429, Retry-After and a JSON body, then recovers', async () => {
      let now = Date.parse('2025-01-15T10:00:00Z');
      const limited = await startWebChatServer({
        clock: () => now,
        limits: { activitiesPerSecond: 1, activitiesBurst: 3 },
      });
      try {
        const conv = await startConversation(limited.base);
        const other = await startConversation(limited.base);
        for (let i = 0; i < 3; i++) expect((await postMessage(limited.base, conv, `m${i}`)).status).to.equal(200);
        const over = await postMessage(limited.base, conv, 'too fast');
        expect(over.status).to.equal(429);
        expect(over.body.code).to.equal('WEBCHAT.RATE_LIMITED');
        expect(over.headers.get('retry-after')).to.equal('1');
        expect((await postMessage(limited.base, other, 'other conversation')).status).to.equal(200);
        expect((await call(limited.base, 'GET', '/healthz')).status).to.equal(200);
        now += 1000;
        expect((await postMessage(limited.base, conv, 'later')).status).to.equal(200);
      } finally {
        await limited.close();
      }
    });
  });

  describe('CORS', () => {
    it('answers the preflight Web Chat sends and puts CORS headers on answers and errors', async () => {
      const res = await fetch(`${srv.base}/v3/directline/conversations`, {
        method: 'OPTIONS',
        headers: {
          Origin: 'https://operator.example',
          'Access-Control-Request-Method': 'POST',
          'Access-Control-Request-Headers': 'authorization,content-type,x-ms-bot-agent',
        },
      });
      expect(res.status).to.equal(204);
      expect(res.headers.get('access-control-allow-origin')).to.equal('*');
      const allowed = (res.headers.get('access-control-allow-headers') ?? '').toLowerCase();
      for (const h of ['authorization', 'content-type', 'x-ms-bot-agent']) expect(allowed).to.include(h);
      const token = await fetch(`${srv.base}/api/webchat/token`, { method: 'OPTIONS' });
      expect(token.status).to.equal(204);
      const denied = await call(srv.base, 'GET', '/v3/directline/conversations/x/activities');
      expect(denied.status).to.equal(401);
      expect(denied.headers.get('access-control-allow-origin')).to.equal('*');
    });
  });

  describe('WebSocket stream', () => {
    it('replays what was missed, then pushes echo (with watermark), typing (without) and reply', async () => {
      const conv = await startConversation(srv.base);
      const stream = await StreamClient.open(conv.streamUrl);
      try {
        await stream.until((s) => s.activities.some((a) => a.text === WELCOME_TEXT));
        const replay = stream.frames[0];
        expect(replay).to.not.equal('');
        expect((replay as { watermark?: string }).watermark).to.equal('1');
        const posted = await postMessage(srv.base, conv, 'over the socket');
        await stream.until((s) => s.activities.some((a) => a.text === 'echo: over the socket'));
        const frames = stream.frames.filter((f) => f !== '');
        const echo = frames.find((f) => f.activities[0]?.id === posted.body.id);
        expect(echo?.watermark).to.be.a('string');
        expect((echo?.activities[0]?.channelData as { clientActivityID?: string }).clientActivityID).to.equal(
          posted.clientActivityID,
        );
        const typing = frames.find((f) => f.activities[0]?.type === 'typing');
        expect(typing).to.not.equal(undefined);
        expect(typing?.watermark).to.equal(undefined);
        expect(typing?.activities[0]?.from?.role).to.equal('bot');
      } finally {
        stream.close();
      }
    });

    it('replays only after the watermark in the streamUrl', async () => {
      const conv = await startConversation(srv.base);
      await postMessage(srv.base, conv, 'before');
      const mark = (await activitiesOf(conv)).watermark;
      await postMessage(srv.base, conv, 'after');
      const reconnect = await call(
        srv.base,
        'GET',
        `/v3/directline/conversations/${conv.conversationId}?watermark=${mark}`,
        {
          token: conv.token,
        },
      );
      const stream = await StreamClient.open(String(reconnect.body.streamUrl));
      try {
        await stream.until((s) => s.activities.some((a) => a.text === 'echo: after'));
        expect(stream.activities.map((a) => a.text)).to.deep.equal(['after', 'echo: after']);
      } finally {
        stream.close();
      }
    });

    it('keeps one socket per conversation: a new one closes the old with reason collision', async () => {
      const conv = await startConversation(srv.base);
      const first = await StreamClient.open(conv.streamUrl);
      const second = await StreamClient.open(conv.streamUrl);
      try {
        await first.until((s) => s.closed !== undefined);
        expect(first.closed?.reason).to.equal('collision');
        await postMessage(srv.base, conv, 'to the second');
        await second.until((s) => s.activities.some((a) => a.text === 'echo: to the second'));
        expect(second.closed).to.equal(undefined);
      } finally {
        second.close();
      }
    });

    it('sends empty keep-alive frames and ignores the client pings', async () => {
      const quick = await startWebChatServer({ limits: { keepAliveMs: 50 } });
      try {
        const conv = await startConversation(quick.base);
        const stream = await StreamClient.open(conv.streamUrl);
        stream.ws.send('');
        await stream.until((s) => s.frames.includes(''));
        await postMessage(quick.base, conv, 'alive');
        await stream.until((s) => s.activities.some((a) => a.text === 'echo: alive'));
        expect(stream.closed).to.equal(undefined);
        stream.close();
      } finally {
        await quick.close();
      }
    });

    it('refuses unknown stream paths, bad tokens and unknown conversations', async () => {
      const conv = await startConversation(srv.base);
      const wsBase = srv.base.replace('http', 'ws');
      const attempts: [string, string][] = [
        [`${wsBase}/v3/directline/conversations/${conv.conversationId}/stream?t=garbage`, 'HTTP 403'],
        [`${wsBase}/v3/directline/conversations/${conv.conversationId}/stream`, 'HTTP 403'],
        [`${wsBase}/v3/directline/nowhere`, 'HTTP 404'],
      ];
      const visitor = String((await call(srv.base, 'POST', '/api/webchat/token', { body: {} })).body.token);
      const gen = await call(srv.base, 'POST', '/v3/directline/tokens/generate', { token: visitor });
      attempts.push([
        `${wsBase}/v3/directline/conversations/${String(gen.body.conversationId)}/stream?t=${encodeURIComponent(String(gen.body.token))}`,
        'HTTP 404',
      ]);
      for (const [url, expected] of attempts) {
        await StreamClient.open(url).then(
          () => expect.fail(`opened ${url}`),
          (err: Error) => expect(err.message).to.equal(expected),
        );
      }
    });
  });

  describe('proactive messages', () => {
    it('continueConversationAsync reaches the open socket and the log (for a later reload)', async () => {
      const conv = await startConversation(srv.base, signVisitorIdentity(TEST_IDENTITY_SECRET, MSISDN, Date.now()));
      const stream = await StreamClient.open(conv.streamUrl);
      try {
        await stream.until((s) => s.activities.length > 0);
        const reference = {
          conversation: { id: conv.conversationId, isGroup: false, conversationType: 'personal', name: '' },
        };
        let seenIdentity: unknown;
        await srv.webchat.adapter.continueConversationAsync('bot', reference, async (ctx) => {
          seenIdentity = (ctx.activity.channelData as { identity?: unknown }).identity;
          await ctx.sendActivity('Your payment of 10.00 was received.');
        });
        expect(seenIdentity).to.deep.equal({ msisdn: MSISDN, verifiedBy: 'webchat-token' });
        await stream.until((s) => s.activities.some((a) => a.text === 'Your payment of 10.00 was received.'));
        expect(texts((await activitiesOf(conv)).activities, 'bot')).to.include('Your payment of 10.00 was received.');
      } finally {
        stream.close();
      }
    });

    it('refuses to continue an unknown conversation', async () => {
      let failed = false;
      await srv.webchat.adapter
        .continueConversationAsync(
          'bot',
          { conversation: { id: 'nope', isGroup: false, conversationType: 'personal', name: '' } },
          async () => {},
        )
        .catch(() => {
          failed = true;
        });
      expect(failed).to.equal(true);
    });
  });
});
