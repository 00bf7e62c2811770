/**
 * Channel-neutral messages to Messenger Send API bodies (`POST /me/messages`), protocols.md 3.3:
 * quick replies up to 13 (title <= 20, payload <= 1000), text <= 2000, button templates (text <= 640,
 * 1-3 buttons) for links (`openUrl` -> `web_url`). More than 13 choices become numbered text.
 */
import { encodeChoiceId } from './choice-ids.js';
import { chunkText, cut, type Link, type NeutralMessage } from './neutral-message.js';
import { renderNumberedText } from './numbered-text.renderer.js';

export const MESSENGER_LIMITS = {
  text: 2000,
  quickReplies: 13,
  quickReplyTitle: 20,
  quickReplyPayload: 1000,
  templateText: 640,
  templateButtons: 3,
  buttonTitle: 20,
} as const;

export type MessagingType = 'RESPONSE' | 'UPDATE' | 'MESSAGE_TAG';

/** How a message is sent: within the 24-hour window as RESPONSE/UPDATE, outside it only with a tag. */
export interface MessengerDelivery {
  messaging_type: MessagingType;
  tag?: 'HUMAN_AGENT';
}

export interface MessengerQuickReply {
  content_type: 'text';
  title: string;
  payload: string;
}

export interface MessengerButtonTemplate {
  type: 'template';
  payload: {
    template_type: 'button';
    text: string;
    buttons: { type: 'web_url'; url: string; title: string }[];
  };
}

export interface MessengerPayload extends MessengerDelivery {
  recipient: { id: string };
  message:
    | { text: string; quick_replies?: MessengerQuickReply[] }
    | { attachment: MessengerButtonTemplate; quick_replies?: MessengerQuickReply[] };
}

export interface MessengerRendering {
  payloads: MessengerPayload[];
  numbered: boolean;
}

function buttonTemplates(text: string, links: Link[]): MessengerButtonTemplate[] {
  const out: MessengerButtonTemplate[] = [];
  for (let i = 0; i < links.length; i += MESSENGER_LIMITS.templateButtons) {
    const group = links.slice(i, i + MESSENGER_LIMITS.templateButtons);
    out.push({
      type: 'template',
      payload: {
        template_type: 'button',
        text: i === 0 && text !== '' ? text : group[0].title,
        buttons: group.map((l) => ({ type: 'web_url', url: l.url, title: cut(l.title, MESSENGER_LIMITS.buttonTitle) })),
      },
    });
  }
  return out;
}

/** Renders one neutral message to the Messenger payloads that carry it, in sending order. */
export function renderMessenger(
  message: NeutralMessage,
  psid: string,
  delivery: MessengerDelivery,
): MessengerRendering {
  const base = { recipient: { id: psid }, ...delivery };
  const numbered = message.choices.length > MESSENGER_LIMITS.quickReplies;
  const text = numbered ? renderNumberedText({ ...message, links: [] }) : message.text;
  const quickReplies: MessengerQuickReply[] | undefined =
    numbered || message.choices.length === 0
      ? undefined
      : message.choices.map((c, i) => ({
          content_type: 'text',
          title: cut(c.title, MESSENGER_LIMITS.quickReplyTitle),
          payload: encodeChoiceId(c.value, i, MESSENGER_LIMITS.quickReplyPayload),
        }));
  const messages: MessengerPayload['message'][] = [];
  if (message.links.length) {
    const fits = Array.from(text).length <= MESSENGER_LIMITS.templateText;
    if (!fits) for (const chunk of chunkText(text, MESSENGER_LIMITS.text)) messages.push({ text: chunk });
    for (const attachment of buttonTemplates(fits ? text : '', message.links)) messages.push({ attachment });
  } else if (text !== '') {
    for (const chunk of chunkText(text, MESSENGER_LIMITS.text)) messages.push({ text: chunk });
  } else if (quickReplies) {
    messages.push({ text: 'Please choose:' });
  }
  // Quick replies ride on the last message, so they stay above the composer after everything else.
  if (quickReplies && messages.length)
    messages[messages.length - 1] = { ...messages[messages.length - 1], quick_replies: quickReplies };
  return { payloads: messages.map((m) => ({ ...base, message: m })), numbered };
}
