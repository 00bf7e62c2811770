/**
 * The targets of the issues (9, 2, 3, 4, 5, 8), checked against the aggregated figures, and what limits us where
 * one is missed, written from the measured figures (the profile in particular), not from hopes.
 */
import type { StartupBenchResult } from '../startup/startup.bench.js';
import type { TurnsBenchResult } from '../turns/turns.bench.js';
import type { ProfileSummary } from './cpu-profile.js';
import { type Spread, spread } from './stats.js';

export interface TargetCheck {
  benchmark: string;
  what: string;
  target: string;
  measured: Spread | undefined;
  unit: string;
  met: boolean | undefined;
}

export function check(
  benchmark: string,
  what: string,
  measured: Spread | undefined,
  op: '>=' | '<' | '<=',
  limit: number,
  unit: string,
): TargetCheck {
  const ok = measured && Number.isFinite(measured.median);
  return {
    benchmark,
    what,
    target: `${op} ${limit} ${unit}`.trim(),
    measured,
    unit,
    met: ok
      ? op === '>='
        ? measured.median >= limit
        : op === '<='
          ? measured.median <= limit
          : measured.median < limit
      : undefined,
  };
}

export function turnsTargets(t: TurnsBenchResult): TargetCheck[] {
  const out: TargetCheck[] = [];
  const paths = [...new Set(t.saturation.map((s) => s.path))];
  for (const path of paths) {
    for (const c of t.concurrency) {
      const runs = t.saturation.filter((s) => s.path === path && s.concurrency === c);
      out.push(
        check(
          'turns',
          `${path}: throughput vs echo bot, ${c} conversations`,
          spread(runs.map((r) => r.ratio * 100)),
          '>=',
          50,
          '%',
        ),
      );
    }
    const steady = t.steady.filter((s) => s.path === path && s.target === 'product');
    out.push(
      check(
        'turns',
        `${path}: p99 at a steady ${t.openLoop.rate} turns/s (${t.openLoop.conversations} conversations)`,
        spread(steady.map((s) => s.result.p99Ms)),
        '<',
        100,
        'ms',
      ),
    );
  }
  out.push(check('memory', 'resident memory under load (peak)', spread([t.memory.underLoadPeakRssMB]), '<', 400, 'MB'));
  return out;
}

export function startupTargets(s: StartupBenchResult): TargetCheck[] {
  return (['cached-model-demo', 'cached-model-100k'] as const).map((c) =>
    check(
      'startup',
      `cold start to /healthz, ${c}`,
      spread(s.runs.filter((r) => r.case === c).map((r) => r.coldStartMs / 1000)),
      '<',
      3,
      's',
    ),
  );
}

const EXPLAIN: Record<string, string> = {
  'adapters/store/lowdb':
    'the lowdb stores: every acknowledged change is part of a journal file written per commit batch (temp file and ' +
    'rename), and a background fold rewrites the shard files the journal touched; LowdbStorage also parses every ' +
    'state item it reads and stringifies every item it writes (dialog state, profile, transcript, handoff state, ' +
    'Direct Line log chunks)',
  'V8 garbage collector':
    'garbage collection: bot state goes through JSON on every read and write (as with any network storage), and ' +
    "botbuilder's BotState stringifies each state object twice a turn to see whether it changed",
  'V8 / native':
    'native code without a script URL (JSON.stringify / JSON.parse, crypto, file system calls): mostly the JSON ' +
    'of bot state, journals and shard files',
  'botbuilder-dialogs': 'the dialog stack (waterfalls, prompts, memory scopes): the framework cost of real dialogs',
  'botbuilder-core': 'the turn pipeline of botbuilder (also paid by the echo bot) and its state change hashing',
  'adapters/channels/webchat': 'our Direct Line: tokens, conversation logs, the WebSocket stream',
  charging: 'the charging core: balances, quotes and swaps against 100,000 subscribers',
  '@nlpjs/nlu': 'understanding (node-nlp classifier)',
  zod: 'schema validation inside the Bot Framework connector libraries',
};

/** Sentences on what limits throughput, from the profile of a saturation run. */
export function limitsFromProfile(
  p: ProfileSummary & { concurrency: number; path: string; turnsPerSecond?: number },
): string[] {
  const lines: string[] = [];
  const busyPct = Math.round((p.busyMs / Math.max(1, p.wallMs)) * 100);
  lines.push(
    `In the profiled saturation run (${p.path}, ${p.concurrency} conversations) the server's main thread was busy ` +
      `${busyPct}% of the wall time.` +
      (busyPct < 85
        ? ' Even at saturation it waited the rest of the time: on file writes (a mutation or a state write is ' +
          'acknowledged only once the atomic temp-file-and-rename holding it completed) and, on this shared machine, ' +
          'for CPU held by other processes.'
        : ' It is CPU-bound.'),
  );
  for (const m of p.topModules.slice(0, 4)) {
    const why = EXPLAIN[m.name];
    lines.push(`${p.path}: ${m.sharePct}% of busy time in ${m.name}${why ? `: ${why}` : ''}.`);
  }
  return lines;
}
