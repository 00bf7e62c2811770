/**
 * A local stand-in for a Bot Framework channel (what the Emulator or Azure Bot Service expose at an activity's
 * `serviceUrl`), over real HTTP: botbuilder's own `CloudAdapter` sends proactive messages to it with
 * `POST /v3/conversations/{conversationId}/activities[/{replyToId}]`. It records what arrived and can be told
 * to fail the next sends. Used as the "test channel" of the payment tests until the real channels are wired.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Activity, ConversationReference } from 'botbuilder';

export interface FakeBotChannel {
  readonly serviceUrl: string;
  readonly received: { conversationId: string; activity: Partial<Activity> }[];
  /** The reference a dialog would have stored for a turn in this conversation. */
  referenceFor(conversationId: string, userId?: string): Partial<ConversationReference>;
  failNext(count: number): void;
  close(): Promise<void>;
}

export async function startFakeBotChannel(channelId = 'emulator'): Promise<FakeBotChannel> {
  const received: FakeBotChannel['received'] = [];
  let failures = 0;
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const m = /^\/v3\/conversations\/([^/]+)\/activities(?:\/[^/]+)?$/.exec(req.url ?? '');
      if (req.method !== 'POST' || !m) {
        res.writeHead(404);
        res.end();
        return;
      }
      if (failures > 0) {
        failures--;
        // A 4xx, which botbuilder's connector does not retry (a 5xx is retried with backoff: slow tests).
        res.writeHead(403, { 'content-type': 'application/json' });
        res.end('{"error":{"code":"BotNotInConversationRoster","message":"refused by the test"}}');
        return;
      }
      received.push({
        conversationId: decodeURIComponent(m[1]),
        activity: JSON.parse(Buffer.concat(chunks).toString('utf8')),
      });
      // Separate calls: restify patches ServerResponse.writeHead process-wide and it no longer returns `this`.
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ id: `a${received.length}` }));
    });
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const serviceUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  return {
    serviceUrl,
    received,
    referenceFor: (conversationId, userId = `user-${conversationId}`) => ({
      channelId,
      serviceUrl,
      conversation: { id: conversationId, isGroup: false, conversationType: 'personal', name: '' },
      bot: { id: 'bot', name: 'Telco' },
      user: { id: userId, name: '' },
    }),
    failNext: (count) => {
      failures = count;
    },
    close: () => new Promise<void>((r) => server.close(() => r())),
  };
}
