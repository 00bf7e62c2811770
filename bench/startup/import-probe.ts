/**
 * Where a cold start's time goes before any of our code runs: loads the product's heavy dependencies one after
 * the other in a fresh process, then the composition root (our code on top), and prints the milliseconds of each
 * as JSON. Spawned by startup.bench.ts.
 */
const PACKAGES = [
  'botbuilder',
  'botbuilder-dialogs',
  'restify',
  'node-nlp',
  '@slack/bolt',
  'whatsapp-web.js',
  'lowdb',
  'ws',
  'dayjs',
] as const;

const times: Record<string, number> = {};
const started = performance.now();
for (const name of PACKAGES) {
  const t = performance.now();
  await import(name);
  times[name] = Math.round(performance.now() - t);
}
const t = performance.now();
await import('../../bot/compose.js');
times['our code (bot/compose and what it imports)'] = Math.round(performance.now() - t);
times.total = Math.round(performance.now() - started);
process.stdout.write(JSON.stringify(times));
