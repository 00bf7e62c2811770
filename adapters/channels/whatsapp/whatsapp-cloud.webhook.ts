/**
 * Meta's WhatsApp Cloud API webhook payload (protocols.md 1.3, 1.4), as far as the adapter reads it, and its
 * flattening into the messages and statuses one POST may carry (`entry[]` and `changes[]` are arrays).
 */
export interface WaInboundMessage {
  from: string;
  id: string;
  timestamp?: string;
  type: string;
  context?: { from?: string; id?: string };
  text?: { body?: string };
  interactive?: {
    type: 'button_reply' | 'list_reply' | string;
    button_reply?: { id: string; title?: string };
    list_reply?: { id: string; title?: string; description?: string };
  };
  /** A tap on a template's quick-reply button. */
  button?: { payload?: string; text?: string };
  image?: { caption?: string };
  video?: { caption?: string };
  document?: { caption?: string };
}

export interface WaStatus {
  id: string;
  status: 'sent' | 'delivered' | 'read' | 'failed' | string;
  timestamp?: string;
  recipient_id?: string;
  errors?: { code?: number; title?: string; message?: string }[];
}

interface WaChangeValue {
  messaging_product?: string;
  metadata?: { display_phone_number?: string; phone_number_id?: string };
  contacts?: { profile?: { name?: string }; wa_id?: string }[];
  messages?: WaInboundMessage[];
  statuses?: WaStatus[];
}

export interface WaWebhookPayload {
  object?: string;
  entry?: { id?: string; changes?: { field?: string; value?: WaChangeValue }[] }[];
}

export interface WaMessageItem {
  phoneNumberId: string;
  displayPhoneNumber?: string;
  profileName?: string;
  message: WaInboundMessage;
}

export interface WaStatusItem {
  phoneNumberId: string;
  status: WaStatus;
}

/** The messages and statuses of one webhook POST, in payload order. Unknown shapes yield nothing. */
export function flattenWhatsAppWebhook(payload: unknown): { messages: WaMessageItem[]; statuses: WaStatusItem[] } {
  const out = { messages: [] as WaMessageItem[], statuses: [] as WaStatusItem[] };
  const p = payload as WaWebhookPayload;
  if (!p || p.object !== 'whatsapp_business_account' || !Array.isArray(p.entry)) return out;
  for (const entry of p.entry) {
    for (const change of entry?.changes ?? []) {
      const v = change?.value;
      if (change?.field !== 'messages' || !v) continue;
      const phoneNumberId = v.metadata?.phone_number_id ?? '';
      for (const message of v.messages ?? []) {
        if (typeof message?.id !== 'string' || typeof message.from !== 'string') continue;
        const contact = v.contacts?.find((c) => c.wa_id === message.from) ?? v.contacts?.[0];
        out.messages.push({
          phoneNumberId,
          displayPhoneNumber: v.metadata?.display_phone_number,
          profileName: contact?.profile?.name,
          message,
        });
      }
      for (const status of v.statuses ?? []) if (status?.id) out.statuses.push({ phoneNumberId, status });
    }
  }
  return out;
}
