/**
 * The `Desk` port on Slack's Web API: a case is a parent message (the context card) in the agent channel and its
 * thread. The case reference is `<channel id>/<parent ts>`: Slack answers `chat.postMessage` with the channel's
 * id even when the channel was configured by name, and thread replies arrive with that id and `thread_ts`.
 */
import type { webApi } from '@slack/bolt';
import type { Desk, HandoffCard } from '../../../bot/handoff/desk.port.js';
import { cardFallbackText, contextCardBlocks, grantModal } from './context-card.blocks.js';
import { escapeSlack } from './slack-text.js';

export function caseRefOf(channel: string, ts: string): string {
  return `${channel}/${ts}`;
}

export function parseCaseRef(caseRef: string): { channel: string; ts: string } {
  const slash = caseRef.indexOf('/');
  return { channel: caseRef.slice(0, slash), ts: caseRef.slice(slash + 1) };
}

export class SlackDesk implements Desk {
  readonly #client: webApi.WebClient;
  readonly #agentChannel: string;

  constructor(client: webApi.WebClient, agentChannel: string) {
    this.#client = client;
    this.#agentChannel = agentChannel;
  }

  async openCase(card: HandoffCard): Promise<string> {
    const res = await this.#client.chat.postMessage({
      channel: this.#agentChannel,
      text: cardFallbackText(card),
      blocks: contextCardBlocks(card),
      unfurl_links: false,
    });
    if (!res.ts || !res.channel) throw new Error('slack: chat.postMessage answered without channel/ts');
    return caseRefOf(res.channel, res.ts);
  }

  async post(caseRef: string, message: { from: 'customer' | 'system'; text: string }): Promise<void> {
    const prefix = message.from === 'customer' ? ':bust_in_silhouette: *Customer:* ' : ':information_source: ';
    await this.postInThread(caseRef, prefix + escapeSlack(message.text));
  }

  async updateCase(caseRef: string, card: HandoffCard): Promise<void> {
    const { channel, ts } = parseCaseRef(caseRef);
    await this.#client.chat.update({ channel, ts, text: cardFallbackText(card), blocks: contextCardBlocks(card) });
  }

  /** A threaded message in Slack's own markup (mentions such as `<@U123>` work). */
  async postInThread(caseRef: string, mrkdwn: string): Promise<void> {
    const { channel, ts } = parseCaseRef(caseRef);
    await this.#client.chat.postMessage({ channel, thread_ts: ts, text: mrkdwn, unfurl_links: false });
  }

  /** Only `user` sees it, in the case's thread (used to tell an agent why their message or click did nothing). */
  async tellAgent(caseRef: string, user: string, mrkdwn: string): Promise<void> {
    const { channel, ts } = parseCaseRef(caseRef);
    await this.#client.chat.postEphemeral({ channel, user, thread_ts: ts, text: mrkdwn });
  }

  async openGrantModal(triggerId: string, card: HandoffCard): Promise<void> {
    await this.#client.views.open({ trigger_id: triggerId, view: grantModal(card) });
  }
}
