/**
 * Corpora as data: `nlu/corpus/<locale>.json`, `{ locale, train: { <intent>: [utterances] }, heldOut: [{ text,
 * intent }], heldOutWild: [{ text, intent }] }`. Training reads `train` only. Two held-out parts measure
 * generalisation and are never trained on:
 * - `heldOut`: paraphrases of the bot's own tasks and unrelated questions, written apart from `train`;
 * - `heldOutWild`: written later and separately, in the style of public intent benchmarks (short assistant,
 *   banking, travel, kitchen, small-talk requests, many of them sharing our words: "pay my electricity bill",
 *   "what's the balance on my visa"), so our own figures resemble what real traffic will show.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { INTENTS, type IntentName } from './recognizer.js';

export interface LabelledUtterance {
  text: string;
  intent: IntentName;
}

export interface Corpus {
  locale: string;
  train: Partial<Record<IntentName, string[]>>;
  heldOut: LabelledUtterance[];
  /** Benchmark-style held-out part (see above); empty when a corpus has none. */
  heldOutWild: LabelledUtterance[];
}

export const SUPPORTED_LOCALES = ['en', 'es'] as const;

export function isIntentName(value: unknown): value is IntentName {
  return typeof value === 'string' && (INTENTS as readonly string[]).includes(value);
}

/**
 * Where the corpora live: beside this file when run from sources (tsx), or in the repository's `nlu/corpus`
 * when run from `dist/nlu` (tsc does not copy JSON it does not import).
 */
export function defaultCorpusDir(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  const candidates = [join(here, 'corpus'), resolve(here, '..', '..', 'nlu', 'corpus')];
  return candidates.find((dir) => existsSync(join(dir, 'en.json'))) ?? candidates[0];
}

/** Reads and checks one corpus file; a malformed corpus is a bug in the repository, so it throws. */
export function loadCorpus(dir: string, locale: string): { corpus: Corpus; raw: string } {
  const raw = readFileSync(join(dir, `${locale}.json`), 'utf8');
  const data: unknown = JSON.parse(raw);
  if (typeof data !== 'object' || data === null) throw new Error(`corpus ${locale}: not an object`);
  const { train, heldOut, heldOutWild } = data as { train?: unknown; heldOut?: unknown; heldOutWild?: unknown };
  if (typeof train !== 'object' || train === null) throw new Error(`corpus ${locale}: no train section`);
  const checkedTrain: Partial<Record<IntentName, string[]>> = {};
  for (const [intent, utterances] of Object.entries(train)) {
    if (!isIntentName(intent)) throw new Error(`corpus ${locale}: unknown intent ${intent}`);
    if (!Array.isArray(utterances) || !utterances.every((u) => typeof u === 'string')) {
      throw new Error(`corpus ${locale}: ${intent} must list strings`);
    }
    checkedTrain[intent] = utterances;
  }
  return {
    corpus: {
      locale,
      train: checkedTrain,
      heldOut: checkLabelled(heldOut, locale),
      heldOutWild: checkLabelled(heldOutWild, locale),
    },
    raw,
  };
}

function checkLabelled(items: unknown, locale: string): LabelledUtterance[] {
  const checked: LabelledUtterance[] = [];
  for (const item of Array.isArray(items) ? items : []) {
    const { text, intent } = item as { text?: unknown; intent?: unknown };
    if (typeof text !== 'string' || !isIntentName(intent)) throw new Error(`corpus ${locale}: bad held-out item`);
    checked.push({ text, intent });
  }
  return checked;
}

export function sha256(parts: readonly string[]): string {
  const hash = createHash('sha256');
  for (const part of parts) hash.update(part).update('\0');
  return hash.digest('hex');
}
