// `npm test`: the whole suite. Makes sure Debian's Chromium is there for the browser tests (installing it
// with apt-get when root, otherwise stopping with the exact command), then type-checks, lints and runs mocha.
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', ...opts });
  if (r.error) throw r.error;
  return r.status ?? 1;
}

const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
if (!existsSync(chromium)) {
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    console.error(
      `Chromium is missing at ${chromium}; the browser tests need it. Install it with:\n  sudo apt-get update && sudo apt-get install -y chromium`,
    );
    process.exit(1);
  }
  console.error("Chromium is missing: installing Debian's chromium with apt-get (the browser tests need it)...");
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (
    run('apt-get', ['update'], { env }) !== 0 ||
    run('apt-get', ['install', '-y', '--no-install-recommends', 'chromium'], { env }) !== 0
  ) {
    console.error('Installing chromium failed. Run: apt-get update && apt-get install -y chromium');
    process.exit(1);
  }
}

const steps = [
  ['typecheck', process.execPath, ['node_modules/typescript/bin/tsc', '-p', 'tsconfig.json', '--noEmit']],
  ['lint', process.execPath, ['node_modules/@biomejs/biome/bin/biome', 'check', '.']],
  [
    'tests',
    process.execPath,
    ['node_modules/mocha/bin/mocha.js', ...(process.argv.length > 2 ? process.argv.slice(2) : ['test/**/*.test.ts'])],
  ],
];
for (const [name, cmd, args] of steps) {
  console.error(`\n== ${name}`);
  const status = run(cmd, args);
  if (status !== 0) {
    console.error(`${name} failed (exit ${status})`);
    process.exit(status);
  }
}
