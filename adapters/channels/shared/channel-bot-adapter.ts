/**
 * What the messaging-app channel adapters (WhatsApp Cloud, WhatsApp Web, Messenger) share: sent messages can
 * be neither edited nor deleted, and proactive messages run the bot's logic in a `ContinueConversation` event
 * turn built from a stored `ConversationReference` (ARCHITECTURE.md, channel conventions).
 */
import { ActivityTypes, BotAdapter, type ConversationReference, TurnContext } from 'botbuilder';

/** The bot's turn handler, as the adapters run it. */
export type TurnLogic = (context: TurnContext) => Promise<void>;

/**
 * Base of the channel adapters whose channel cannot change a message once sent. Each adapter keeps its own
 * inbound mapping and outbound rendering; only the proactive entry points and the refusals live here.
 */
export abstract class ChannelBotAdapter extends BotAdapter {
  /** @param sender names what refuses edits and deletes in the error ("WhatsApp", "Messenger", ...). */
  protected constructor(private readonly sender: string) {
    super();
  }

  override async updateActivity(): Promise<void> {
    throw new Error(`${this.sender} cannot edit a sent message`);
  }

  override async deleteActivity(): Promise<void> {
    throw new Error(`${this.sender} cannot delete a sent message`);
  }

  override async continueConversation(reference: Partial<ConversationReference>, logic: TurnLogic): Promise<void> {
    const activity = TurnContext.applyConversationReference(
      { type: ActivityTypes.Event, name: 'ContinueConversation' },
      reference,
      true,
    );
    await this.runMiddleware(new TurnContext(this, activity), logic);
  }

  /**
   * Proactive messages (payment confirmations, alerts, agent replies). Accepts every botbuilder overload;
   * the app id / claims and the audience are not used: these channels authenticate with their own tokens.
   */
  override async continueConversationAsync(
    _botAppIdOrClaims: unknown,
    reference: Partial<ConversationReference>,
    logicOrAudience: TurnLogic | string,
    maybeLogic?: TurnLogic,
  ): Promise<void> {
    const logic = typeof logicOrAudience === 'function' ? logicOrAudience : maybeLogic;
    if (!logic) throw new Error('continueConversationAsync needs a logic callback');
    await this.continueConversation(reference, logic);
  }
}
