/**
 * `npm run --silent nlu -- <command>` (CONTRACTS.md section 1), on the same cached model as the bot
 * (`$DATA_DIR/nlu`, DATA_DIR defaulting to ./data). stdout carries results only; logs go to stderr.
 *
 *   predict [--locale en]      utterances on stdin, one per line -> one JSON object per line
 *   eval FILE [--locale en]    JSONL {"text","intent"[,"locale"]} -> per-intent precision/recall, accuracy
 *   heldout [--locale en]      prints the corpora's held-out part as JSONL (input for eval)
 *   calibrate                  measures the out-of-scope thresholds by cross-validation -> nlu/calibration.json
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { calibrate } from './calibrate.js';
import { defaultCorpusDir, isIntentName, type LabelledUtterance, loadCorpus, SUPPORTED_LOCALES } from './corpus.js';
import { evaluate, formatReport } from './evaluation.js';
import { createRecognizer, type NluLogger } from './nlpjs-recognizer.js';

const stderrLogger: NluLogger = {
  info: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'info', msg, ...fields })}\n`),
  warn: (msg, fields) => process.stderr.write(`${JSON.stringify({ level: 'warn', msg, ...fields })}\n`),
};

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

function cacheDir(): string {
  return join(process.env.DATA_DIR || './data', 'nlu');
}

async function predict(locale: string | undefined): Promise<void> {
  const recognizer = await createRecognizer({ cacheDir: cacheDir(), logger: stderrLogger });
  const lines = createInterface({ input: process.stdin, crlfDelay: Number.POSITIVE_INFINITY });
  for await (const line of lines) {
    const r = await recognizer.recognize(line, locale);
    process.stdout.write(
      `${JSON.stringify({ text: r.text, intent: r.intent, score: r.score, entities: r.entities })}\n`,
    );
  }
}

function readJsonl(file: string): (LabelledUtterance & { locale?: string })[] {
  const out: (LabelledUtterance & { locale?: string })[] = [];
  readFileSync(file, 'utf8')
    .split(/\r?\n/)
    .forEach((line, i) => {
      if (!line.trim()) return;
      const item = JSON.parse(line) as { text?: unknown; intent?: unknown; locale?: unknown };
      if (typeof item.text !== 'string' || !isIntentName(item.intent)) {
        throw new Error(`${file}:${i + 1}: expected {"text","intent"} with an intent of CONTRACTS.md section 5`);
      }
      out.push({
        text: item.text,
        intent: item.intent,
        ...(typeof item.locale === 'string' ? { locale: item.locale } : {}),
      });
    });
  return out;
}

async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  const locale = option(args, '--locale');
  switch (command) {
    case 'predict':
      await predict(locale);
      return 0;
    case 'eval': {
      const file = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--locale');
      if (!file) {
        process.stderr.write('usage: nlu eval FILE [--locale en]\n');
        return 2;
      }
      const recognizer = await createRecognizer({ cacheDir: cacheDir(), logger: stderrLogger });
      const report = await evaluate(recognizer, readJsonl(file), locale);
      process.stdout.write(`${formatReport(report)}\n`);
      return 0;
    }
    case 'heldout': {
      for (const l of locale ? [locale] : SUPPORTED_LOCALES) {
        for (const item of loadCorpus(defaultCorpusDir(), l).corpus.heldOut) {
          process.stdout.write(`${JSON.stringify({ ...item, locale: l })}\n`);
        }
      }
      return 0;
    }
    case 'calibrate': {
      const result = await calibrate({ logger: stderrLogger });
      process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
      return 0;
    }
    default:
      process.stderr.write('usage: nlu predict [--locale en] | eval FILE [--locale en] | heldout | calibrate\n');
      return 2;
  }
}

process.exitCode = await main(process.argv.slice(2));
