/**
 * Channel-neutral messages to WhatsApp Cloud API request bodies (`POST /{phone-number-id}/messages`).
 * Limits are Meta's (protocols.md 1.5): reply buttons up to 3 (title <= 20, id <= 256, body <= 1024);
 * list messages up to 10 rows in total (row title <= 24, description <= 72, row id <= 200, button <= 20,
 * body <= 4096); text body <= 4096. More than 10 choices become numbered text.
 */
import { encodeChoiceId } from './choice-ids.js';
import { type Choice, chunkText, cut, type NeutralMessage } from './neutral-message.js';
import { renderNumberedText, textWithLinks } from './numbered-text.renderer.js';

export const WHATSAPP_LIMITS = {
  textBody: 4096,
  buttonBody: 1024,
  buttons: 3,
  buttonTitle: 20,
  buttonId: 256,
  listBody: 4096,
  listRows: 10,
  rowTitle: 24,
  rowDescription: 72,
  rowId: 200,
  listButton: 20,
} as const;

interface Envelope {
  messaging_product: 'whatsapp';
  recipient_type: 'individual';
  to: string;
}

export interface WhatsAppTextPayload extends Envelope {
  type: 'text';
  text: { preview_url: boolean; body: string };
}

export interface WhatsAppButtonsPayload extends Envelope {
  type: 'interactive';
  interactive: {
    type: 'button';
    body: { text: string };
    action: { buttons: { type: 'reply'; reply: { id: string; title: string } }[] };
  };
}

export interface WhatsAppListRow {
  id: string;
  title: string;
  description?: string;
}

export interface WhatsAppListPayload extends Envelope {
  type: 'interactive';
  interactive: {
    type: 'list';
    body: { text: string };
    action: { button: string; sections: { title?: string; rows: WhatsAppListRow[] }[] };
  };
}

export interface WhatsAppTemplatePayload extends Envelope {
  type: 'template';
  template: {
    name: string;
    language: { policy: 'deterministic'; code: string };
    components?: { type: 'body'; parameters: { type: 'text'; text: string }[] }[];
  };
}

export type WhatsAppPayload =
  | WhatsAppTextPayload
  | WhatsAppButtonsPayload
  | WhatsAppListPayload
  | WhatsAppTemplatePayload;

export interface WhatsAppRendering {
  payloads: WhatsAppPayload[];
  /** True when the choices went out as numbered text (a typed number must then map back to a choice). */
  numbered: boolean;
}

export interface WhatsAppRenderOptions {
  /** Label of the list's open button (<= 20 chars). */
  listButton?: string;
  /** Body used when the message has choices but no text (Meta requires a body). */
  defaultPrompt?: string;
}

function envelope(to: string): Envelope {
  return { messaging_product: 'whatsapp', recipient_type: 'individual', to };
}

function textPayloads(to: string, text: string): WhatsAppTextPayload[] {
  const hasLink = /https?:\/\//.test(text);
  return chunkText(text, WHATSAPP_LIMITS.textBody).map((body) => ({
    ...envelope(to),
    type: 'text',
    text: { preview_url: hasLink, body },
  }));
}

/** Splits the body: if it is too long for the interactive message, it goes first as text. */
function interactiveBody(to: string, body: string, max: number, prompt: string) {
  if (body === '') return { before: [] as WhatsAppTextPayload[], body: prompt };
  if (Array.from(body).length <= max) return { before: [] as WhatsAppTextPayload[], body };
  return { before: textPayloads(to, body), body: prompt };
}

function buttons(to: string, body: string, choices: Choice[]): WhatsAppButtonsPayload {
  return {
    ...envelope(to),
    type: 'interactive',
    interactive: {
      type: 'button',
      body: { text: body },
      action: {
        buttons: choices.map((c, i) => ({
          type: 'reply',
          reply: {
            id: encodeChoiceId(c.value, i, WHATSAPP_LIMITS.buttonId),
            title: cut(c.title, WHATSAPP_LIMITS.buttonTitle),
          },
        })),
      },
    },
  };
}

function row(c: Choice, i: number): WhatsAppListRow {
  const title = cut(c.title, WHATSAPP_LIMITS.rowTitle);
  const r: WhatsAppListRow = { id: encodeChoiceId(c.value, i, WHATSAPP_LIMITS.rowId), title };
  // A title cut to 24 chars keeps its full wording in the description (up to 72).
  if (title !== c.title) r.description = cut(c.title, WHATSAPP_LIMITS.rowDescription);
  return r;
}

function list(to: string, body: string, choices: Choice[], button: string): WhatsAppListPayload {
  return {
    ...envelope(to),
    type: 'interactive',
    interactive: {
      type: 'list',
      body: { text: body },
      action: { button: cut(button, WHATSAPP_LIMITS.listButton), sections: [{ rows: choices.map(row) }] },
    },
  };
}

/** Renders one neutral message to the WhatsApp payloads that carry it, in sending order. */
export function renderWhatsApp(
  message: NeutralMessage,
  to: string,
  opts: WhatsAppRenderOptions = {},
): WhatsAppRendering {
  const prompt = opts.defaultPrompt ?? 'Please choose:';
  const { choices, links } = message;
  // Links stay inline: WhatsApp shows them tappable (with a preview when the message is plain text).
  const text = textWithLinks(message.text, links);
  if (choices.length === 0) return { payloads: text === '' ? [] : textPayloads(to, text), numbered: false };
  if (choices.length > WHATSAPP_LIMITS.listRows) {
    return { payloads: textPayloads(to, renderNumberedText(message)), numbered: true };
  }
  if (choices.length <= WHATSAPP_LIMITS.buttons) {
    const b = interactiveBody(to, text, WHATSAPP_LIMITS.buttonBody, prompt);
    return { payloads: [...b.before, buttons(to, b.body, choices)], numbered: false };
  }
  const b = interactiveBody(to, text, WHATSAPP_LIMITS.listBody, prompt);
  return { payloads: [...b.before, list(to, b.body, choices, opts.listButton ?? 'Options')], numbered: false };
}

/** An approved template message (the only thing Meta accepts outside the 24-hour window). */
export function renderWhatsAppTemplate(
  to: string,
  name: string,
  languageCode: string,
  parameters: readonly string[] = [],
): WhatsAppTemplatePayload {
  const payload: WhatsAppTemplatePayload = {
    ...envelope(to),
    type: 'template',
    template: { name, language: { policy: 'deterministic', code: languageCode } },
  };
  if (parameters.length) {
    payload.template.components = [
      { type: 'body', parameters: parameters.map((text) => ({ type: 'text', text: templateParameter(text) })) },
    ];
  }
  return payload;
}

/** Template text parameters may not contain newlines, tabs or more than 4 consecutive spaces (error 132018). */
function templateParameter(text: string): string {
  return text.replace(/[\t\n\r]+/g, ' ').replace(/ {4,}/g, '   ');
}
