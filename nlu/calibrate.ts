/**
 * Calibration of the out-of-scope thresholds, on the training corpus only (the held-out part stays unseen):
 * stratified 5-fold cross-validation per locale. Each fold is classified by a model trained on the other four
 * with no thresholds; then every pair of thresholds on a 0.05 grid is tried, and the pair kept is the one with
 * the best in-scope accuracy among those meeting the product's out-of-scope targets (None recall >= 85%,
 * out-of-scope utterances starting a transaction <= 3%); the lowest such pair wins ties, so thresholds rise only
 * as far as the data asks. When no pair meets the targets, the best of in-scope accuracy + None recall
 * - 4 x transactional false starts is kept. Run `npm run nlu -- calibrate` after editing a
 * corpus; the result lands in `nlu/calibration.json`, which is part of the model's cache key.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { type Corpus, defaultCorpusDir, loadCorpus, SUPPORTED_LOCALES } from './corpus.js';
import { type CalibrationFile, corpusHash, createRecognizer, type NluLogger } from './nlpjs-recognizer.js';
import { type IntentName, TRANSACTIONAL_INTENTS } from './recognizer.js';

const FOLDS = 5;
const TRANSACTION_PENALTY = 4;
const NONE_RECALL_TARGET = 0.85;
const TRANSACTIONAL_TARGET = 0.03;

interface Observation {
  expected: IntentName;
  /** The answer with no thresholds (vocabulary and cue checks still apply). */
  got: IntentName;
  score: number;
}

export async function calibrate(opts: {
  logger?: NluLogger;
  corpusDir?: string;
  write?: boolean;
}): Promise<CalibrationFile> {
  const dir = opts.corpusDir ?? defaultCorpusDir();
  const loaded = SUPPORTED_LOCALES.map((l) => loadCorpus(dir, l));
  const result: CalibrationFile = {
    method: `stratified ${FOLDS}-fold cross-validation on the training utterances; grid 0.05; best in-scope accuracy with None recall >= ${NONE_RECALL_TARGET} and out-of-scope transactional <= ${TRANSACTIONAL_TARGET}`,
    corpusHash: corpusHash(loaded.map((l) => l.raw)),
    locales: {},
  };
  for (const { corpus } of loaded) {
    const observations = await crossValidate(corpus);
    const best = pickThresholds(observations);
    result.locales[corpus.locale] = best;
    opts.logger?.info('nlu calibrated', { locale: corpus.locale, ...best });
  }
  if (opts.write !== false) {
    const file = join(dir, '..', 'calibration.json');
    writeFileSync(file, `${JSON.stringify(result, null, 2)}\n`);
    // Read back so a bad write shows here rather than at the next start.
    JSON.parse(readFileSync(file, 'utf8'));
  }
  return result;
}

async function crossValidate(corpus: Corpus): Promise<Observation[]> {
  const observations: Observation[] = [];
  for (let fold = 0; fold < FOLDS; fold += 1) {
    const train: Corpus['train'] = {};
    const test: { text: string; intent: IntentName }[] = [];
    for (const [intent, utterances] of Object.entries(corpus.train) as [IntentName, string[]][]) {
      train[intent] = utterances.filter((_, i) => i % FOLDS !== fold);
      for (const text of utterances.filter((_, i) => i % FOLDS === fold)) test.push({ text, intent });
    }
    const recognizer = await createRecognizer({
      cacheDir: '',
      corpora: [{ locale: corpus.locale, train, heldOut: [] }],
      thresholds: { [corpus.locale]: { threshold: 0, transactionalThreshold: 0 } },
    });
    for (const item of test) {
      const { decision } = await recognizer.classify(item.text, corpus.locale);
      observations.push({ expected: item.intent, got: decision.intent, score: decision.score });
    }
  }
  return observations;
}

function pickThresholds(observations: readonly Observation[]) {
  const grid = Array.from({ length: 20 }, (_, i) => Math.round(i * 5) / 100);
  let best = {
    objective: Number.NEGATIVE_INFINITY,
    threshold: 0,
    transactionalThreshold: 0,
    inScope: 0,
    none: 0,
    oosTx: 0,
  };
  for (const threshold of grid) {
    for (const transactionalThreshold of grid.filter((t) => t >= threshold)) {
      const f = figures(observations, threshold, transactionalThreshold);
      const objective = f.inScope + f.none - TRANSACTION_PENALTY * f.oosTx;
      if (objective > best.objective + 1e-9) best = { objective, threshold, transactionalThreshold, ...f };
    }
  }
  return {
    threshold: best.threshold,
    transactionalThreshold: best.transactionalThreshold,
    cvInScopeAccuracy: round(best.inScope),
    cvNoneRecall: round(best.none),
    cvOutOfScopeTransactional: round(best.oosTx),
    cvUtterances: observations.length,
  };
}

function figures(observations: readonly Observation[], threshold: number, transactionalThreshold: number) {
  let inScope = 0;
  let inScopeRight = 0;
  let oos = 0;
  let none = 0;
  let oosTx = 0;
  for (const o of observations) {
    const transactional = TRANSACTIONAL_INTENTS.includes(o.got);
    const floor = transactional ? transactionalThreshold : threshold;
    const got: IntentName = o.got !== 'None' && o.score < floor ? 'None' : o.got;
    if (o.expected === 'None') {
      oos += 1;
      if (got === 'None') none += 1;
      if (TRANSACTIONAL_INTENTS.includes(got)) oosTx += 1;
    } else {
      inScope += 1;
      if (got === o.expected) inScopeRight += 1;
    }
  }
  return { inScope: inScopeRight / (inScope || 1), none: none / (oos || 1), oosTx: oosTx / (oos || 1) };
}

function round(n: number): number {
  return Math.round(n * 1000) / 1000;
}
