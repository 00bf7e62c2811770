/**
 * Entity extraction by rules. node-nlp's built-in extraction (and `forceNER`) costs ~10 ms an utterance; these
 * rules cost microseconds and know the telecom vocabulary: app nicknames, money with or without currency,
 * quantities in digits or words (English and Spanish), units, an E.164 MSISDN and a 6-digit one-time code.
 */
import type { Entity } from './recognizer.js';
import { findNumberWordRuns, foldWord } from './number-words.js';

/** App ids as the charging core names them, with the ways people write them. */
export const APP_ALIASES: Record<string, readonly string[]> = {
  facebook: ['facebook', 'fb', 'face', 'facebok', 'facebuk', 'feisbuk', 'feisbook', 'fbook', 'faceboo', 'fcbk'],
  youtube: ['youtube', 'yt', 'you tube', 'youtub', 'yutub', 'yutube', 'youtbe', 'youtoob', 'utube'],
  whatsapp: [
    'whatsapp',
    'whats app',
    'whatsap',
    'watsapp',
    'watsap',
    'wasap',
    'wassap',
    'guasap',
    'wsp',
    'wpp',
    'wa',
    'whatapp',
  ],
  instagram: ['instagram', 'insta', 'ig', 'instagran', 'insta gram', 'instgram', 'intagram'],
  tiktok: ['tiktok', 'tik tok', 'tictoc', 'tictok', 'tik-tok', 'tiktoc', 'tik toc'],
};

/** Unit words (folded) to the unit the charging core uses. GB is kept apart because it converts to MB. */
const UNIT_WORDS: Record<string, 'MB' | 'GB' | 'minute' | 'SMS' | 'session'> = {
  mb: 'MB',
  mbs: 'MB',
  mega: 'MB',
  megas: 'MB',
  megabyte: 'MB',
  megabytes: 'MB',
  gb: 'GB',
  gbs: 'GB',
  gig: 'GB',
  gigs: 'GB',
  giga: 'GB',
  gigas: 'GB',
  gigabyte: 'GB',
  gigabytes: 'GB',
  min: 'minute',
  mins: 'minute',
  minute: 'minute',
  minutes: 'minute',
  minuto: 'minute',
  minutos: 'minute',
  sms: 'SMS',
  smss: 'SMS',
  smses: 'SMS',
  texts: 'SMS',
  mensajes: 'SMS',
  mensajitos: 'SMS',
  session: 'session',
  sessions: 'session',
  sesion: 'session',
  sesiones: 'session',
};

/** 1 GB = 1024 MB, as operators' bundle definitions count it. */
export const MB_PER_GB = 1024;

const CURRENCY_WORDS: Record<string, string | undefined> = {
  usd: 'USD',
  dollar: 'USD',
  dollars: 'USD',
  dolar: 'USD',
  dolares: 'USD',
  buck: 'USD',
  bucks: 'USD',
  eur: 'EUR',
  euro: 'EUR',
  euros: 'EUR',
  // Pesos name several currencies; the account's own currency decides which.
  peso: undefined,
  pesos: undefined,
  varos: undefined,
};
const CURRENCY_SYMBOLS: Record<string, string | undefined> = { $: 'USD', '€': 'EUR', '£': 'GBP' };

interface Word {
  text: string;
  folded: string;
  start: number;
  end: number;
}

const WORD = /[\p{L}\p{N}]+/gu;

function wordsOf(text: string): Word[] {
  const out: Word[] = [];
  for (const m of text.matchAll(WORD)) {
    out.push({ text: m[0], folded: foldWord(m[0]), start: m.index, end: m.index + m[0].length });
  }
  return out;
}

/** Parses "10", "10.50", "10,50", "1,000", "1.000" into a number (decimal or thousands separators). */
function parseAmount(raw: string): number {
  const decimal = /^(\d+)[.,](\d{1,2})$/.exec(raw);
  if (decimal) return Number(`${decimal[1]}.${decimal[2]}`);
  return Number(raw.replace(/[.,]/g, ''));
}

const NUMBER = String.raw`\d{1,3}(?:[.,]\d{3})+(?:[.,]\d{1,2})?|\d+(?:[.,]\d{1,2})?`;
const CURRENCY_WORD_RE = Object.keys(CURRENCY_WORDS).join('|');
const MONEY_PATTERNS: { re: RegExp; amount: number; currency: (m: RegExpExecArray) => string | undefined }[] = [
  // $10, $ 10.50, €5
  {
    re: new RegExp(String.raw`([$€£])\s?(${NUMBER})(?!\d)`, 'gu'),
    amount: 2,
    currency: (m) => CURRENCY_SYMBOLS[m[1]],
  },
  // 10$, 10 €
  {
    re: new RegExp(String.raw`(?<![\d.,])(${NUMBER})\s?([$€£])`, 'gu'),
    amount: 1,
    currency: (m) => CURRENCY_SYMBOLS[m[2]],
  },
  // 10 dollars, 10usd, 10 pesos, 10 dólares
  {
    re: new RegExp(String.raw`(?<![\d.,])(${NUMBER})\s?(${CURRENCY_WORD_RE}|d[oó]lar(?:es)?)(?![\p{L}])`, 'giu'),
    amount: 1,
    currency: (m) => CURRENCY_WORDS[foldWord(m[2])],
  },
  // usd 10, eur 5
  {
    re: new RegExp(String.raw`(?<![\p{L}])(usd|eur)\s?(${NUMBER})(?!\d)`, 'giu'),
    amount: 2,
    currency: (m) => CURRENCY_WORDS[foldWord(m[1])],
  },
  // 10.50 or 10,50: two decimals read as money even without a currency
  {
    re: /(?<![\d.,])(\d+[.,]\d{2})(?![\d.,]*\d)/gu,
    amount: 1,
    currency: () => undefined,
  },
];

const MSISDN = /(?<![\w+])(\+|00)(\d(?:[\s-]?\d){7,14})(?!\d)/gu;
const OTP = /(?<![\d+.,])\d{6}(?![\d.,]*\d)/gu;
const DIGITS = new RegExp(String.raw`(?<![\d.,])(${NUMBER})(?![\d])`, 'gu');

/** Extracts every entity of the message, sorted by position; spans of different types may nest (a quantity and its unit). */
export function extractEntities(text: string): Entity[] {
  const entities: Entity[] = [];
  const taken = new Uint8Array(text.length);
  const isFree = (start: number, end: number) => {
    for (let i = start; i < end; i += 1) if (taken[i]) return false;
    return true;
  };
  const take = (e: Entity) => {
    entities.push(e);
    taken.fill(1, e.start, e.end);
  };

  for (const m of text.matchAll(MSISDN)) {
    const digits = m[2].replace(/\D/g, '');
    if (digits.length < 8 || digits.length > 15) continue;
    take({ type: 'msisdn', value: `+${digits}`, text: m[0], start: m.index, end: m.index + m[0].length });
  }

  for (const p of MONEY_PATTERNS) {
    p.re.lastIndex = 0;
    for (let m = p.re.exec(text); m; m = p.re.exec(text)) {
      const start = m.index;
      const end = start + m[0].replace(/\s+$/, '').length;
      if (!isFree(start, end)) continue;
      const minor = Math.round(parseAmount(m[p.amount]) * 100);
      const currency = p.currency(m);
      take({
        type: 'money',
        value: minor,
        text: text.slice(start, end),
        start,
        end,
        ...(currency ? { currency } : {}),
      });
    }
  }

  const words = wordsOf(text);
  const apps = appMatches(text, words);
  for (const a of apps) if (isFree(a.start, a.end)) take(a);

  // Quantities written as digits, with the unit that follows them ("2gb", "10 mins").
  for (const m of text.matchAll(DIGITS)) {
    const start = m.index;
    const end = start + m[0].length;
    if (!isFree(start, end)) continue;
    const raw = m[1];
    const unit = unitAfter(text, end);
    if (!unit && /^\d{6}$/.test(raw)) continue; // a one-time code, below
    pushQuantity(entities, take, text, parseAmount(raw), start, end, unit);
  }

  for (const m of text.matchAll(OTP)) {
    const start = m.index;
    const end = start + m[0].length;
    if (!isFree(start, end)) continue;
    take({ type: 'otp', value: m[0], text: m[0], start, end });
  }

  // Quantities and money written in words ("twenty five", "diez pesos").
  const freeWords = words.filter((w) => isFree(w.start, w.end));
  for (const run of findNumberWordRuns(freeWords.map((w) => w.text))) {
    const first = freeWords[run.from];
    const last = freeWords[run.to - 1];
    const next = freeWords[run.to];
    if (next && next.folded in CURRENCY_WORDS && /^\s*$/.test(text.slice(last.end, next.start))) {
      const currency = CURRENCY_WORDS[next.folded];
      take({
        type: 'money',
        value: run.value * 100,
        text: text.slice(first.start, next.end),
        start: first.start,
        end: next.end,
        ...(currency ? { currency } : {}),
      });
      continue;
    }
    pushQuantity(entities, take, text, run.value, first.start, last.end, unitAfter(text, last.end));
  }

  // Unit words on their own ("how many gigs left").
  for (const w of words) {
    const unit = UNIT_WORDS[w.folded];
    if (!unit || !isFree(w.start, w.end)) continue;
    take({ type: 'unit', value: unit === 'GB' ? 'MB' : unit, text: w.text, start: w.start, end: w.end });
  }

  return entities.sort((a, b) => a.start - b.start || b.end - a.end);
}

interface UnitAfter {
  unit: 'MB' | 'GB' | 'minute' | 'SMS' | 'session';
  start: number;
  end: number;
}

/** The unit word right after a number ("10gb", "10 GB", "5 minutos"), if any. */
function unitAfter(text: string, end: number): UnitAfter | undefined {
  const m = /^\s?([\p{L}]+)/u.exec(text.slice(end, end + 24));
  if (!m) return undefined;
  const unit = UNIT_WORDS[foldWord(m[1])];
  if (!unit) return undefined;
  const start = end + m[0].length - m[1].length;
  return { unit, start, end: start + m[1].length };
}

function pushQuantity(
  entities: Entity[],
  take: (e: Entity) => void,
  text: string,
  value: number,
  start: number,
  end: number,
  unit: UnitAfter | undefined,
): void {
  if (!unit) {
    take({ type: 'quantity', value, text: text.slice(start, end), start, end });
    return;
  }
  const normalised = unit.unit === 'GB' ? 'MB' : unit.unit;
  const converted = unit.unit === 'GB' ? Math.round(value * MB_PER_GB) : value;
  // The quantity spans its unit, so the unit below is recorded without re-checking that span.
  take({
    type: 'quantity',
    value: converted,
    text: text.slice(start, unit.end),
    start,
    end: unit.end,
    unit: normalised,
  });
  entities.push({
    type: 'unit',
    value: normalised,
    text: text.slice(unit.start, unit.end),
    start: unit.start,
    end: unit.end,
  });
}

/** Aliases by their first word, so finding apps costs one map look-up a word. */
const ALIASES_BY_FIRST_WORD: Map<string, { app: string; parts: string[] }[]> = (() => {
  const index = new Map<string, { app: string; parts: string[] }[]>();
  for (const [app, aliases] of Object.entries(APP_ALIASES)) {
    for (const alias of aliases) {
      const parts = alias.split(/[\s-]/);
      const list = index.get(parts[0]) ?? [];
      list.push({ app, parts });
      // Longest alias first: "whats app" before a one-word alias starting the same way.
      list.sort((a, b) => b.parts.length - a.parts.length);
      index.set(parts[0], list);
    }
  }
  return index;
})();

/** App mentions; a two-word alias ("tik tok", "you tube") must be written as two adjacent words. */
function appMatches(text: string, words: readonly Word[]): Entity[] {
  const out: Entity[] = [];
  let i = 0;
  while (i < words.length) {
    let used = 1;
    for (const { app, parts } of ALIASES_BY_FIRST_WORD.get(words[i].folded) ?? []) {
      if (i + parts.length > words.length) continue;
      let ok = true;
      for (let k = 1; k < parts.length; k += 1) if (words[i + k].folded !== parts[k]) ok = false;
      const first = words[i];
      const last = words[i + parts.length - 1];
      if (!ok || (parts.length > 1 && last.start - first.end > parts.length)) continue;
      out.push({ type: 'app', value: app, text: text.slice(first.start, last.end), start: first.start, end: last.end });
      used = parts.length;
      break;
    }
    i += used;
  }
  return out;
}
