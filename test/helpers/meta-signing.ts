/**
 * Signed Meta webhook deliveries for tests and benchmarks: builders start from the recorded payloads in
 * test/fixtures/meta/ (Meta's documented shapes) and set the fields a test cares about; `postSignedWebhook`
 * sends the exact bytes it signed with `X-Hub-Signature-256`, as Meta does.
 */
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const FIXTURES = join(import.meta.dirname, '..', 'fixtures', 'meta');

/** A deep copy of a recorded payload (`whatsapp-text`, `messenger-postback`, ...). */
export function metaFixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(FIXTURES, `${name}.json`), 'utf8')) as Record<string, unknown>;
}

export function signMetaBody(secret: string, rawBody: string | Buffer): string {
  return 'sha256=' + createHmac('sha256', secret).update(rawBody).digest('hex');
}

export interface SignedPostOptions {
  /** Overrides the header (a wrong one), or `null` to omit it. */
  signature?: string | null;
}

/** POSTs `body` (an object or the raw string) signed with `secret`; returns the status and response text. */
export async function postSignedWebhook(
  url: string,
  secret: string,
  body: unknown,
  opts: SignedPostOptions = {},
): Promise<{ status: number; text: string }> {
  const raw = typeof body === 'string' ? body : JSON.stringify(body);
  const headers: Record<string, string> = { 'Content-Type': 'application/json' };
  const signature = opts.signature === undefined ? signMetaBody(secret, raw) : opts.signature;
  if (signature !== null) headers['X-Hub-Signature-256'] = signature;
  const res = await fetch(url, { method: 'POST', headers, body: raw });
  return { status: res.status, text: await res.text() };
}

// ---- WhatsApp Cloud API ----------------------------------------------------------------------------------

export interface WaSender {
  /** The subscriber's wa_id (E.164 without '+'). */
  waId: string;
  phoneNumberId: string;
  name?: string;
  /** The message id (a fresh wamid by default). */
  id?: string;
  /** Unix seconds (now by default). */
  timestamp?: number;
}

type Json = Record<string, unknown>;

function waValue(payload: Json): Json {
  const entry = (payload.entry as Json[])[0];
  return (entry.changes as Json[])[0].value as Json;
}

export function newWamid(): string {
  return 'wamid.' + Buffer.from(randomUUID()).toString('base64url');
}

function waMessage(fixture: string, s: WaSender, set: (message: Json) => void): Json {
  const payload = metaFixture(fixture);
  const value = waValue(payload);
  (value.metadata as Json).phone_number_id = s.phoneNumberId;
  value.contacts = [{ profile: { name: s.name ?? 'Test User' }, wa_id: s.waId }];
  const message = (value.messages as Json[])[0];
  message.from = s.waId;
  message.id = s.id ?? newWamid();
  message.timestamp = String(s.timestamp ?? Math.floor(Date.now() / 1000));
  set(message);
  return payload;
}

export function waTextWebhook(s: WaSender, text: string): Json {
  return waMessage('whatsapp-text', s, (m) => {
    m.text = { body: text };
  });
}

export function waButtonReplyWebhook(s: WaSender, buttonId: string, title = buttonId): Json {
  return waMessage('whatsapp-button-reply', s, (m) => {
    (m.interactive as Json).button_reply = { id: buttonId, title };
  });
}

export function waListReplyWebhook(s: WaSender, rowId: string, title = rowId): Json {
  return waMessage('whatsapp-list-reply', s, (m) => {
    (m.interactive as Json).list_reply = { id: rowId, title, description: '' };
  });
}

/** A tap on a template's quick-reply button (`type: "button"`). */
export function waTemplateButtonWebhook(s: WaSender, payload: string, text = payload): Json {
  return waMessage('whatsapp-template-button', s, (m) => {
    m.button = { payload, text };
  });
}

export function waImageWebhook(s: WaSender, caption?: string): Json {
  return waMessage('whatsapp-image', s, (m) => {
    if (caption !== undefined) (m.image as Json).caption = caption;
  });
}

export function waStatusWebhook(
  s: { waId: string; phoneNumberId: string; messageId?: string },
  status: 'sent' | 'delivered' | 'read' | 'failed',
): Json {
  const payload = metaFixture(status === 'failed' ? 'whatsapp-status-failed' : 'whatsapp-status-delivered');
  const value = waValue(payload);
  (value.metadata as Json).phone_number_id = s.phoneNumberId;
  const st = (value.statuses as Json[])[0];
  st.status = status;
  st.recipient_id = s.waId;
  if (s.messageId) st.id = s.messageId;
  return payload;
}

// ---- Messenger ------------------------------------------------------------------------------------------

export interface MessengerSender {
  psid: string;
  pageId?: string;
  /** The message id (a fresh mid by default). */
  mid?: string;
}

function messengerEvent(fixture: string, s: MessengerSender, set: (event: Json) => void): Json {
  const payload = metaFixture(fixture);
  const entry = (payload.entry as Json[])[0];
  if (s.pageId) entry.id = s.pageId;
  const list = (entry.messaging ?? entry.standby) as Json[];
  const event = list[0];
  event.timestamp = Date.now();
  set(event);
  return payload;
}

export function newMid(): string {
  return 'm_' + Buffer.from(randomUUID()).toString('base64url');
}

export function messengerTextWebhook(s: MessengerSender, text: string): Json {
  return messengerEvent('messenger-text', s, (e) => {
    e.sender = { id: s.psid };
    e.message = { mid: s.mid ?? newMid(), text };
  });
}

export function messengerQuickReplyWebhook(s: MessengerSender, payload: string, title = payload): Json {
  return messengerEvent('messenger-quick-reply', s, (e) => {
    e.sender = { id: s.psid };
    e.message = { mid: s.mid ?? newMid(), text: title, quick_reply: { payload } };
  });
}

export function messengerPostbackWebhook(s: MessengerSender, payload: string, title = payload): Json {
  return messengerEvent('messenger-postback', s, (e) => {
    e.sender = { id: s.psid };
    e.postback = { mid: s.mid ?? newMid(), title, payload };
  });
}

/** Our own send echoed back (`is_echo`): sender is the Page, recipient the user. */
export function messengerEchoWebhook(s: MessengerSender, text: string): Json {
  return messengerEvent('messenger-echo', s, (e) => {
    e.recipient = { id: s.psid };
    (e.message as Json).mid = s.mid ?? newMid();
    (e.message as Json).text = text;
  });
}

/** A user message delivered on the standby channel (another app owns the thread). */
export function messengerStandbyWebhook(s: MessengerSender, text: string): Json {
  return messengerEvent('messenger-standby', s, (e) => {
    e.sender = { id: s.psid };
    e.message = { mid: s.mid ?? newMid(), text };
  });
}
