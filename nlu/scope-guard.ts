/**
 * Out-of-scope detection around the classifier. node-nlp alone sends most unrelated questions to whichever
 * intent shares a word with them ("what is the balance of power" -> balance.check), and a softmax always
 * picks someone. Three checks answer `None` instead:
 *
 * 1. Vocabulary: a message none of whose content words (stopwords removed, stemmed) occur in the in-scope
 *    training utterances shares nothing with the domain.
 * 2. Confidence: the classifier's best score below a threshold calibrated on the training corpus by k-fold
 *    cross-validation (`nlu/calibrate.ts`, results in `nlu/calibration.json`).
 * 3. Transactions need a cue: an intent that moves money or bundles (TRANSACTIONAL_INTENTS) is only answered
 *    when the message has a word or entity of that transaction (an app, an amount, "swap", "recarga"...), and
 *    its score clears a stricter threshold. Starting a transaction from a misunderstood message costs the
 *    subscriber money; answering `None` costs one rephrase.
 */
import type { Entity, IntentName } from './recognizer.js';
import { TRANSACTIONAL_INTENTS } from './recognizer.js';
import { PLACEHOLDER } from './normalize.js';

/** Function words that say nothing about a topic; what remains of a message must touch the domain. */
export const STOPWORDS: Record<string, ReadonlySet<string>> = {
  en: new Set(
    `a an the and or but if of to in on at by for with from about as into than then so too very just also
    i me my mine myself we us our you your yours he him his she her it its they them their this that these those
    is are was were be been being am do does did doing have has had having will would shall should can could may
    might must not no yes ok okay what which who whom whose when where why how there here all any some each
    every more most other such only own same up down out over under again further once get got tell know
    say said make made go going want wanna need like please let lets see give one thing things way much many`
      .split(/\s+/)
      .filter(Boolean),
  ),
  es: new Set(
    `a al el la los las lo un una unos unas y o u pero si de del en con por para sin sobre entre hasta desde
    que qué como cómo cuando donde quien cual cuál yo me mi mis tu tus te se su sus nos nuestro nuestra
    usted ustedes el ella ellos ellas esto esta este estos estas eso esa ese es son era fue ser estar esta
    estoy están hay ha he has han tiene tengo tienes hacer hago puedo puede quiero quisiera necesito
    no sí si ya muy mas más tan también porque pues bueno decir dime saber sabes ver algo nada todo todos
    favor por cosa cosas le les otra otro`
      .split(/\s+/)
      .filter(Boolean),
  ),
};

/**
 * Stem prefixes that signal each transaction, by locale (stemmed with node-nlp's stemmer, so 'recarg' covers
 * recarga, recargar, recargué). Placeholders stand for the entities themselves.
 */
const CUES: Record<string, Partial<Record<IntentName, readonly string[]>>> = {
  en: {
    'bundle.swap': [
      'swap',
      'switch',
      'exchang',
      'chang',
      'convert',
      'trade',
      'move',
      'transfer',
      'turn',
      'replac',
      'shift',
      'instead',
      PLACEHOLDER.app,
    ],
    'bundle.buy': [
      'buy',
      'purchas',
      'bundl',
      'pack',
      'addon',
      'add',
      'plan',
      'subscrib',
      'activ',
      'order',
      'data',
      'session',
      'minut',
      'sms',
      'extra',
      'more',
      'get',
      PLACEHOLDER.app,
      PLACEHOLDER.quantity,
    ],
    'credit.topup': [
      'top',
      'recharg',
      'reload',
      'credit',
      'load',
      'refil',
      'airtim',
      'add',
      'fund',
      'put',
      'balanc',
      'money',
      'cash',
      PLACEHOLDER.money,
      PLACEHOLDER.quantity,
    ],
    'bill.pay': ['pay', 'paid', 'settl', 'bill', 'invoic', 'due', 'owe', 'clear', PLACEHOLDER.money],
    'credit_limit.increase': [
      'limit',
      'rais',
      'increas',
      'higher',
      'bigger',
      'extend',
      'boost',
      'up',
      'ceil',
      'cap',
      PLACEHOLDER.money,
    ],
  },
  es: {
    'bundle.swap': [
      'camb',
      'intercamb',
      'pas',
      'convert',
      'canj',
      'mov',
      'traspas',
      'transfer',
      'switch',
      'swap',
      'reemplaz',
      'vez',
      PLACEHOLDER.app,
    ],
    'bundle.buy': [
      'compr',
      'adquir',
      'paquet',
      'bols',
      'plan',
      'activ',
      'contrat',
      'dat',
      'sesion',
      'minut',
      'sms',
      'extra',
      'mas',
      'agreg',
      'añad',
      'anad',
      'pack',
      PLACEHOLDER.app,
      PLACEHOLDER.quantity,
    ],
    'credit.topup': [
      'recarg',
      'carg',
      'saldo',
      'credit',
      'abon',
      'met',
      'pon',
      'agreg',
      'añad',
      'anad',
      'diner',
      'plat',
      'lan',
      'top',
      PLACEHOLDER.money,
      PLACEHOLDER.quantity,
    ],
    'bill.pay': ['pag', 'factur', 'cuent', 'recib', 'deud', 'deb', 'salda', 'liquid', 'abon', PLACEHOLDER.money],
    'credit_limit.increase': [
      'limit',
      'aument',
      'sub',
      'ampli',
      'elev',
      'incrment',
      'increment',
      'mayor',
      'tope',
      'cupo',
      PLACEHOLDER.money,
    ],
  },
};

/**
 * Stem prefixes of the things a transaction is about (data, sessions, credit, the bill, the limit...). "buy
 * concert tickets" has a buying verb but no such thing, and words the domain never uses: not ours.
 */
const OBJECTS: Record<string, readonly string[]> = {
  en: [
    'data',
    'session',
    'minut',
    'sms',
    'text',
    'bundl',
    'pack',
    'plan',
    'addon',
    'add-on',
    'credit',
    'balanc',
    'bill',
    'invoic',
    'limit',
    'account',
    'line',
    'phone',
    'airtim',
    'prepaid',
    'gig',
    'mb',
    'gb',
    'internet',
    'call',
    'roam',
    PLACEHOLDER.app,
    PLACEHOLDER.money,
    PLACEHOLDER.quantity,
  ],
  es: [
    'dat',
    'sesion',
    'minut',
    'sms',
    'mensaj',
    'paquet',
    'bols',
    'plan',
    'complement',
    'credit',
    'saldo',
    'factur',
    'recib',
    'limit',
    'cuent',
    'line',
    'cel',
    'telefon',
    'prepag',
    'gig',
    'meg',
    'internet',
    'llam',
    'roaming',
    PLACEHOLDER.app,
    PLACEHOLDER.money,
    PLACEHOLDER.quantity,
  ],
};

export interface ScopeThresholds {
  /** Minimum classifier score for any intent. */
  threshold: number;
  /** Minimum classifier score for a transactional intent. */
  transactionalThreshold: number;
}

/** Used when no calibration file exists (a fresh corpus); `nlu calibrate` replaces them with measured ones. */
export const DEFAULT_THRESHOLDS: ScopeThresholds = { threshold: 0.5, transactionalThreshold: 0.65 };

export interface ScopeDecision {
  intent: IntentName;
  score: number;
  /** Why the classifier's answer was replaced by None, for evaluation and logs (never message text). */
  reason?: 'no-domain-words' | 'low-score' | 'no-transaction-cue' | 'no-domain-object';
}

export class ScopeGuard {
  constructor(
    private readonly locale: string,
    /** Stems of the content words of the in-scope training utterances. */
    private readonly domainStems: ReadonlySet<string>,
    private readonly thresholds: ScopeThresholds,
  ) {}

  /** Content stems of a message: stopwords out (checked on the words, before stemming). */
  static contentStems(words: readonly string[], stems: readonly string[], locale: string): string[] {
    const stop = STOPWORDS[locale] ?? STOPWORDS.en;
    const out: string[] = [];
    words.forEach((w, i) => {
      if (!stop.has(w) && stems[i]) out.push(stems[i]);
    });
    return out;
  }

  sharesDomain(contentStems: readonly string[]): boolean {
    return contentStems.some((s) => this.domainStems.has(s));
  }

  hasCue(intent: IntentName, stems: readonly string[], entities: readonly Entity[]): boolean {
    const cues = CUES[this.locale]?.[intent] ?? CUES.en[intent] ?? [];
    // One app is a topic ("tiktok dance tutorial"); two apps are a swap ("fb -> yt").
    if (intent === 'bundle.swap') {
      if (entities.filter((e) => e.type === 'app').length >= 2) return true;
      return stems.some((s) => cues.some((c) => c !== PLACEHOLDER.app && s.startsWith(c)));
    }
    if ((intent === 'credit.topup' || intent === 'bill.pay') && entities.some((e) => e.type === 'money')) return true;
    return stems.some((s) => cues.some((c) => s.startsWith(c)));
  }

  hasObject(stems: readonly string[]): boolean {
    const objects = OBJECTS[this.locale] ?? OBJECTS.en;
    return stems.some((s) => objects.some((o) => s.startsWith(o)));
  }

  decide(
    best: { intent: IntentName; score: number },
    contentStems: readonly string[],
    allStems: readonly string[],
    entities: readonly Entity[],
  ): ScopeDecision {
    if (best.intent === 'None') return best;
    // A message of function words only ("what can you do") is left to the classifier.
    if (contentStems.length > 0 && !this.sharesDomain(contentStems))
      return { intent: 'None', score: 1, reason: 'no-domain-words' };
    const transactional = TRANSACTIONAL_INTENTS.includes(best.intent);
    const floor = transactional ? this.thresholds.transactionalThreshold : this.thresholds.threshold;
    if (best.score < floor) return { intent: 'None', score: 1 - best.score, reason: 'low-score' };
    if (transactional && !this.hasCue(best.intent, allStems, entities)) {
      return { intent: 'None', score: 1 - best.score, reason: 'no-transaction-cue' };
    }
    if (transactional && contentStems.some((s) => !this.domainStems.has(s)) && !this.hasObject(allStems)) {
      return { intent: 'None', score: 1 - best.score, reason: 'no-domain-object' };
    }
    return best;
  }
}
