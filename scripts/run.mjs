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
// argv[1] is the compiled file's absolute path, as `node dist/x.js` would give it, so entry points that check
// `import.meta.url` against it know they are the program being run.
const compiled = resolve('dist', entry.replace(/\.ts$/, '.js'));
process.argv = [process.argv[0], compiled, ...rest];
await import(pathToFileURL(compiled).href);
