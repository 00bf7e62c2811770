// `npm run nlu|bench|simulate`: build if needed, then run the compiled entry point given as first argument.
import { pathToFileURL } from 'node:url';
import { resolve } from 'node:path';
import { buildIfNeeded } from './build-if-needed.mjs';

const [entry, ...rest] = process.argv.slice(2);
if (!entry) {
  process.stderr.write('usage: node scripts/run.mjs <file.ts> [args...]\n');
  process.exit(2);
}
buildIfNeeded();
process.argv = [process.argv[0], entry, ...rest];
await import(pathToFileURL(resolve('dist', entry.replace(/\.ts$/, '.js'))).href);
