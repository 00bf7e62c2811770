/**
 * Runs one benchmark module's `run(options)` in a process of its own and sends the result to the parent over IPC:
 * `node --import tsx bench/load/bench-child.ts <module.ts> '<options JSON>'`. Each benchmark then has the
 * machine to itself (its memory figures are its own, not the runner's) and runs from its sources, as its
 * authors run it (some read fixtures next to their sources).
 */
import { pathToFileURL } from 'node:url';

type Reply = { ok: true; result: unknown } | { ok: false; error: string };

function reply(message: Reply): void {
  process.send?.(message, () => process.exit(0));
}

const [modulePath, optionsJson] = process.argv.slice(2);
try {
  if (!modulePath) throw new Error('usage: bench-child.ts <module> [options JSON]');
  const mod = (await import(pathToFileURL(modulePath).href)) as { run?: (o?: unknown) => Promise<unknown> };
  if (typeof mod.run !== 'function') throw new Error(`${modulePath} exports no run()`);
  const result = await mod.run(optionsJson ? (JSON.parse(optionsJson) as unknown) : undefined);
  reply({ ok: true, result });
} catch (error) {
  reply({ ok: false, error: error instanceof Error ? (error.stack ?? error.message) : String(error) });
}
