/**
 * WhatsApp through whatsapp-web.js (`WHATSAPP_PROVIDER=web`): a phone's own WhatsApp Web session driven in
 * Debian's Chromium (protocols.md 2). For small operators and developers; production uses the Cloud API.
 * - The client comes from a factory (the real one below; tests pass a fake with the library's event
 *   interface). The QR code is printed in the terminal (stderr) at first start; `LocalAuth` keeps the session.
 * - `message` events from ourselves, groups, channels and status broadcasts are skipped.
 * - `@c.us` senders carry their number, so the channel proves it (identity); `@lid` senders hide it (no
 *   identity: the bot verifies them by one-time code).
 * - The library's buttons and lists are deprecated: choices go out as numbered text, and a typed number (or
 *   title) maps back to the choice's value.
 * - After a disconnect the client is destroyed and a new one started, with backoff.
 */
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { type Activity, ActivityTypes, type ResourceResponse, type Storage, TurnContext } from 'botbuilder';
import { redactCardNumbers } from '../../../bot/card-redaction.js';
import type { Config } from '../../../bot/config.js';
import type { Logger } from '../../../bot/logger.js';
import { toNeutralMessage } from '../render/neutral-message.js';
import { renderNumberedText, resolveNumberedReply } from '../render/numbered-text.renderer.js';
import { ChannelBotAdapter, type TurnLogic } from '../shared/channel-bot-adapter.js';
import { ChannelUserStateStore } from '../shared/channel-user-state.js';
import { KeyedQueue } from '../shared/keyed-queue.js';

/** The part of whatsapp-web.js's `Message` the adapter reads. */
export interface WebMessage {
  id: { _serialized: string; fromMe?: boolean };
  from: string;
  body: string;
  type: string;
  fromMe: boolean;
  hasMedia?: boolean;
}

/** The part of whatsapp-web.js's `Client` the adapter uses (events `qr`, `ready`, `message`, `disconnected`). */
export interface WhatsAppWebClient {
  on(event: 'qr', listener: (qr: string) => void): unknown;
  on(event: 'ready', listener: () => void): unknown;
  on(event: 'message', listener: (message: WebMessage) => void): unknown;
  on(event: 'disconnected', listener: (reason: string) => void): unknown;
  on(event: 'auth_failure', listener: (message: string) => void): unknown;
  initialize(): Promise<void>;
  sendMessage(chatId: string, content: string): Promise<{ id: { _serialized: string } }>;
  destroy(): Promise<void>;
}

export type WebConnectionState = 'stopped' | 'starting' | 'waiting-for-qr-scan' | 'ready' | 'reconnecting';

export interface WhatsAppWebAdapterOptions {
  createClient: () => WhatsAppWebClient;
  storage: Storage;
  logger: Logger;
  clock?: () => number;
  /** Shows the pairing QR code; default: qrcode-terminal on stderr (never through the logger). */
  printQr?: (qr: string) => void;
  /** Waits before reconnect attempts 1, 2, ...; the last one repeats. Default 1 s doubling to 60 s. */
  reconnectDelaysMs?: readonly number[];
  mediaReply?: string;
}

const MEDIA_TYPES = new Set([
  'image',
  'video',
  'audio',
  'ptt',
  'document',
  'sticker',
  'location',
  'vcard',
  'multi_vcard',
]);

export function printQrToTerminal(qr: string): void {
  const require = createRequire(import.meta.url);
  const qrcode = require('qrcode-terminal') as typeof import('qrcode-terminal');
  qrcode.generate(qr, { small: true }, (art) => {
    process.stderr.write(`\nScan this QR code with WhatsApp (Settings > Linked devices):\n${art}\n`);
  });
}

/** The real client: Debian's Chromium, session kept with LocalAuth under DATA_DIR/wwebjs. */
export function createWhatsAppWebClient(config: Config): WhatsAppWebClient {
  // Loaded lazily: whatsapp-web.js pulls in puppeteer, which only the `web` provider needs.
  const require = createRequire(import.meta.url);
  const { Client, LocalAuth } = require('whatsapp-web.js') as typeof import('whatsapp-web.js');
  const client = new Client({
    authStrategy: new LocalAuth({ dataPath: join(config.dataDir, 'wwebjs') }),
    puppeteer: { executablePath: config.chromiumPath, args: ['--no-sandbox', '--disable-setuid-sandbox'] },
  });
  return client;
}

export class WhatsAppWebAdapter extends ChannelBotAdapter {
  readonly channelId = 'whatsapp';
  private client?: WhatsAppWebClient;
  private logic?: TurnLogic;
  private attempts = 0;
  private reconnectTimer?: NodeJS.Timeout;
  private readonly users: ChannelUserStateStore;
  private readonly queue = new KeyedQueue();
  private readonly clock: () => number;
  private readonly delays: readonly number[];
  private connection: WebConnectionState = 'stopped';

  constructor(private readonly opts: WhatsAppWebAdapterOptions) {
    super('whatsapp-web.js adapter');
    this.clock = opts.clock ?? Date.now;
    this.delays = opts.reconnectDelaysMs ?? [1000, 2000, 4000, 8000, 16000, 32000, 60000];
    this.users = new ChannelUserStateStore(opts.storage, 'whatsapp-web');
  }

  get state(): WebConnectionState {
    return this.connection;
  }

  /** Creates the client and initializes it; messages then run `logic` as turns. */
  async start(logic: TurnLogic): Promise<void> {
    this.logic = logic;
    await this.connect();
  }

  async stop(): Promise<void> {
    this.connection = 'stopped';
    clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = undefined;
    await client?.destroy().catch(() => undefined);
    await this.queue.idle();
  }

  idle(): Promise<void> {
    return this.queue.idle();
  }

  private async connect(): Promise<void> {
    const client = this.opts.createClient();
    this.client = client;
    this.connection = 'starting';
    const current = () => this.client === client && this.connection !== 'stopped';
    client.on('qr', (qr) => {
      if (!current()) return;
      this.connection = 'waiting-for-qr-scan';
      this.opts.logger.info('whatsapp web: scan the QR code printed on stderr');
      (this.opts.printQr ?? printQrToTerminal)(qr);
    });
    client.on('ready', () => {
      if (!current()) return;
      this.connection = 'ready';
      this.attempts = 0;
      this.opts.logger.info('whatsapp web ready');
    });
    client.on('message', (message) => {
      if (!current() || !this.logic) return;
      const logic = this.logic;
      void this.queue.run(message.from, () =>
        this.onMessage(message, logic).catch((error: unknown) => {
          this.opts.logger.error('whatsapp web turn failed', { error: error instanceof Error ? error : String(error) });
        }),
      );
    });
    client.on('disconnected', (reason) => {
      if (!current()) return;
      this.opts.logger.warn('whatsapp web disconnected', { reason: String(reason) });
      this.scheduleReconnect();
    });
    client.on('auth_failure', () => {
      if (!current()) return;
      this.opts.logger.error('whatsapp web authentication failed; a new QR code will be shown');
      this.scheduleReconnect();
    });
    try {
      await client.initialize();
    } catch (error) {
      if (!current()) return;
      this.opts.logger.warn('whatsapp web failed to start', { error: error instanceof Error ? error.name : 'error' });
      this.scheduleReconnect();
    }
  }

  private scheduleReconnect(): void {
    if (this.connection === 'stopped' || this.connection === 'reconnecting') return;
    this.connection = 'reconnecting';
    const delay = this.delays[Math.min(this.attempts, this.delays.length - 1)];
    this.attempts++;
    const old = this.client;
    this.reconnectTimer = setTimeout(async () => {
      // The library destroys itself on some disconnects; destroying twice is harmless.
      await old?.destroy().catch(() => undefined);
      if (this.connection !== 'reconnecting') return;
      this.opts.logger.info('whatsapp web reconnecting', { attempt: this.attempts });
      await this.connect();
    }, delay);
  }

  private async onMessage(m: WebMessage, logic: TurnLogic): Promise<void> {
    if (m.fromMe || m.id.fromMe) return;
    if (!/@(c\.us|lid)$/.test(m.from)) return; // groups (@g.us), channels (@newsletter), status@broadcast
    const now = this.clock();
    if (!(await this.users.claimInbound(m.from, m.id._serialized, now))) return;
    const media = m.hasMedia === true || MEDIA_TYPES.has(m.type);
    if (m.type !== 'chat' && !media) return; // notifications, revoked messages, calls
    const state = await this.users.get(m.from);
    const channelData: Record<string, unknown> = { whatsapp: { provider: 'web', messageType: m.type } };
    const number = /^(\d{6,15})@c\.us$/.exec(m.from);
    // A phone JID proves the number; a linked id (@lid) hides it: no identity, the bot verifies by code.
    if (number) channelData.identity = { msisdn: `+${number[1]}`, verifiedBy: 'whatsapp' };
    const activity: Partial<Activity> = {
      type: ActivityTypes.Message,
      id: m.id._serialized,
      timestamp: new Date(now),
      channelId: this.channelId,
      serviceUrl: 'whatsapp-web://local',
      from: { id: m.from, name: '', role: 'user' },
      recipient: { id: 'whatsapp-web', name: '', role: 'bot' },
      conversation: { id: m.from, isGroup: false, conversationType: 'personal', name: '' },
      text: '',
      textFormat: 'plain',
      channelData,
    };
    const context = new TurnContext(this, activity);
    const body = (m.body ?? '').trim();
    if (body === '') {
      if (media)
        await context.sendActivity(
          this.opts.mediaReply ?? 'Sorry, I can only read text messages. Please type your question.',
        );
      return;
    }
    const picked = state.offered ? resolveNumberedReply(body, state.offered.choices) : undefined;
    const redacted = redactCardNumbers(picked ?? body);
    activity.text = redacted.text;
    if (redacted.found) channelData.cardNumberRedacted = true;
    await this.runMiddleware(context, logic);
  }

  override async sendActivities(context: TurnContext, activities: Partial<Activity>[]): Promise<ResourceResponse[]> {
    const responses: ResourceResponse[] = [];
    for (const activity of activities) {
      if (activity.type !== ActivityTypes.Message) {
        responses.push({ id: '' });
        continue;
      }
      const to = activity.recipient?.id ?? context.activity.from?.id;
      const client = this.client;
      const neutral = toNeutralMessage(activity);
      const text = renderNumberedText(neutral);
      if (!to || !client || text === '') {
        responses.push({ id: '' });
        continue;
      }
      await this.users.rememberOffered(to, neutral.choices, true, this.clock());
      try {
        const sent = await client.sendMessage(to, text);
        responses.push({ id: sent.id._serialized });
      } catch (error) {
        // Not retried: whatsapp-web.js cannot tell whether a failed send reached the phone.
        this.opts.logger.warn('whatsapp web send failed', { error: error instanceof Error ? error.name : 'error' });
        responses.push({ id: '' });
      }
    }
    return responses;
  }
}

export interface WhatsAppWebDeps {
  bot: { run(context: TurnContext): Promise<void> };
  storage: Storage;
  config: Config;
  logger: Logger;
  clock?: () => number;
  /** Default: the real whatsapp-web.js client. */
  createClient?: () => WhatsAppWebClient;
}

/** Starts the whatsapp-web.js channel (the composition root calls this when `WHATSAPP_PROVIDER=web`). */
export function startWhatsAppWeb(deps: WhatsAppWebDeps): { adapter: WhatsAppWebAdapter } {
  const logger = deps.logger.child({ channel: 'whatsapp-web' });
  const adapter = new WhatsAppWebAdapter({
    createClient: deps.createClient ?? (() => createWhatsAppWebClient(deps.config)),
    storage: deps.storage,
    logger,
    clock: deps.clock,
  });
  adapter
    .start((context) => deps.bot.run(context))
    .catch((error: unknown) => {
      logger.error('whatsapp web failed to start', { error: error instanceof Error ? error.name : 'error' });
    });
  return { adapter };
}
