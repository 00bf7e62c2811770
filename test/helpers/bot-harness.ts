/**
 * Drives the whole bot (real charging core with demo data, real recogniser, real Storage) through
 * botbuilder-testing's `TestAdapter`: `say()` sends one user message and returns the bot's replies.
 * The recogniser is trained once per test run into a temp cache shared by every test file.
 */
import { rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Activity, MemoryStorage, type Storage } from 'botbuilder';
import { TestAdapter } from 'botbuilder-core';
import { OutboxSmsSender } from '../../adapters/sms/outbox/outbox-sms-sender.js';
import { type BotApp, createBotApp } from '../../bot/app.js';
import { loadConfig } from '../../bot/config.js';
import { createLogger, silentLogger } from '../../bot/logger.js';
import { type ChargingCore, createChargingCore } from '../../charging/core.js';
import { seedDemo } from '../../charging/demo.js';
import { createMemoryChargingStore } from '../../charging/memory-store.js';
import type { ChargingService } from '../../charging/ports.js';
import { createRecognizer } from '../../nlu/nlpjs-recognizer.js';
import type { Recognizer } from '../../nlu/recognizer.js';
import { FixedClock } from './fixed-clock.js';

export const PUBLIC_URL = 'https://bot.example.test';
export const ANA = '+15550100001';
export const BEN = '+15550100002';
export const CHLOE = '+15550100003';
export const DIEGO = '+15550100004';
export const EVE = '+15550100005';

let recognizer: Promise<Recognizer> | undefined;
const nluCache = join(tmpdir(), `telco-bot-tests-nlu-${process.pid}`);

/** The real recogniser, trained once per test run (a few seconds) and shared. */
export function sharedRecognizer(): Promise<Recognizer> {
  if (!recognizer) {
    recognizer = createRecognizer({ cacheDir: nluCache });
    process.once('exit', () => rmSync(nluCache, { recursive: true, force: true }));
  }
  return recognizer;
}

/** The embedded core on a fixed clock, seeded with the demo subscribers. */
export async function demoCore(clock = new FixedClock('2026-03-10T10:00:00.000Z')): Promise<ChargingCore> {
  const core = createChargingCore({ store: createMemoryChargingStore(), clock });
  await seedDemo(core);
  return core;
}

/** The channels the bot serves, and how each proves identity. */
export const CHANNELS = ['whatsapp', 'webchat', 'messenger'] as const;
export type ChannelId = (typeof CHANNELS)[number];

export interface HarnessOptions {
  channelId: ChannelId | string;
  /** The subscriber this user is. WhatsApp passes it as channel identity; web chat too unless `anonymous`. */
  msisdn?: string;
  /** Web chat without a signed identity: verifies by one-time code like Messenger. */
  anonymous?: boolean;
  core?: ChargingCore;
  charging?: ChargingService;
  clock?: FixedClock;
  storage?: Storage;
  userId?: string;
  conversationId?: string;
}

export interface Harness {
  app: BotApp;
  core: ChargingCore;
  clock: FixedClock;
  storage: Storage;
  outbox: OutboxSmsSender;
  adapter: TestAdapter;
  /** Sends one message (text or a partial activity) and returns the bot's replies. */
  say(input: string | Partial<Activity>): Promise<Partial<Activity>[]>;
  /** Reads the last one-time code sent to `msisdn` from the SMS outbox. */
  lastCode(msisdn: string): Promise<string | undefined>;
  /** Whether this channel proves the number itself (else the user verifies by code). */
  readonly channelProvesIdentity: boolean;
}

export async function createHarness(opts: HarnessOptions): Promise<Harness> {
  const clock = opts.clock ?? new FixedClock('2026-03-10T10:00:00.000Z');
  const core = opts.core ?? (await demoCore(clock));
  const storage = opts.storage ?? new MemoryStorage();
  const outbox = new OutboxSmsSender(storage, clock);
  const config = { ...loadConfig({}), publicUrl: PUBLIC_URL };
  const app = await createBotApp({
    charging: opts.charging ?? core,
    recognizer: await sharedRecognizer(),
    storage,
    sms: outbox,
    config,
    logger: process.env.BOT_TEST_LOG ? createLogger('debug') : silentLogger,
    clock,
  });
  const userId = opts.userId ?? `user-${opts.channelId}`;
  const adapter = new TestAdapter(
    {
      channelId: opts.channelId,
      serviceUrl: 'https://test.example',
      user: { id: userId, name: 'customer' },
      bot: { id: 'bot', name: 'bot' },
      conversation: {
        id: `conv-${opts.channelId}-${userId}`,
        isGroup: false,
        name: 'conv',
        conversationType: 'personal',
      },
    },
    undefined,
  );
  const proves = !!opts.msisdn && (opts.channelId === 'whatsapp' || (opts.channelId === 'webchat' && !opts.anonymous));
  const identity = proves
    ? { msisdn: opts.msisdn, verifiedBy: opts.channelId === 'whatsapp' ? 'whatsapp' : 'webchat-token' }
    : undefined;

  const say = async (input: string | Partial<Activity>) => {
    const activity: Partial<Activity> =
      typeof input === 'string' ? { type: 'message', text: input } : { type: 'message', ...input };
    if (identity) activity.channelData = { ...(activity.channelData ?? {}), identity };
    adapter.activeQueue.splice(0);
    await adapter.processActivity(activity, (context) => app.bot.run(context));
    return adapter.activeQueue.splice(0);
  };

  return {
    app,
    core,
    clock,
    storage,
    outbox,
    adapter,
    say,
    channelProvesIdentity: proves,
    async lastCode(msisdn) {
      const messages = await outbox.list(msisdn);
      return messages.at(-1)?.text.match(/\b(\d{6})\b/)?.[1];
    },
  };
}

/** Text of the message replies, joined by newlines (events and typing left out). */
export function textOf(replies: Partial<Activity>[]): string {
  return replies
    .filter((r) => r.type === 'message')
    .map((r) => r.text ?? '')
    .join('\n');
}

/** Titles of every suggested action in the replies. */
export function actionsOf(replies: Partial<Activity>[]): { type: string; title?: string; value?: unknown }[] {
  return replies.flatMap((r) => r.suggestedActions?.actions ?? []);
}

export type Expectation = RegExp | RegExp[] | ((replies: Partial<Activity>[]) => void);
export type Turn = [userSays: string | Partial<Activity>, botAnswers: Expectation];

/** Plays a table of turns, asserting each answer; the assertion message names the turn. */
export async function play(h: Harness, turns: readonly Turn[]): Promise<void> {
  for (const [i, [says, expected]] of turns.entries()) {
    const replies = await h.say(says);
    const text = textOf(replies);
    const label = `turn ${i + 1} (${typeof says === 'string' ? JSON.stringify(says.slice(0, 40)) : 'activity'}) got: ${JSON.stringify(text)}`;
    if (typeof expected === 'function') {
      try {
        expected(replies);
      } catch (e) {
        throw new Error(`${label}\n${(e as Error).message}`);
      }
    } else {
      for (const re of Array.isArray(expected) ? expected : [expected]) {
        if (!re.test(text)) throw new Error(`${label}\nexpected to match ${re}`);
      }
    }
  }
}

/**
 * Signs the user in the way their channel does: nothing to do where the channel proves the number; otherwise
 * the one-time-code dialog, started by `firstRequest`. Returns the replies to the code (verification + answer).
 */
export async function signIn(h: Harness, msisdn: string, firstRequest = 'hi'): Promise<Partial<Activity>[]> {
  if (h.channelProvesIdentity) return h.say(firstRequest);
  const asked = textOf(await h.say(firstRequest));
  const asks = /mobile number|número de móvil/i;
  // A request that needs no account does not ask: ask for something that does (menu taps, in either language).
  if (!asks.test(asked) && !asks.test(textOf(await h.say('My balance')))) await h.say('Mi saldo');
  await h.say(msisdn);
  const code = await h.lastCode(msisdn);
  if (!code) throw new Error('no one-time code in the outbox');
  return h.say(code);
}
