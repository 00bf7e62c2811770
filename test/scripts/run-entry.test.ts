/**
 * `npm run nlu|bench|simulate` go through scripts/run.mjs, which runs the compiled entry point. Entry points
 * decide whether they are the program by comparing `import.meta.url` with `process.argv[1]`; when that failed,
 * `npm run simulate` silently did nothing. This runs run.mjs on a tiny prepared project and asks the entry.
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { expect } from 'chai';

const RUN = resolve(import.meta.dirname, '..', '..', 'scripts', 'run.mjs');

describe('scripts/run.mjs', () => {
  let dir = '';
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'run-entry-'));
    writeFileSync(join(dir, 'package.json'), '{"type":"module"}');
    writeFileSync(join(dir, 'tsconfig.json'), '{}');
    mkdirSync(join(dir, 'dist', 'tools'), { recursive: true });
    writeFileSync(
      join(dir, 'dist', 'tools', 'probe.js'),
      "import { pathToFileURL } from 'node:url';\n" +
        'console.log(JSON.stringify({ main: import.meta.url === pathToFileURL(process.argv[1]).href, args: process.argv.slice(2) }));\n',
    );
    // Built after every source: run.mjs must not rebuild.
    writeFileSync(join(dir, 'dist', '.build-stamp'), 'now');
    const future = new Date(Date.now() + 60_000);
    utimesSync(join(dir, 'dist', '.build-stamp'), future, future);
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('runs the compiled entry as the main program with the remaining arguments', () => {
    const r = spawnSync(process.execPath, [RUN, 'tools/probe.ts', 'predict', '--locale', 'es'], {
      cwd: dir,
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    expect(JSON.parse(r.stdout.trim())).to.deep.equal({ main: true, args: ['predict', '--locale', 'es'] });
  });
});
