/**
 * Everything the payment tests run on, all real: the one restify server on 127.0.0.1 port 0 with the sandbox
 * checkout and webhook, the embedded charging core with the demo data and a settable clock, LowdbStorage in a
 * temp dir, the chat side built by `createChatPayments` (guard and link recorder on the adapter), the notifier delivering through botbuilder's CloudAdapter to a fake Bot Framework channel.
 */
import type { AddressInfo } from 'node:net';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication } from 'botbuilder';
import type { Server } from 'restify';
import { registerSandboxPayments, type SandboxPayments } from '../../../adapters/payments/sandbox/sandbox-payments.js';
import { LowdbStorage } from '../../../adapters/store/lowdb/lowdb-storage.js';
import { loadConfig } from '../../../bot/config.js';
import { createLogger, type Logger } from '../../../bot/logger.js';
import { createChatPayments } from '../../../bot/payments/chat-payments.js';
import type { PaymentConversations } from '../../../bot/payments/payment-conversations.js';
import type { PaymentNotifier } from '../../../bot/payments/payment-notifier.js';
import { createHttpServer } from '../../../bot/server.js';
import { type ChargingCore, createChargingCore } from '../../../charging/core.js';
import { seedDemo } from '../../../charging/demo.js';
import { createMemoryChargingStore } from '../../../charging/memory-store.js';
import type { Payment } from '../../../charging/model.js';
import { FixedClock } from '../../helpers/fixed-clock.js';
import { tempDir } from '../../helpers/temp-dir.js';
import { type FakeBotChannel, startFakeBotChannel } from './fake-bot-channel.js';

export const ANA = '+15550100001'; // prepaid, demo
export const BEN = '+15550100002'; // postpaid with an open bill, demo
export const CALLBACK_SECRET = 'test-callback-secret-0123456789abcdef';

export interface PaymentsRig {
  base: string;
  server: Server;
  clock: FixedClock;
  core: ChargingCore;
  payments: SandboxPayments;
  channel: FakeBotChannel;
  adapter: CloudAdapter;
  storage: LowdbStorage;
  conversations: PaymentConversations;
  notifier: PaymentNotifier;
  logLines: string[];
  logger: Logger;
  /** What a dialog does: create the payment and send its link in the conversation (the recorder remembers it). */
  startPayment(
    msisdn: string,
    purpose: Payment['purpose'],
    amount: number | undefined,
    conversationId: string,
  ): Promise<Payment>;
  close(): Promise<void>;
}

export async function startPaymentsRig(): Promise<PaymentsRig> {
  const clock = new FixedClock('2025-01-15T10:00:00.000Z');
  const dir = tempDir('payments-');
  const logLines: string[] = [];
  const logger = createLogger('debug', {}, (line) => logLines.push(line));
  const server = createHttpServer({ logger, isReady: () => true });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const config = loadConfig({
    PORT: '0',
    PUBLIC_URL: base,
    DATA_DIR: dir.path,
    PAYMENT_CALLBACK_SECRET: CALLBACK_SECRET,
    OPERATOR_NAME: 'Acme Mobile',
  });

  const core = createChargingCore({ store: createMemoryChargingStore(), clock });
  await seedDemo(core);
  const payments = registerSandboxPayments(server, { charging: core, config, logger, clock });

  const channel = await startFakeBotChannel('emulator');
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}));
  const storage = new LowdbStorage({ dir: `${dir.path}/bot-state` });
  const chat = createChatPayments({
    charging: core,
    storage,
    channelFor: (id) => (id === 'emulator' ? adapter : undefined),
    botAppId: '',
    publicUrl: config.publicUrl,
    checkoutUrl: payments.checkoutUrl,
    logger,
  });
  adapter.use(chat.guard).use(chat.recorder);
  const { conversations, notifier } = chat;
  const stop = notifier.start();

  return {
    base,
    server,
    clock,
    core,
    payments,
    channel,
    adapter,
    storage,
    conversations,
    notifier,
    logLines,
    logger,
    async startPayment(msisdn, purpose, amount, conversationId) {
      const created = await core.createPayment(msisdn, { purpose, ...(amount ? { amount } : {}) });
      if (!created.ok) throw new Error(`createPayment failed: ${created.error.code}`);
      const url = payments.checkoutUrl(created.value.id);
      await adapter.continueConversationAsync('', channel.referenceFor(conversationId), async (ctx) => {
        await ctx.sendActivity({
          text: `Pay here: ${url}`,
          suggestedActions: { to: [], actions: [{ type: 'openUrl', title: 'Pay', value: url }] },
        });
      });
      return created.value;
    },
    async close() {
      stop();
      await notifier.idle();
      await new Promise<void>((r) => server.close(() => r()));
      await channel.close();
      await storage.close();
      await core.close();
      dir.remove();
    },
  };
}
