import { EventEmitter } from 'node:events';
import { expect } from 'chai';
import { MemoryStorage } from 'botbuilder';
import {
  type WebMessage,
  WhatsAppWebAdapter,
  type WhatsAppWebClient,
} from '../../../adapters/channels/whatsapp/whatsapp-web.adapter.js';
import { silentLogger } from '../../../bot/logger.js';
import { ChannelTestBot } from './test-bot.js';

/** A stand-in for whatsapp-web.js's Client: the same event interface, sends recorded. */
class FakeWebClient extends EventEmitter implements WhatsAppWebClient {
  readonly sent: { chatId: string; content: string }[] = [];
  initialized = 0;
  destroyed = 0;
  private seq = 0;
  private sentWaiters: (() => void)[] = [];

  async initialize(): Promise<void> {
    this.initialized++;
  }

  async sendMessage(chatId: string, content: string) {
    this.sent.push({ chatId, content });
    for (const w of this.sentWaiters.splice(0)) w();
    return { id: { _serialized: `true_${chatId}_OUT${++this.seq}` } };
  }

  async destroy(): Promise<void> {
    this.destroyed++;
  }

  incoming(from: string, body: string, extra: Partial<WebMessage> = {}): void {
    const id = `false_${from}_IN${++this.seq}`;
    this.emit('message', { id: { _serialized: id, fromMe: false }, from, body, type: 'chat', fromMe: false, ...extra });
  }
}

describe('whatsapp-web.js adapter (through a fake client with the library event interface)', () => {
  let clients: FakeWebClient[];
  let qrs: string[];
  let adapter: WhatsAppWebAdapter;
  let bot: ChannelTestBot;
  let created: (() => void)[];
  /** How many of the next clients fail in `initialize()` (a browser that cannot start). */
  let failingStarts: number;

  const nextClient = (n: number) =>
    new Promise<FakeWebClient>((resolve) => {
      const check = () => (clients.length >= n ? resolve(clients[n - 1]) : created.push(check));
      check();
    });

  beforeEach(async () => {
    clients = [];
    qrs = [];
    created = [];
    failingStarts = 0;
    bot = new ChannelTestBot();
    adapter = new WhatsAppWebAdapter({
      createClient: () => {
        const c = new FakeWebClient();
        if (failingStarts > 0) {
          failingStarts--;
          c.initialize = async () => {
            throw new Error('browser failed to start');
          };
        }
        clients.push(c);
        for (const w of created.splice(0)) w();
        return c;
      },
      storage: new MemoryStorage(),
      logger: silentLogger,
      printQr: (qr) => qrs.push(qr),
      reconnectDelaysMs: [1, 2],
    });
    await adapter.start((ctx) => bot.run(ctx));
  });
  afterEach(() => adapter.stop());

  it('initializes the client, shows the QR code, then becomes ready', () => {
    const [client] = clients;
    expect(client.initialized).to.equal(1);
    client.emit('qr', '2@ABCDEF==,xyz');
    expect(qrs).to.deep.equal(['2@ABCDEF==,xyz']);
    expect(adapter.state).to.equal('waiting-for-qr-scan');
    client.emit('ready');
    expect(adapter.state).to.equal('ready');
  });

  it('answers a @c.us sender with the identity taken from the number', async () => {
    const [client] = clients;
    client.emit('ready');
    client.incoming('15550100001@c.us', 'who am i');
    await adapter.idle();
    expect(client.sent).to.deep.equal([{ chatId: '15550100001@c.us', content: 'verified +15550100001' }]);
  });

  it('gives a @lid sender (number hidden) no identity', async () => {
    const [client] = clients;
    client.incoming('208371926534561@lid', 'who am i');
    await adapter.idle();
    expect(client.sent).to.deep.equal([{ chatId: '208371926534561@lid', content: 'not verified' }]);
  });

  it('skips own messages, groups and status broadcasts; dedups by message id', async () => {
    const [client] = clients;
    client.incoming('15550100001@c.us', 'hi', { fromMe: true });
    client.incoming('120363025@g.us', 'hi');
    client.incoming('status@broadcast', 'hi');
    const dup: WebMessage = {
      id: { _serialized: 'false_x_1' },
      from: '15550100001@c.us',
      body: 'hi',
      type: 'chat',
      fromMe: false,
    };
    client.emit('message', dup);
    client.emit('message', dup);
    await adapter.idle();
    expect(bot.received.map((r) => r.text)).to.deep.equal(['hi']);
    expect(client.sent).to.have.length(1);
  });

  it('sends choices as numbered text and maps a numbered reply back to the value', async () => {
    const [client] = clients;
    client.incoming('15550100001@c.us', 'two');
    await adapter.idle();
    expect(client.sent[0].content).to.equal('Confirm the swap?\n\n1. Yes\n2. No');
    client.incoming('15550100001@c.us', '1');
    await adapter.idle();
    expect(bot.received.at(-1)?.text).to.equal('swap:confirm:Q1');
    expect(client.sent.at(-1)?.content).to.equal('You said: swap:confirm:Q1');
  });

  it('answers media without a caption politely without running the bot', async () => {
    const [client] = clients;
    client.incoming('15550100001@c.us', '', { type: 'image', hasMedia: true });
    await adapter.idle();
    expect(bot.received).to.have.length(0);
    expect(client.sent[0].content).to.match(/only read text/);
  });

  it('reconnects with a new client after a disconnect, and again if that one fails to start', async () => {
    const [first] = clients;
    first.emit('ready');
    first.emit('disconnected', 'NAVIGATION');
    expect(adapter.state).to.equal('reconnecting');
    const second = await nextClient(2);
    expect(first.destroyed).to.equal(1);
    expect(second.initialized).to.equal(1);
    // Events from the replaced client are ignored.
    first.incoming('15550100001@c.us', 'hi');
    second.emit('qr', 'new-qr');
    expect(qrs).to.deep.equal(['new-qr']);
    second.emit('ready');
    expect(adapter.state).to.equal('ready');
    second.incoming('15550100001@c.us', 'hi');
    await adapter.idle();
    expect(first.sent).to.have.length(0);
    expect(second.sent.map((s) => s.content)).to.deep.equal(['Hello! How can I help?']);

    failingStarts = 1;
    second.emit('disconnected', 'CONFLICT');
    const third = await nextClient(3);
    const fourth = await nextClient(4);
    expect(third.initialized).to.equal(0);
    expect(third.destroyed).to.equal(1);
    expect(fourth.initialized).to.equal(1);
  });
});
