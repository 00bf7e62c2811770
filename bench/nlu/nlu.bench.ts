/**
 * NLU benchmark: predict latency per utterance over the held-out sets (median, p99), accuracy figures on both
 * held-out parts (`heldOut` and the benchmark-style `heldOutWild`), and cold start with and without a cached
 * model. Target: median < 0.5 ms; cached start < 3 s.
 * Run alone with `npx tsx bench/nlu/nlu.bench.ts` (prints JSON), or through `npm run bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { defaultCorpusDir, loadCorpus, SUPPORTED_LOCALES } from '../../nlu/corpus.js';
import { evaluate } from '../../nlu/evaluation.js';
import { createRecognizer } from '../../nlu/nlpjs-recognizer.js';

const ROUNDS = 5;

export async function run(): Promise<Record<string, number | string>> {
  const cacheDir = mkdtempSync(join(tmpdir(), 'nlu-bench-'));
  try {
    let t = performance.now();
    await createRecognizer({ cacheDir });
    const coldTrainMs = performance.now() - t;
    t = performance.now();
    const recognizer = await createRecognizer({ cacheDir });
    const coldCachedMs = performance.now() - t;

    const out: Record<string, number | string> = {
      coldStartTrainMs: round(coldTrainMs),
      coldStartCachedMs: round(coldCachedMs),
    };
    const samples: number[] = [];
    for (const locale of SUPPORTED_LOCALES) {
      const { corpus } = loadCorpus(defaultCorpusDir(), locale);
      for (const [part, items] of [
        ['heldOut', corpus.heldOut],
        ['heldOutWild', corpus.heldOutWild],
      ] as const) {
        const prefix = part === 'heldOut' ? locale : `${locale}.wild`;
        const report = await evaluate(recognizer, items, locale);
        out[`${prefix}.inScopeAccuracy`] = round(report.inScopeAccuracy, 3);
        out[`${prefix}.noneRecall`] = round(report.noneRecall, 3);
        out[`${prefix}.outOfScopeTransactional`] = round(report.outOfScopeTransactional, 3);
        out[`${prefix}.utterances`] = items.length;
      }
      const heldOut = [...corpus.heldOut, ...corpus.heldOutWild];
      // Timed as the CLI and the bot call it: locale known, whole recognize() (entities, classifier, sentiment).
      for (let r = 0; r < ROUNDS; r += 1) {
        for (const item of heldOut) {
          const start = performance.now();
          await recognizer.recognize(item.text, locale);
          samples.push(performance.now() - start);
        }
      }
    }
    const detectSamples: number[] = [];
    for (const locale of SUPPORTED_LOCALES) {
      const { corpus } = loadCorpus(defaultCorpusDir(), locale);
      for (const item of [...corpus.heldOut, ...corpus.heldOutWild]) {
        const start = performance.now();
        await recognizer.recognize(item.text);
        detectSamples.push(performance.now() - start);
      }
    }
    samples.sort((a, b) => a - b);
    detectSamples.sort((a, b) => a - b);
    out.predictMedianMs = round(quantile(samples, 0.5), 4);
    out.predictP99Ms = round(quantile(samples, 0.99), 4);
    out.predictWithLocaleDetectionMedianMs = round(quantile(detectSamples, 0.5), 4);
    out.samples = samples.length;
    return out;
  } finally {
    rmSync(cacheDir, { recursive: true, force: true });
  }
}

function quantile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? 0;
}

function round(n: number, digits = 1): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  process.stdout.write(`${JSON.stringify(await run(), null, 2)}\n`);
}
