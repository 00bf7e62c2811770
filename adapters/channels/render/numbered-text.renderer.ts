/**
 * Choices as numbered text, for channels (or counts) without native buttons: whatsapp-web.js, WhatsApp with
 * more than 10 choices, Messenger with more than 13. The user answers with the number (or the title).
 */
import type { Choice, Link, NeutralMessage } from './neutral-message.js';

function linkLines(links: Link[]): string[] {
  return links.map((l) => (l.title && l.title !== l.url ? `${l.title}: ${l.url}` : l.url));
}

/** The message as one plain text: text, numbered choices, then links. */
export function renderNumberedText(message: NeutralMessage): string {
  const blocks: string[] = [];
  if (message.text) blocks.push(message.text);
  if (message.choices.length) blocks.push(message.choices.map((c, i) => `${i + 1}. ${c.title}`).join('\n'));
  if (message.links.length) blocks.push(linkLines(message.links).join('\n'));
  return blocks.join('\n\n');
}

/** Text followed by the links, for channels that show links inline. */
export function textWithLinks(text: string, links: Link[]): string {
  return [text, linkLines(links).join('\n')].filter((b) => b !== '').join('\n\n');
}

const NUMBER_REPLY = /^\s*#?(\d{1,3})\s*[.)]?\s*$/;

/**
 * Maps a typed reply back to a choice value: "2", "2." or "#2" picks the second choice, and a reply equal to a
 * title (case-insensitive) picks that choice. Anything else is not a choice (`undefined`).
 */
export function resolveNumberedReply(reply: string, choices: readonly Choice[]): string | undefined {
  const m = NUMBER_REPLY.exec(reply);
  if (m) return choices[Number(m[1]) - 1]?.value;
  const wanted = reply.trim().toLocaleLowerCase();
  return choices.find((c) => c.title.trim().toLocaleLowerCase() === wanted)?.value;
}
