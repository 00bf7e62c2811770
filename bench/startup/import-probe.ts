/**
 * Where a cold start's time goes before any of our code runs: loads the dependencies `npm start` loads, one after
 * the other in a fresh process, then the composition root (our code on top), and prints the milliseconds of each
 * as JSON. Spawned by startup.bench.ts. whatsapp-web.js and Slack's Bolt are loaded only when their channel is
 * configured, so they are not here; node-nlp's engine is loaded as its @nlpjs parts (nlu/nlpjs-engine.ts).
 */
const PACKAGES = [
  'botbuilder',
  'botbuilder-dialogs',
  'restify',
  '@nlpjs/core',
  '@nlpjs/nlp',
  '@nlpjs/lang-en',
  '@nlpjs/lang-es',
  '@nlpjs/sentiment',
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
