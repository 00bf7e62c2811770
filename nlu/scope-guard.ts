/**
 * Out-of-scope detection around the classifier. node-nlp alone sends many unrelated questions to whichever
 * intent shares a word with them ("what is the balance of power" -> balance.check), and a softmax always
 * picks someone. The classifier is trained with a broad `None` class (unrelated requests from many domains,
 * many of them sharing our words); around it, four checks answer `None` instead:
 *
 * 1. Vocabulary: a message none of whose content words (stopwords removed, stemmed) occur in the in-scope
 *    training utterances shares nothing with the domain.
 * 2. Someone else's account: our words "balance", "bill", "pay", "credit", "limit", "plan", "top up",
 *    "transfer" are everyone's words. What makes a message ours is what it is about: our telecom account
 *    (the phone, line, number, SIM, data, sessions, minutes, SMS, airtime, bundles, an app). A message that
 *    names another thing one has an account, a bill or a balance with (a bank, a card, savings, electricity,
 *    water, a loan, Netflix, a gym, a transit card, vacation days...) and nothing of ours is `None`: "what's
 *    the balance on my visa", "pay my water bill", "what is my 401k balance". Two sources say what is foreign:
 *    a short curated lexicon of such objects (`FOREIGN_OBJECTS`), and the data: a content word that the
 *    training corpus uses only in `None` utterances, never in-scope ("sunset", "shifts", "calories"). Written
 *    as the means of a request ("pay my bill with my credit card", "top up from my bank account") such a
 *    word does not make it foreign.
 * 3. Confidence: the classifier's best score below a threshold (`DEFAULT_THRESHOLDS`, or the ones measured by
 *    `nlu/calibrate.ts` on a validation split of the training corpus when `nlu/calibration.json` exists).
 * 4. Transactions need a cue: an intent that moves money or bundles (TRANSACTIONAL_INTENTS) is only answered
 *    when the message has a word or entity of that transaction (an app, an amount, "swap", "recarga"...) and a
 *    thing such a transaction is about (data, sessions, credit, the bill...), and its score clears a stricter
 *    threshold. Starting a transaction from a misunderstood message costs the subscriber money; answering
 *    `None` costs one rephrase.
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
    'mobil',
    'cell',
    'sim',
    'number',
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
    'movil',
    'chip',
    'sim',
    'numer',
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

/**
 * What marks a message as about our telecom account (folded words, matched as prefixes of the words and of
 * their stems). Any of them keeps a message in scope even when it also names something foreign ("top up my
 * phone from my bank account"); the classifier decides the rest. Placeholders stand for apps and units.
 */
const TELECOM_ANCHORS: Record<string, readonly string[]> = {
  en: [
    'phone',
    'mobil',
    'cell',
    'line',
    'sim',
    'number',
    'data',
    'session',
    'minut',
    'sms',
    'text',
    'airtim',
    'bundl',
    'addon',
    'roam',
    'prepaid',
    'gig',
    'gb',
    'mb',
    PLACEHOLDER.app,
  ],
  es: [
    'cel',
    'celu',
    'movil',
    'telefon',
    'line',
    'chip',
    'sim',
    'numer',
    'dato',
    'sesion',
    'minut',
    'sms',
    'mensaj',
    'paquet',
    'bols',
    'complement',
    'roaming',
    'prepag',
    'giga',
    'mega',
    PLACEHOLDER.app,
  ],
};

/**
 * Things other companies keep an account, a balance, a bill or a limit for (folded whole words). Kept short
 * and generic on purpose: the `None` training data teaches the rest (see check 2 above).
 */
const FOREIGN_OBJECTS: Record<string, ReadonlySet<string>> = {
  en: new Set(
    `bank banks banking card cards visa mastercard amex discover paypal venmo zelle chase savings checking debit 401k ira
    roth pension retirement mortgage loan loans rent lease electricity electric power gas water heating sewer
    cable netflix spotify hulu disney amazon prime gym membership insurance premium tax taxes oyster metro
    transit bus train parking toll car tires tyres pto vacation holiday sick gift rewards points miles
    starbucks tuition stock stocks bitcoin crypto salary paycheck payroll shift shifts hotel flight`
      .split(/\s+/)
      .filter(Boolean),
  ),
  es: new Set(
    `banco bancos bancaria bancario tarjeta tarjetas visa mastercard amex paypal ahorro ahorros cheques debito afore pension
    jubilacion hipoteca prestamo prestamos renta alquiler luz electricidad gas agua cable netflix spotify hbo
    disney amazon gimnasio gym membresia seguro impuestos predial metro transporte camion autobus tren
    estacionamiento carro coche auto llantas vacaciones regalo puntos millas colegiatura acciones bitcoin
    sueldo nomina turno hotel vuelo`
      .split(/\s+/)
      .filter(Boolean),
  ),
};

/** Intents about the subscriber's account: the ones another company's account can be mistaken for. */
const ACCOUNT_INTENTS: readonly IntentName[] = [
  'balance.check',
  'bundle.swap',
  'bundle.buy',
  'credit.topup',
  'bill.status',
  'bill.explain',
  'bill.pay',
  'credit_limit.increase',
  'offers.recommend',
];

/** "with my visa", "from my bank account": a foreign word after these is the means, not the object. */
const MEANS_MARKERS: Record<string, ReadonlySet<string>> = {
  en: new Set(['with', 'using', 'via', 'by', 'from', 'through']),
  es: new Set(['con', 'desde', 'usando', 'mediante', 'via']),
};

/** Words skipped when looking back from a foreign word for a means marker ("with *my* card"). */
const DETERMINERS: Record<string, ReadonlySet<string>> = {
  en: new Set(['my', 'the', 'a', 'an', 'your', 'our', 'this', 'that', 'credit', 'debit', 'bank']),
  es: new Set(['mi', 'mis', 'la', 'el', 'un', 'una', 'tu', 'su', 'de', 'tarjeta', 'cuenta', 'credito', 'debito']),
};

export interface ScopeThresholds {
  /** Minimum classifier score for any intent. */
  threshold: number;
  /** Minimum classifier score for a transactional intent. */
  transactionalThreshold: number;
}

/**
 * Used when no calibration file exists (a fresh corpus); `nlu calibrate` replaces them with measured ones.
 */
export const DEFAULT_THRESHOLDS: ScopeThresholds = { threshold: 0.5, transactionalThreshold: 0.65 };

export interface ScopeDecision {
  intent: IntentName;
  score: number;
  /** Why the classifier's answer was replaced by None, for evaluation and logs (never message text). */
  reason?: 'no-domain-words' | 'foreign-object' | 'low-score' | 'no-transaction-cue' | 'no-domain-object';
}

/** One message as the guard reads it: folded words, their stems (same order) and the entities. */
export interface GuardInput {
  words: readonly string[];
  stems: readonly string[];
  entities: readonly Entity[];
}

/** The vocabulary the guard learns from the training corpus of one locale. */
export interface GuardVocabulary {
  /** Stems of the content words of the in-scope training utterances. */
  domainStems: ReadonlySet<string>;
  /** Stems of content words used by `None` training utterances and never by in-scope ones. */
  foreignStems: ReadonlySet<string>;
}

export class ScopeGuard {
  constructor(
    private readonly locale: string,
    private readonly vocabulary: GuardVocabulary,
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
    return contentStems.some((s) => this.vocabulary.domainStems.has(s));
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

  /** True when the message names our telecom account (check 2). */
  hasAnchor(words: readonly string[], stems: readonly string[]): boolean {
    const anchors = TELECOM_ANCHORS[this.locale] ?? TELECOM_ANCHORS.en;
    // Short anchors ("sim", "gb") must be the whole word ("simple" is not ours); numbers are not anchors.
    const matches = (w: string) =>
      w !== PLACEHOLDER.quantity &&
      w !== PLACEHOLDER.money &&
      anchors.some((a) => (a.length >= 4 ? w.startsWith(a) : w === a));
    return words.some(matches) || stems.some(matches);
  }

  /**
   * True when the message is about something of another company's (check 2): a foreign object of the lexicon
   * or a word only out-of-scope training uses, not written as the means of the request.
   */
  namesForeignObject(words: readonly string[], stems: readonly string[], learned = true): boolean {
    const lexicon = FOREIGN_OBJECTS[this.locale] ?? FOREIGN_OBJECTS.en;
    const stop = STOPWORDS[this.locale] ?? STOPWORDS.en;
    return words.some((w, i) => {
      const foreign = lexicon.has(w) || (learned && !stop.has(w) && this.vocabulary.foreignStems.has(stems[i] ?? w));
      return foreign && !this.isMeans(words, i);
    });
  }

  private isMeans(words: readonly string[], index: number): boolean {
    const markers = MEANS_MARKERS[this.locale] ?? MEANS_MARKERS.en;
    const skip = DETERMINERS[this.locale] ?? DETERMINERS.en;
    for (let i = index - 1; i >= 0 && i >= index - 4; i -= 1) {
      if (markers.has(words[i])) return true;
      if (!skip.has(words[i])) return false;
    }
    return false;
  }

  decide(best: { intent: IntentName; score: number }, message: GuardInput): ScopeDecision {
    if (best.intent === 'None') return best;
    const { words, stems, entities } = message;
    const content = ScopeGuard.contentStems(words, stems, this.locale);
    // A message of function words only ("what can you do") is left to the classifier.
    if (content.length > 0 && !this.sharesDomain(content))
      return { intent: 'None', score: 1, reason: 'no-domain-words' };
    // Learned foreign words only count against account intents: "thanks, that's all for today" is a goodbye
    // even though only out-of-scope examples say "today".
    const account = ACCOUNT_INTENTS.includes(best.intent);
    if (!this.hasAnchor(words, stems) && this.namesForeignObject(words, stems, account)) {
      return { intent: 'None', score: 1 - best.score, reason: 'foreign-object' };
    }
    const transactional = TRANSACTIONAL_INTENTS.includes(best.intent);
    const floor = transactional ? this.thresholds.transactionalThreshold : this.thresholds.threshold;
    if (best.score < floor) return { intent: 'None', score: 1 - best.score, reason: 'low-score' };
    const allStems = [...words, ...stems];
    if (transactional && !this.hasCue(best.intent, allStems, entities)) {
      return { intent: 'None', score: 1 - best.score, reason: 'no-transaction-cue' };
    }
    const domain = this.vocabulary.domainStems;
    if (transactional && content.some((s) => !domain.has(s)) && !this.hasObject(allStems)) {
      return { intent: 'None', score: 1 - best.score, reason: 'no-domain-object' };
    }
    return best;
  }
}
