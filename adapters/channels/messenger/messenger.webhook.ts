/**
 * Meta's Messenger webhook envelope (protocols.md 3.2), as far as the adapter reads it.
 * `{ object: "page", entry: [{ id, time, messaging: [event] }] }`; while another app owns the thread, events
 * come in `entry[].standby[]` instead (those are not ours to answer).
 */
export interface MessengerEvent {
  sender?: { id?: string; user_ref?: string };
  recipient?: { id?: string };
  timestamp?: number;
  message?: {
    mid?: string;
    text?: string;
    is_echo?: boolean;
    quick_reply?: { payload?: string };
    attachments?: { type?: string }[];
  };
  postback?: { mid?: string; title?: string; payload?: string };
}

export interface MessengerWebhookPayload {
  object?: string;
  entry?: { id?: string; time?: number; messaging?: MessengerEvent[]; standby?: MessengerEvent[] }[];
}

export interface MessengerItem {
  pageId: string;
  psid: string;
  event: MessengerEvent;
}

/** The `messaging[]` events of one POST that come from a user (echoes, standby and user_ref events dropped). */
export function flattenMessengerWebhook(payload: unknown): MessengerItem[] {
  const p = payload as MessengerWebhookPayload;
  if (!p || p.object !== 'page' || !Array.isArray(p.entry)) return [];
  const out: MessengerItem[] = [];
  for (const entry of p.entry) {
    for (const event of entry?.messaging ?? []) {
      const psid = event?.sender?.id;
      if (!psid) continue; // chat-plugin guests carry user_ref only: they cannot be answered through /me/messages
      if (event.message?.is_echo) continue; // our own sends, echoed back
      if (!event.message && !event.postback) continue; // deliveries, reads, handover notices
      out.push({ pageId: entry.id ?? event.recipient?.id ?? '', psid, event });
    }
  }
  return out;
}
