/**
 * `npm run --silent nlu -- predict|eval` as an operator runs them (CONTRACTS.md section 1): spawned through
 * npm, which builds dist/ when a source is newer than the last build. Both commands share one build and one
 * DATA_DIR (one trained model): the build runs once, in `before`, through the same `buildIfNeeded` npm's
 * script calls, so neither spawned command builds again (building all of dist is slow on a shared machine).
 */
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { expect } from 'chai';
import { INTENTS } from '../../nlu/recognizer.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = resolve(import.meta.dirname, '..', '..');

function npmNlu(args: string[], dataDir: string, input?: string) {
  return spawnSync('npm', ['run', '--silent', 'nlu', '--', ...args], {
    cwd: ROOT,
    env: { ...process.env, DATA_DIR: dataDir },
    input,
    encoding: 'utf8',
    timeout: 240_000,
  });
}

describe('nlu CLI (npm run nlu)', function () {
  this.timeout(300_000);
  const data = tempDir('nlu-cli-');
  after(() => data.remove());

  before(() => {
    // In a child process: buildIfNeeded exits its process when tsc fails, which must not take mocha down.
    const script = pathToFileURL(join(ROOT, 'scripts', 'build-if-needed.mjs')).href;
    const build = spawnSync(
      process.execPath,
      ['--input-type=module', '-e', `(await import('${script}')).buildIfNeeded()`],
      {
        cwd: ROOT,
        encoding: 'utf8',
        timeout: 240_000,
      },
    );
    expect(build.status, build.stderr).to.equal(0);
  });

  it('predict: one JSON object per input line on stdout, nothing else', () => {
    const lines = ['whats my bal', 'swap 10 fb to yt', 'what is the weather in paris', 'quiero recargar diez pesos'];
    const run = npmNlu(['predict'], data.path, `${lines.join('\n')}\n`);
    expect(run.status, run.stderr).to.equal(0);
    const out = run.stdout
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(out.map((o) => o.text)).to.deep.equal(lines);
    for (const o of out) {
      expect(o).to.have.all.keys('text', 'intent', 'score', 'entities');
      expect(INTENTS).to.include(o.intent);
    }
    expect(out.map((o) => o.intent)).to.deep.equal(['balance.check', 'bundle.swap', 'None', 'credit.topup']);
    expect(out[1].entities).to.deep.include({ type: 'app', value: 'youtube', text: 'yt', start: 14, end: 16 });
  });

  it('eval: per-intent precision/recall table, accuracy and out-of-scope figures', () => {
    const file = join(data.path, 'eval.jsonl');
    const items = [
      { text: 'how much data do i have left', intent: 'balance.check' },
      { text: 'pay my bill', intent: 'bill.pay' },
      { text: 'tell me a joke', intent: 'None' },
      { text: 'hola', intent: 'greeting' },
    ];
    writeFileSync(file, items.map((i) => JSON.stringify(i)).join('\n'));
    const run = npmNlu(['eval', file], data.path);
    expect(run.status, run.stderr).to.equal(0);
    expect(run.stdout).to.match(/intent\s+support\s+precision\s+recall/);
    expect(run.stdout).to.match(/balance\.check\s+1\s+100\.0%\s+100\.0%/);
    expect(run.stdout).to.match(/accuracy\s+100\.0% \(4 utterances\)/);
    expect(run.stdout).to.match(/out-of-scope -> None\s+100\.0%/);
    expect(run.stdout).to.match(/out-of-scope -> transaction 0\.0%/);
  });
});
