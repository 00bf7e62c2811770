/**
 * Maps what a Web Chat client posts to `POST /conversations/{id}/activities` into the activity we log (the echo)
 * and the activity the bot runs. Only fields a client may set are kept; `from`, `conversation`, `recipient`,
 * `channelId`, `id` and `serviceUrl` come from the server. A client-supplied `channelData.identity` is dropped:
 * only this adapter sets it, from the token. Text goes through `redactCardNumbers` before anything else sees it.
 */
import type { Activity, Attachment, Entity } from 'botbuilder';
import { redactCardNumbers } from '../../../bot/card-redaction.js';

export type InboundType = 'message' | 'event' | 'typing';

export interface ClientActivity {
  type: InboundType;
  text?: string;
  textFormat?: string;
  locale?: string;
  localTimestamp?: string;
  localTimezone?: string;
  name?: string;
  value?: unknown;
  attachments?: Attachment[];
  entities?: Entity[];
  channelData: Record<string, unknown>;
}

export type ParseResult =
  | { ok: true; activity: ClientActivity }
  | { ok: false; status: 400 | 413; code: 'WEBCHAT.INVALID_ACTIVITY' | 'WEBCHAT.MESSAGE_TOO_LONG'; message: string };

const TYPES: readonly string[] = ['message', 'event', 'typing'];

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function optionalString(body: Record<string, unknown>, key: string, max = 100): string | undefined | false {
  const v = body[key];
  if (v === undefined || v === null) return undefined;
  return typeof v === 'string' && v.length <= max ? v : false;
}

function invalid(message: string): ParseResult {
  return { ok: false, status: 400, code: 'WEBCHAT.INVALID_ACTIVITY', message };
}

function safeAttachment(a: unknown): Attachment | undefined {
  if (!isObject(a) || typeof a.contentType !== 'string') return undefined;
  // Web Chat only sends links here (uploads are not accepted); anything but http(s) is dropped.
  const url = typeof a.contentUrl === 'string' && /^https?:\/\//.test(a.contentUrl) ? a.contentUrl : undefined;
  return {
    contentType: a.contentType.slice(0, 100),
    ...(url ? { contentUrl: url } : {}),
    ...(typeof a.name === 'string' ? { name: a.name.slice(0, 200) } : {}),
  };
}

/** Validates and keeps only what a client may send. */
export function parseClientActivity(body: unknown, maxTextLength: number): ParseResult {
  if (!isObject(body)) return invalid('the activity must be a JSON object');
  if (typeof body.type !== 'string' || !TYPES.includes(body.type)) {
    return invalid('type must be one of message, event, typing');
  }
  const type = body.type as InboundType;
  if (body.text !== undefined && body.text !== null && typeof body.text !== 'string') {
    return invalid('text must be a string');
  }
  const text = typeof body.text === 'string' ? body.text : undefined;
  if (text !== undefined && text.length > maxTextLength) {
    return {
      ok: false,
      status: 413,
      code: 'WEBCHAT.MESSAGE_TOO_LONG',
      message: `text longer than ${maxTextLength} characters`,
    };
  }
  if (body.channelData !== undefined && body.channelData !== null && !isObject(body.channelData)) {
    return invalid('channelData must be an object');
  }
  if (body.attachments !== undefined && !Array.isArray(body.attachments)) return invalid('attachments must be a list');
  if (body.entities !== undefined && !Array.isArray(body.entities)) return invalid('entities must be a list');
  const strings: Record<string, string | undefined> = {};
  for (const key of ['textFormat', 'locale', 'localTimestamp', 'localTimezone', 'name']) {
    const v = optionalString(body, key);
    if (v === false) return invalid(`${key} must be a short string`);
    strings[key] = v;
  }
  const attachments = ((body.attachments as unknown[] | undefined) ?? [])
    .slice(0, 10)
    .map(safeAttachment)
    .filter((a): a is Attachment => a !== undefined);
  if (
    type === 'message' &&
    (text === undefined || text.trim() === '') &&
    attachments.length === 0 &&
    body.value === undefined
  ) {
    return invalid('a message needs text, attachments or a value');
  }
  if (type === 'event' && !strings.name) return invalid('an event needs a name');
  const { identity: _stripped, ...channelData } = (body.channelData as Record<string, unknown> | undefined) ?? {};
  return {
    ok: true,
    activity: {
      type,
      ...(text !== undefined ? { text: redactCardNumbers(text).text } : {}),
      ...(strings.textFormat ? { textFormat: strings.textFormat } : {}),
      ...(strings.locale ? { locale: strings.locale } : {}),
      ...(strings.localTimestamp ? { localTimestamp: strings.localTimestamp } : {}),
      ...(strings.localTimezone ? { localTimezone: strings.localTimezone } : {}),
      ...(strings.name ? { name: strings.name } : {}),
      ...(body.value !== undefined ? { value: redactValue(body.value) } : {}),
      ...(attachments.length > 0 ? { attachments } : {}),
      ...(Array.isArray(body.entities) ? { entities: (body.entities as Entity[]).filter(isObject).slice(0, 10) } : {}),
      channelData,
    },
  };
}

/** Card numbers can also arrive in a card's submitted value: redact every string in it. */
function redactValue(value: unknown): unknown {
  if (typeof value === 'string') return redactCardNumbers(value).text;
  if (Array.isArray(value)) return value.map(redactValue);
  if (isObject(value)) return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, redactValue(v)]));
  return value;
}

export interface Participants {
  conversationId: string;
  userId: string;
  botId: string;
  botName: string;
  serviceUrl: string;
}

/** The activity as logged and echoed to the client (no identity in it). */
export function toLoggedActivity(client: ClientActivity, p: Participants, timestamp: string): Partial<Activity> {
  return {
    ...client,
    channelId: 'webchat',
    conversation: { id: p.conversationId, isGroup: false, conversationType: 'personal', name: '' },
    from: { id: p.userId, name: '', role: 'user' },
    recipient: { id: p.botId, name: p.botName, role: 'bot' },
    serviceUrl: p.serviceUrl,
    timestamp: new Date(timestamp),
  } as Partial<Activity>;
}

/** The activity the bot runs: the logged one plus, for a verified visitor, `channelData.identity`. */
export function toTurnActivity(logged: Partial<Activity>, msisdn: string | undefined): Partial<Activity> {
  const channelData = { ...(logged.channelData as Record<string, unknown> | undefined) };
  delete channelData.identity;
  if (msisdn) channelData.identity = { msisdn, verifiedBy: 'webchat-token' };
  return { ...logged, channelData };
}
