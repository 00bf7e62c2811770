/**
 * The node-nlp implementation of the `Recognizer` port.
 *
 * Per message: rule-based entities and normalisation (`normalize.ts`), node-nlp's neural intent classifier
 * called directly (`nlp.classify`: no built-in NER, which costs ~10 ms a message), the out-of-scope guard
 * (`scope-guard.ts`), node-nlp's sentiment analyzer, and locale detection when the locale is not known.
 *
 * Training takes a second or two; the trained model is cached in `cacheDir` under a key made of the corpora,
 * the calibration and `TRAINING_VERSION`, so a restart loads it and a corpus change retrains.
 */
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withCarriers } from './carrier-augmentation.js';
import { type Corpus, defaultCorpusDir, isIntentName, loadCorpus, SUPPORTED_LOCALES, sha256 } from './corpus.js';
import { LocaleDetector } from './locale-detector.js';
import { NlpEngine } from './nlpjs-engine.js';
import { normalizeForClassifier } from './normalize.js';
import { foldWord } from './number-words.js';
import type { Entity, IntentName, Recognition, Recognizer } from './recognizer.js';
import { DEFAULT_THRESHOLDS, type ScopeDecision, ScopeGuard, type ScopeThresholds } from './scope-guard.js';
import { SentimentReader } from './sentiment.js';

/**
 * Bump when anything that shapes the trained model changes outside the corpora (normalisation, entity
 * placeholders, node-nlp settings): cached models keyed by an older version are retrained.
 */
export const TRAINING_VERSION = 'nlu-3';

/** What this folder needs of a logger; bot/logger.ts's `Logger` fits (nlu/ may not import bot/). */
export interface NluLogger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
}

export interface CreateRecognizerOptions {
  /** Where the trained model is cached (the bot uses `join(DATA_DIR, 'nlu')`). */
  cacheDir: string;
  logger?: NluLogger;
  /** Corpora folder; defaults to the repository's `nlu/corpus`. */
  corpusDir?: string;
  /** Calibration file; defaults to `calibration.json` beside the corpora's folder. */
  calibrationFile?: string;
  /** Overrides the calibrated thresholds (calibration itself uses this). */
  thresholds?: Partial<Record<string, ScopeThresholds>>;
  /** Train on these corpora instead of reading `corpusDir` (cross-validation); never cached. */
  corpora?: readonly Corpus[];
}

/** `nlu/calibration.json`: thresholds per locale, measured by `nlu/calibrate.ts`. */
export interface CalibrationFile {
  method: string;
  corpusHash: string;
  locales: Record<string, ScopeThresholds & Record<string, number | string>>;
}

/** How many `None` training utterances must use a word (and no in-scope one) for it to count as foreign. */
const MIN_FOREIGN_USES = 2;

/** The longest text classified; a 5,000-character message is cut here (entities still read all of it). */
const MAX_CLASSIFIED_CHARS = 1000;

interface Stemmer {
  stemWord(word: string): string;
}

/** What is cached: the node-nlp model plus the vocabulary derived from the same corpora. */
interface CachedModel {
  key: string;
  trainedAt: string;
  model: string;
  domainStems: Record<string, string[]>;
  /** Content stems only `None` training utterances use (the scope guard's evidence of another domain). */
  foreignStems: Record<string, string[]>;
  localeWords: Record<string, string[]>;
}

export class NlpjsRecognizer implements Recognizer {
  readonly locales: readonly string[];
  private readonly guards = new Map<string, ScopeGuard>();
  private readonly detector: LocaleDetector;
  private readonly sentiment: SentimentReader;
  private readonly stemmers = new Map<string, Stemmer>();

  constructor(
    private readonly manager: NlpEngine,
    cached: CachedModel,
    thresholds: Record<string, ScopeThresholds>,
    /** True when the model came from the cache rather than from training in this process. */
    readonly loadedFromCache: boolean,
    /** The cache key: hash of the corpora, the calibration and TRAINING_VERSION. */
    readonly modelKey: string,
  ) {
    this.locales = Object.keys(cached.domainStems);
    for (const locale of this.locales) {
      this.stemmers.set(locale, stemmerOf(manager, locale));
      this.guards.set(
        locale,
        new ScopeGuard(
          locale,
          { domainStems: new Set(cached.domainStems[locale]), foreignStems: new Set(cached.foreignStems[locale]) },
          thresholds[locale] ?? DEFAULT_THRESHOLDS,
        ),
      );
    }
    this.detector = new LocaleDetector(this.locales, cached.localeWords);
    this.sentiment = new SentimentReader(this.locales);
  }

  detectLocale(text: string): string {
    return this.detector.detect(text);
  }

  async recognize(text: string, locale?: string): Promise<Recognition> {
    const safeText = typeof text === 'string' ? text : '';
    const lang = locale && this.locales.includes(locale) ? locale : this.detectLocale(safeText);
    const [{ decision, entities }, sentiment] = await Promise.all([
      this.classify(safeText, lang),
      this.sentiment.read(safeText.slice(0, MAX_CLASSIFIED_CHARS), lang),
    ]);
    return {
      text: safeText,
      locale: lang,
      intent: decision.intent,
      score: round(decision.score),
      entities: withContextualMoney(decision.intent, entities),
      sentiment,
    };
  }

  /** Intent only, with the reason when the guard answered None (evaluation uses it). */
  async classify(text: string, locale: string): Promise<{ decision: ScopeDecision; entities: Entity[] }> {
    const { text: normalized, entities } = normalizeForClassifier(text, locale);
    const clipped = normalized.slice(0, MAX_CLASSIFIED_CHARS);
    if (!/[\p{L}]/u.test(clipped)) return { decision: { intent: 'None', score: 1 }, entities };
    const guard = this.guards.get(locale)!;
    const words = clipped.split(' ').map(foldWord);
    const stems = stemAll(this.stemmers.get(locale)!, words);
    const result = await this.manager.classify(locale, clipped);
    const top = result.classifications[0];
    const best =
      top && isIntentName(result.intent)
        ? { intent: result.intent, score: result.score }
        : { intent: 'None' as IntentName, score: 1 };
    const decision = guard.decide(best, { words, stems, entities });
    return { decision, entities };
  }
}

/**
 * Builds the recognizer: loads the cached model when its key matches the corpora, otherwise trains and caches.
 */
export async function createRecognizer(opts: CreateRecognizerOptions): Promise<NlpjsRecognizer> {
  const corpusDir = opts.corpusDir ?? defaultCorpusDir();
  const calibrationFile = opts.calibrationFile ?? join(corpusDir, '..', 'calibration.json');
  const calibrationRaw = existsSync(calibrationFile) ? readFileSync(calibrationFile, 'utf8') : '';
  const calibration = calibrationRaw ? (JSON.parse(calibrationRaw) as CalibrationFile) : undefined;

  let corpora: readonly Corpus[];
  let key: string;
  if (opts.corpora) {
    corpora = opts.corpora;
    key = sha256([TRAINING_VERSION, JSON.stringify(corpora)]);
  } else {
    const loaded = SUPPORTED_LOCALES.map((l) => loadCorpus(corpusDir, l));
    corpora = loaded.map((l) => l.corpus);
    key = sha256([TRAINING_VERSION, ...loaded.map((l) => l.raw), calibrationRaw]);
    if (calibration && calibration.corpusHash !== corpusHash(loaded.map((l) => l.raw))) {
      opts.logger?.warn('nlu calibration was measured on other corpora; run `npm run nlu -- calibrate`');
    }
  }

  const thresholds: Record<string, ScopeThresholds> = {};
  for (const c of corpora) {
    thresholds[c.locale] = {
      ...DEFAULT_THRESHOLDS,
      ...pickThresholds(calibration?.locales[c.locale]),
      ...opts.thresholds?.[c.locale],
    };
  }

  const cacheFile = join(opts.cacheDir, 'nlu-model.json');
  if (!opts.corpora) {
    const cached = readCache(cacheFile, key);
    if (cached) {
      const manager = newManager(corpora.map((c) => c.locale));
      manager.import(cached.model);
      opts.logger?.info('nlu model loaded from cache', { key: key.slice(0, 12) });
      return new NlpjsRecognizer(manager, cached, thresholds, true, key);
    }
  }

  const started = Date.now();
  const { manager, cached } = await train(corpora, key);
  opts.logger?.info('nlu model trained', { ms: Date.now() - started, key: key.slice(0, 12) });
  if (!opts.corpora) writeCache(opts.cacheDir, cacheFile, cached);
  return new NlpjsRecognizer(manager, cached, thresholds, false, key);
}

/** Hash of the corpora alone, recorded by calibration to notice stale thresholds. */
export function corpusHash(raws: readonly string[]): string {
  return sha256(raws);
}

async function train(corpora: readonly Corpus[], key: string): Promise<{ manager: NlpEngine; cached: CachedModel }> {
  const manager = newManager(corpora.map((c) => c.locale));
  const domainStems: Record<string, string[]> = {};
  const foreignStems: Record<string, string[]> = {};
  const localeWords: Record<string, string[]> = {};
  for (const corpus of corpora) {
    const stemmer = stemmerOf(manager, corpus.locale);
    const domain = new Set<string>();
    const outside = new Map<string, number>();
    const vocabulary = new Set<string>();
    for (const [intent, utterances] of Object.entries(corpus.train) as [IntentName, string[]][]) {
      for (const utterance of utterances) {
        const normalized = normalizeForClassifier(utterance, corpus.locale).text;
        if (!normalized) continue;
        const words = normalized.split(' ').map(foldWord);
        for (const w of words) vocabulary.add(w);
        const content = ScopeGuard.contentStems(words, stemAll(stemmer, words), corpus.locale);
        for (const s of new Set(content)) {
          if (intent === 'None') outside.set(s, (outside.get(s) ?? 0) + 1);
          else domain.add(s);
        }
      }
      // The classifier also learns from carrier-wrapped copies; the guard's vocabulary comes from the corpus alone.
      const documents = withCarriers(intent, utterances, corpus.locale);
      for (const utterance of documents) {
        const normalized = normalizeForClassifier(utterance, corpus.locale).text;
        if (normalized) manager.addDocument(corpus.locale, normalized, intent);
      }
    }
    domainStems[corpus.locale] = [...domain].sort();
    // A word one unrelated example happens to use is not yet evidence of another domain.
    foreignStems[corpus.locale] = [...outside]
      .filter(([s, n]) => n >= MIN_FOREIGN_USES && !domain.has(s))
      .map(([s]) => s)
      .sort();
    localeWords[corpus.locale] = [...vocabulary].sort();
  }
  await manager.train();
  const cached: CachedModel = {
    key,
    trainedAt: new Date().toISOString(),
    model: manager.export(true),
    domainStems,
    foreignStems,
    localeWords,
  };
  return { manager, cached };
}

function newManager(locales: string[]): NlpEngine {
  // autoSave/autoLoad off: node-nlp otherwise writes and reads `model.nlp` in the working directory.
  return new NlpEngine({
    languages: locales,
    autoSave: false,
    autoLoad: false,
    forceNER: false,
    nlu: { log: false, useNoneFeature: true },
  });
}

function stemmerOf(manager: NlpEngine, locale: string): Stemmer {
  const stemmer = manager.container.get(`stemmer-${locale}`);
  if (stemmer && typeof (stemmer as Stemmer).stemWord === 'function') return stemmer as Stemmer;
  return { stemWord: (w) => w };
}

function stemAll(stemmer: Stemmer, words: readonly string[]): string[] {
  return words.map((w) => stemmer.stemWord(w) || w);
}

function readCache(file: string, key: string): CachedModel | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const cached = JSON.parse(readFileSync(file, 'utf8')) as CachedModel;
    return cached.key === key && typeof cached.model === 'string' ? cached : undefined;
  } catch {
    // A torn or foreign file is not an error: the model is retrained and the file replaced.
    return undefined;
  }
}

function writeCache(dir: string, file: string, cached: CachedModel): void {
  mkdirSync(dir, { recursive: true });
  // Write then rename, so a crash mid-write never leaves a half model for the next start.
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(cached));
  renameSync(tmp, file);
}

function pickThresholds(entry: Partial<ScopeThresholds> | undefined): Partial<ScopeThresholds> {
  const out: Partial<ScopeThresholds> = {};
  if (typeof entry?.threshold === 'number') out.threshold = entry.threshold;
  if (typeof entry?.transactionalThreshold === 'number') out.transactionalThreshold = entry.transactionalThreshold;
  return out;
}

/**
 * "top up 10" names an amount without a currency: for intents about money a bare number is money in major
 * units, so the dialogs find it where they look.
 */
function withContextualMoney(intent: IntentName, entities: Entity[]): Entity[] {
  const moneyIntents: IntentName[] = ['credit.topup', 'bill.pay', 'credit_limit.increase'];
  if (!moneyIntents.includes(intent) || entities.some((e) => e.type === 'money')) return entities;
  const bare = entities.find((e) => e.type === 'quantity' && !e.unit);
  if (!bare || typeof bare.value !== 'number') return entities;
  const money: Entity = { ...bare, type: 'money', value: Math.round(bare.value * 100) };
  return [...entities, money].sort((a, b) => a.start - b.start);
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
