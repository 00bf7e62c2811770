/**
 * The channel-neutral view of an outbound message activity: what every channel renderer starts from.
 * Dialogs speak Bot Framework (`text`, `suggestedActions` with `imBack` choices and `openUrl` links, and hero
 * cards when a prompt falls back to them); renderers never look at the raw activity.
 */
import type { Activity, CardAction } from 'botbuilder';

/** A choice the user can tap; tapping it must come back as a message whose text is `value`. */
export interface Choice {
  title: string;
  value: string;
}

/** A link the user can open (payment links). */
export interface Link {
  title: string;
  url: string;
}

export interface NeutralMessage {
  text: string;
  choices: Choice[];
  links: Link[];
}

const HERO_CARD = 'application/vnd.microsoft.card.hero';

interface HeroCardContent {
  title?: string;
  subtitle?: string;
  text?: string;
  buttons?: CardAction[];
}

function addAction(action: CardAction, out: NeutralMessage): void {
  const title = String(action.title ?? action.text ?? action.value ?? '').trim();
  if (action.type === 'openUrl') {
    const url = String(action.value ?? '');
    if (url) out.links.push({ title: title || url, url });
    return;
  }
  if (action.type === 'imBack' || action.type === 'postBack' || action.type === 'messageBack') {
    // messageBack carries what the user "says" in `text`; the others in `value`.
    const raw = action.type === 'messageBack' ? (action.text ?? action.value) : action.value;
    const value = typeof raw === 'string' ? raw : raw === undefined || raw === null ? title : JSON.stringify(raw);
    if (value) out.choices.push({ title: title || value, value });
  }
}

/** Extracts text, choices and links from an outbound message activity. */
export function toNeutralMessage(activity: Partial<Activity>): NeutralMessage {
  const out: NeutralMessage = { text: (activity.text ?? '').trim(), choices: [], links: [] };
  for (const action of activity.suggestedActions?.actions ?? []) addAction(action, out);
  for (const attachment of activity.attachments ?? []) {
    if (attachment.contentType !== HERO_CARD || typeof attachment.content !== 'object' || !attachment.content) continue;
    const card = attachment.content as HeroCardContent;
    const parts = [card.title, card.subtitle, card.text].filter((p): p is string => !!p && p.trim() !== '');
    if (parts.length) out.text = [out.text, ...parts].filter((p) => p !== '').join('\n');
    for (const button of card.buttons ?? []) addAction(button, out);
  }
  return out;
}

/** Cuts `s` to at most `max` characters (code points), marking the cut with an ellipsis. */
export function cut(s: string, max: number): string {
  const chars = Array.from(s);
  if (chars.length <= max) return s;
  return chars.slice(0, max - 1).join('') + '…';
}

/** Splits long text into chunks of at most `max` characters, preferring line then word boundaries. */
export function chunkText(text: string, max: number): string[] {
  const chunks: string[] = [];
  let rest = text;
  while (Array.from(rest).length > max) {
    const head = Array.from(rest).slice(0, max).join('');
    let at = head.lastIndexOf('\n');
    if (at < max / 2) at = head.lastIndexOf(' ');
    if (at < max / 2) at = head.length;
    chunks.push(head.slice(0, at).trimEnd());
    rest = rest.slice(at).trimStart();
  }
  if (rest !== '' || chunks.length === 0) chunks.push(rest);
  return chunks;
}
