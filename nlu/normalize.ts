/**
 * Turns a message as people type it into the text the classifier sees. The same function runs on training
 * utterances and on live messages, so whatever it does, the model learns it.
 *
 * - Entities become placeholder words: any app is `appname`, any amount of money `moneyamount`, any number
 *   `numbervalue`. The intent never depends on which app or how much, and this lets "swap 10 tiktok" learn from
 *   "swap 5 fb" without the corpus listing every app and every number.
 * - Units become one word per unit (`data` for MB and GB, ...), so "2gb", "2 gigas" and "two gigs" read the same.
 * - Chat shorthand is spelled out ("u" -> "you", "q" -> "que"), letters stretched for emphasis are folded
 *   ("holaaaa" -> "hola"), emoji and punctuation dropped.
 * - Spanish pronouns written onto a verb are split off ("recárgale" -> "recárga le", "cámbiame" -> "cámbia
 *   me"): imperatives with an enclitic are how people write requests in Spanish, and glued on they make a
 *   word of their own that the model has never seen.
 */
import type { Entity } from './recognizer.js';
import { extractEntities } from './entities.js';

export const PLACEHOLDER = { app: 'appname', money: 'moneyamount', quantity: 'numbervalue' } as const;

const UNIT_WORD: Record<string, Record<string, string>> = {
  en: { MB: 'data', minute: 'minutes', SMS: 'sms', session: 'sessions' },
  es: { MB: 'datos', minute: 'minutos', SMS: 'sms', session: 'sesiones' },
};

const SHORTHAND: Record<string, Record<string, string>> = {
  en: {
    u: 'you',
    ya: 'you',
    ur: 'your',
    yr: 'your',
    r: 'are',
    pls: 'please',
    plz: 'please',
    pleas: 'please',
    plse: 'please',
    thx: 'thanks',
    thnx: 'thanks',
    thanx: 'thanks',
    tnx: 'thanks',
    ty: 'thanks',
    tks: 'thanks',
    bal: 'balance',
    blance: 'balance',
    balence: 'balance',
    balnce: 'balance',
    wanna: 'want to',
    gonna: 'going to',
    gimme: 'give me',
    lemme: 'let me',
    wat: 'what',
    wht: 'what',
    whats: 'what is',
    hw: 'how',
    hv: 'have',
    lft: 'left',
    msg: 'message',
    acct: 'account',
    acc: 'account',
    rn: 'now',
    cuz: 'because',
    bc: 'because',
    txt: 'text',
    im: 'i am',
    dont: 'do not',
    cant: 'can not',
    didnt: 'did not',
    doesnt: 'does not',
    isnt: 'is not',
    wont: 'will not',
    recharg: 'recharge',
    topup: 'top up',
    'top-up': 'top up',
    addon: 'add on',
    addons: 'add ons',
  },
  es: {
    q: 'que',
    k: 'que',
    ke: 'que',
    xq: 'porque',
    pq: 'porque',
    porq: 'porque',
    x: 'por',
    xa: 'para',
    pa: 'para',
    tb: 'tambien',
    tmb: 'tambien',
    porfa: 'por favor',
    porfis: 'por favor',
    xfa: 'por favor',
    pf: 'por favor',
    plis: 'por favor',
    pls: 'por favor',
    grax: 'gracias',
    grs: 'gracias',
    grcs: 'gracias',
    grasias: 'gracias',
    d: 'de',
    tngo: 'tengo',
    tng: 'tengo',
    cuanta: 'cuanto',
    cuantos: 'cuanto',
    cuantas: 'cuanto',
    sld: 'saldo',
    msj: 'mensaje',
    recarg: 'recarga',
    nececito: 'necesito',
    nesesito: 'necesito',
    ola: 'hola',
  },
};

/** The classifier's view of a message, with the entities found on the way. */
export interface NormalizedText {
  text: string;
  entities: Entity[];
}

export function normalizeForClassifier(raw: string, locale: string): NormalizedText {
  const entities = extractEntities(raw);
  const units = UNIT_WORD[locale] ?? UNIT_WORD.en;
  // Replace entity spans right to left so earlier offsets stay valid. Nested spans (a unit inside its
  // quantity) are covered by the outer one: the quantity placeholder plus its unit word.
  let text = raw;
  let cut = Number.POSITIVE_INFINITY;
  const outer = entities
    .filter(
      (e) =>
        !entities.some((o) => o !== e && o.start <= e.start && o.end >= e.end && o.end - o.start > e.end - e.start),
    )
    .sort((a, b) => b.start - a.start);
  for (const e of outer) {
    if (e.end > cut) continue;
    const word = placeholderFor(e, units);
    text = `${text.slice(0, e.start)} ${word} ${text.slice(e.end)}`;
    cut = e.start;
  }
  const shorthand = SHORTHAND[locale] ?? SHORTHAND.en;
  const words = text
    .toLowerCase()
    .replace(/['’]/g, '')
    .replace(/[^\p{L}\p{N}\s-]+/gu, ' ')
    .replace(/(\p{L})\1{2,}/gu, '$1')
    .split(/\s+/)
    .filter((w) => w.length > 0 && w !== '-')
    .map((w) => shorthand[w] ?? w);
  const split = locale === 'es' ? words.flatMap(splitEnclitic) : words;
  return { text: split.join(' '), entities };
}

function placeholderFor(e: Entity, units: Record<string, string>): string {
  switch (e.type) {
    case 'app':
      return PLACEHOLDER.app;
    case 'money':
      return PLACEHOLDER.money;
    case 'quantity':
      return e.unit ? `${PLACEHOLDER.quantity} ${units[e.unit] ?? ''}` : PLACEHOLDER.quantity;
    case 'unit':
      return units[String(e.value)] ?? String(e.value);
    default:
      // An MSISDN or a one-time code says nothing about the intent.
      return '';
  }
}

/**
 * Spanish enclitics: a verb ending in -a, -e, -i or -r (imperative or infinitive, accents allowed) followed by
 * me, le, les, lo, melo or selo. Only words of six letters or more, so "dame", "hola" and "vuelo" stay whole;
 * "nos", "la", "los" and "te" are left out because too many nouns end that way ("buenos", "cancela",
 * "paquete").
 */
const ENCLITIC = /^(\p{L}{3,}[aeiráéí])(melo|selo|les|me|le|lo)$/u;

const PLACEHOLDER_WORDS: ReadonlySet<string> = new Set(Object.values(PLACEHOLDER));

function splitEnclitic(word: string): string[] {
  const m = word.length >= 6 && !PLACEHOLDER_WORDS.has(word) ? ENCLITIC.exec(word) : null;
  return m ? [m[1], m[2]] : [word];
}
