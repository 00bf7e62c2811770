/**
 * Tells the handoff service when an agent's reply cannot reach a WhatsApp customer as free text: outside Meta's
 * 24-hour customer-service window the WhatsApp adapter sends an approved template instead, and the agent must
 * know. Reads the window the WhatsApp adapter itself keeps (last inbound time per wa_id, in `Storage`), with the
 * same one-minute safety margin. Other channels are always open here (Messenger uses the HUMAN_AGENT tag).
 */
import type { Storage } from 'botbuilder';
import { ChannelUserStateStore } from '../../channels/shared/channel-user-state.js';

const WINDOW_MS = 24 * 3600 * 1000;
const WINDOW_MARGIN_MS = 60 * 1000;

export function whatsappWindowCheck(
  storage: Storage,
  clock: () => number = Date.now,
): (channelId: string, userId: string) => Promise<boolean> {
  const users = new ChannelUserStateStore(storage, 'whatsapp');
  return async (channelId, userId) => {
    if (channelId !== 'whatsapp') return false;
    const { lastInboundAt } = await users.get(userId);
    return lastInboundAt === undefined || clock() - lastInboundAt >= WINDOW_MS - WINDOW_MARGIN_MS;
  };
}
