/**
 * Builds the bot and everything it owns, for the composition root (`main.ts`) and for tests:
 * state on the given `Storage` (LowdbStorage at run time, so a restart mid-dialog resumes it), the dialogs,
 * one-time codes over the SMS port, stored conversation references, and the handoff seams.
 */
import { type ActivityHandler, ConversationState, type Storage, type TurnContext, UserState } from 'botbuilder';
import type { ChargingService, Clock } from '../charging/ports.js';
import { systemClock } from '../charging/ports.js';
import type { DialogDeps, HandoffRequester } from '../dialogs/dialog-deps.js';
import { MainDialog } from '../dialogs/main.dialog.js';
import type { ConversationData, SubscriberProfile } from '../dialogs/session.js';
import { textsFor } from '../dialogs/texts/index.js';
import type { Recognizer } from '../nlu/recognizer.js';
import type { Config } from './config.js';
import { ConversationReferenceStore } from './conversation-references.js';
import { EventHandoffRequester, type HandoffGate } from './handoff-hooks.js';
import { OneTimeCodes } from './identity/one-time-codes.js';
import type { Logger } from './logger.js';
import type { SmsSender } from './sms-sender.js';
import { TelcoBot } from './telco-bot.js';

export interface BotAppDeps {
  charging: ChargingService;
  recognizer: Recognizer;
  storage: Storage;
  sms: SmsSender;
  config: Config;
  logger: Logger;
  clock?: Clock;
}

export interface BotApp {
  /** What channel adapters run: `await app.bot.run(context)`. */
  bot: ActivityHandler;
  /** For adapters that own their `onTurnError` (CloudAdapter): apologises and logs without personal data. */
  onTurnError: (context: TurnContext, error: unknown) => Promise<void>;
  /** Conversation references for proactive messages: by conversation key, by subscriber, by payment. */
  conversationReferences: ConversationReferenceStore;
  conversationState: ConversationState;
  userState: UserState;
  /** The per-channel-user profile (verified MSISDN, language) and the conversation data (transcript...). */
  profileOf(context: TurnContext): Promise<SubscriberProfile>;
  conversationDataOf(context: TurnContext): Promise<ConversationData>;
  /**
   * Plugs the human handoff in: `gate` sees every inbound activity before the dialogs (return true to take the
   * turn: the bot stays silent); `requester` replaces what "talk to a person" does. Either may be omitted.
   */
  useHandoff(hooks: { gate?: HandoffGate; requester?: HandoffRequester }): void;
  /** The default requester (emits `handoff.initiate` with the transcript), for a replacement to delegate to. */
  readonly defaultHandoffRequester: HandoffRequester;
}

export async function createBotApp(deps: BotAppDeps): Promise<BotApp> {
  const clock = deps.clock ?? systemClock;
  const logger = deps.logger.child({ component: 'bot' });
  const conversationState = new ConversationState(deps.storage);
  const userState = new UserState(deps.storage);
  const references = new ConversationReferenceStore(deps.storage);
  const defaultHandoffRequester = new EventHandoffRequester();
  let requester: HandoffRequester = defaultHandoffRequester;
  let gate: HandoffGate | undefined;

  const dialogDeps: DialogDeps = {
    charging: deps.charging,
    verifier: new OneTimeCodes(deps.storage, deps.sms, clock),
    // Late-bound so `useHandoff` can replace it after the dialogs are built.
    handoff: { initiate: (context, request) => requester.initiate(context, request) },
    clock,
    publicUrl: deps.config.publicUrl,
  };

  const onTurnError = async (context: TurnContext, error: unknown): Promise<void> => {
    // Only safe fields: never the message text, the user's ids or the number.
    const err =
      error instanceof Error
        ? { name: error.name, message: error.message, stack: error.stack }
        : { value: String(error) };
    logger.error('turn failed', {
      channelId: context.activity.channelId,
      activityType: context.activity.type,
      error: err,
    });
    try {
      const profile = await userState.createProperty<SubscriberProfile>('profile').get(context, {});
      await context.sendActivity(textsFor(profile.locale).errorApology);
    } catch {
      // Nothing more can be said on this turn.
    }
  };

  const bot = new TelcoBot({
    charging: deps.charging,
    clock,
    recognizer: deps.recognizer,
    conversationState,
    userState,
    main: new MainDialog(dialogDeps),
    dialogDeps,
    references,
    logger,
    gate: () => gate,
    onTurnError,
  });

  return {
    bot,
    onTurnError,
    conversationReferences: references,
    conversationState,
    userState,
    profileOf: (context) => bot.profile.get(context, {}),
    conversationDataOf: (context) => bot.conversationData.get(context, { misunderstandings: 0, transcript: [] }),
    useHandoff(hooks) {
      if (hooks.gate) gate = hooks.gate;
      if (hooks.requester) requester = hooks.requester;
    },
    defaultHandoffRequester,
  };
}
