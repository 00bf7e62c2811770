/** Parent side of bench-child.ts: runs a benchmark module from its sources in a child process, within a budget. */
import { fork } from 'node:child_process';
import { join } from 'node:path';
import { productNodeFlags } from './target-process.js';

export async function runInChild(
  root: string,
  module: string,
  options: Record<string, unknown>,
  budgetSeconds: number,
): Promise<unknown> {
  const child = fork(
    join(root, 'bench', 'load', 'bench-child.ts'),
    [join(root, 'bench', `${module}.ts`), JSON.stringify(options)],
    {
      cwd: root,
      // Run as `npm start` runs the product (its Node flags), from sources.
      execArgv: [...productNodeFlags(), '--import', 'tsx'],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
    },
  );
  let stderr = '';
  child.stderr?.on('data', (c: Buffer) => {
    stderr = (stderr + c.toString()).slice(-2000);
  });
  return new Promise((resolve, reject) => {
    let settled = false;
    const finish = (error: Error | undefined, value?: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      if (error) reject(error);
      else resolve(value);
    };
    const timer = setTimeout(
      () => finish(new Error(`${module}: over its ${budgetSeconds} s budget, stopped`)),
      budgetSeconds * 1000,
    );
    child.on('message', (m: { ok: boolean; result?: unknown; error?: string }) => {
      if (m.ok) finish(undefined, m.result);
      else finish(new Error(m.error ?? 'failed'));
    });
    child.once('exit', (code) => finish(new Error(`${module}: exited (${code}) without a result: ${stderr.trim()}`)));
  });
}
