/**
 * The floor: the smallest botbuilder bot on restify 11 that answers on the same HTTP paths as the product, so
 * the same load generator drives both in the same run and our throughput can be stated as a share of what the
 * framework itself allows.
 *
 * - `POST /api/messages`: CloudAdapter without authentication (empty MicrosoftAppId), as in the Bot Framework
 *   samples (restify `bodyParser`), answering `echo: <text>`; with `deliveryMode: expectReplies` the reply comes
 *   back in the HTTP response.
 * - The Direct Line path: our own Direct Line 3.0 service (`registerWebChat`) in front of the echo bot, on
 *   `MemoryStorage`. Writing a second, "minimal" Direct Line would measure a toy; with the same service in front of
 *   both bots, the ratio on this path is the cost of our bot alone, and the echo figure is the floor of the path.
 */
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, MemoryStorage } from 'botbuilder';
import { createServer, plugins, type Request, type Response, type Server } from 'restify';
import { registerWebChat, type WebChat } from '../../adapters/channels/webchat/register-webchat.js';
import type { WebChatLimits } from '../../adapters/channels/webchat/directline-service.js';
import { loadConfig } from '../../bot/config.js';
import { silentLogger } from '../../bot/logger.js';

/** Echoes every message; nothing else. */
export class EchoBot extends ActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
      await next();
    });
  }
}

export interface EchoServerOptions {
  /** A directory for the Direct Line service's install secrets. */
  dataDir: string;
  /** Signs visitor identities (the same setting as the product's, so the same client code drives both). */
  identitySecret: string;
  /** Direct Line limits (the bench raises the per-conversation rate limit on both products alike). */
  webchatLimits?: Partial<WebChatLimits>;
}

export interface EchoServer {
  server: Server;
  listen(port?: number, host?: string): Promise<number>;
  close(): Promise<void>;
}

export function createEchoServer(opts: EchoServerOptions): EchoServer {
  const server = createServer({ name: 'echo-bot' });
  const bot = new EchoBot();
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  adapter.onTurnError = async (context) => {
    await context.sendActivity('echo failed');
  };
  server.get('/healthz', (_req: Request, res: Response, next) => {
    res.send(200, { status: 'ok' });
    next(false);
  });
  // Only this route gets restify's body parser: the Direct Line routes read their own bodies.
  server.post('/api/messages', plugins.bodyParser(), (req: Request, res: Response, next) => {
    adapter
      .process(req, res, (context) => bot.run(context))
      .catch(() => {
        if (!res.headersSent) res.send(500);
      })
      .finally(() => next(false));
  });

  const config = loadConfig({
    PORT: '0',
    DATA_DIR: opts.dataDir,
    SEED_DEMO: 'false',
    WEBCHAT_IDENTITY_SECRET: opts.identitySecret,
    WHATSAPP_PROVIDER: 'off',
    LOG_LEVEL: 'error',
  });
  const webchat: WebChat = registerWebChat(server, {
    bot,
    storage: new MemoryStorage(),
    config,
    logger: silentLogger,
    limits: opts.webchatLimits,
  });

  return {
    server,
    listen: (port = 0, host = '127.0.0.1') =>
      new Promise<number>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => resolve((server.address() as { port: number }).port));
      }),
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await webchat.close();
    },
  };
}
