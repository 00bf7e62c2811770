// Builds dist/ with tsc when any TypeScript source is newer than the last build.
// Output goes to stderr so that commands such as `npm run --silent nlu -- predict` keep stdout clean.
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

const SOURCE_DIRS = ['bot', 'dialogs', 'nlu', 'adapters', 'charging', 'bench'];
const STAMP = 'dist/.build-stamp';

function newestSource(dir) {
  let newest = 0;
  if (!existsSync(dir)) return newest;
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) newest = Math.max(newest, newestSource(path));
    else if (/\.(ts|json)$/.test(entry.name)) newest = Math.max(newest, statSync(path).mtimeMs);
  }
  return newest;
}

export function buildIfNeeded(root = process.cwd()) {
  const stamp = join(root, STAMP);
  const newest = Math.max(
    ...SOURCE_DIRS.map((d) => newestSource(join(root, d))),
    statSync(join(root, 'tsconfig.json')).mtimeMs,
  );
  if (existsSync(stamp) && statSync(stamp).mtimeMs >= newest) return;
  process.stderr.write('Building (tsc)...\n');
  const tsc = join(root, 'node_modules', 'typescript', 'bin', 'tsc');
  const result = spawnSync(process.execPath, [tsc, '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: ['ignore', 2, 2],
  });
  if (result.status !== 0) {
    process.stderr.write('Build failed.\n');
    process.exit(result.status ?? 1);
  }
  writeFileSync(stamp, new Date().toISOString());
}
