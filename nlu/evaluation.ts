/**
 * Accuracy figures for a labelled set: per-intent precision and recall, accuracy, accuracy on in-scope
 * utterances, recall of `None` on out-of-scope ones, and how many out-of-scope utterances would have started a
 * transaction. Used by `npm run nlu -- eval`, the held-out test and the benchmark.
 */
import type { LabelledUtterance } from './corpus.js';
import { INTENTS, type IntentName, type Recognizer, TRANSACTIONAL_INTENTS } from './recognizer.js';

export interface IntentFigures {
  intent: IntentName;
  support: number;
  predicted: number;
  correct: number;
  precision: number;
  recall: number;
}

export interface EvaluationReport {
  total: number;
  accuracy: number;
  inScope: number;
  inScopeAccuracy: number;
  outOfScope: number;
  /** Share of out-of-scope utterances answered None. */
  noneRecall: number;
  /** Share of out-of-scope utterances answered with a transactional intent. */
  outOfScopeTransactional: number;
  perIntent: IntentFigures[];
  errors: { text: string; expected: IntentName; got: IntentName; score: number }[];
}

export async function evaluate(
  recognizer: Recognizer,
  items: readonly (LabelledUtterance & { locale?: string })[],
  locale?: string,
): Promise<EvaluationReport> {
  const support = new Map<IntentName, number>();
  const predicted = new Map<IntentName, number>();
  const correct = new Map<IntentName, number>();
  const errors: EvaluationReport['errors'] = [];
  let right = 0;
  let inScope = 0;
  let inScopeRight = 0;
  let outOfScope = 0;
  let noneRight = 0;
  let oosTransactional = 0;
  for (const item of items) {
    const r = await recognizer.recognize(item.text, item.locale ?? locale);
    support.set(item.intent, (support.get(item.intent) ?? 0) + 1);
    predicted.set(r.intent, (predicted.get(r.intent) ?? 0) + 1);
    const ok = r.intent === item.intent;
    if (ok) {
      right += 1;
      correct.set(r.intent, (correct.get(r.intent) ?? 0) + 1);
    } else errors.push({ text: item.text, expected: item.intent, got: r.intent, score: r.score });
    if (item.intent === 'None') {
      outOfScope += 1;
      if (ok) noneRight += 1;
      if (TRANSACTIONAL_INTENTS.includes(r.intent)) oosTransactional += 1;
    } else {
      inScope += 1;
      if (ok) inScopeRight += 1;
    }
  }
  const perIntent = INTENTS.filter((i) => support.has(i) || predicted.has(i)).map((intent) => {
    const s = support.get(intent) ?? 0;
    const p = predicted.get(intent) ?? 0;
    const c = correct.get(intent) ?? 0;
    return { intent, support: s, predicted: p, correct: c, precision: ratio(c, p), recall: ratio(c, s) };
  });
  return {
    total: items.length,
    accuracy: ratio(right, items.length),
    inScope,
    inScopeAccuracy: ratio(inScopeRight, inScope),
    outOfScope,
    noneRecall: ratio(noneRight, outOfScope),
    outOfScopeTransactional: ratio(oosTransactional, outOfScope),
    perIntent,
    errors,
  };
}

/** The report as a plain-text table. */
export function formatReport(report: EvaluationReport): string {
  const pct = (n: number) => `${(n * 100).toFixed(1)}%`;
  const lines = [
    `${'intent'.padEnd(24)}${'support'.padStart(8)}${'precision'.padStart(11)}${'recall'.padStart(9)}`,
    ...report.perIntent.map(
      (f) =>
        `${f.intent.padEnd(24)}${String(f.support).padStart(8)}${pct(f.precision).padStart(11)}${pct(f.recall).padStart(9)}`,
    ),
    '',
    `accuracy                ${pct(report.accuracy)} (${report.total} utterances)`,
    `in-scope accuracy       ${pct(report.inScopeAccuracy)} (${report.inScope})`,
    `out-of-scope -> None    ${pct(report.noneRecall)} (${report.outOfScope})`,
    `out-of-scope -> transaction ${pct(report.outOfScopeTransactional)}`,
  ];
  return lines.join('\n');
}

function ratio(a: number, b: number): number {
  return b === 0 ? 0 : a / b;
}
