/** Renders bench/REPORT.md from the figures that also go to bench/REPORT.json. */
import type { StartupBenchResult } from '../startup/startup.bench.js';
import type { TurnsBenchResult } from '../turns/turns.bench.js';
import { fmt, type Spread, spread } from './stats.js';
import { limitsFromProfile, type TargetCheck } from './targets.js';

export interface Machine {
  cores: number;
  cpuModel: string;
  memoryMB: number;
  node: string;
  platform: string;
  /** 1-minute load average when the bench started and ended: other work on the machine slows every figure. */
  loadAverageStart: number;
  loadAverageEnd: number;
}

export interface OtherBench {
  title: string;
  source: string;
  /** What its issue asks for, in words. */
  targetNote: string;
  /** What limits it, as measured when the bench was last worked on. */
  limits?: string;
  ok: boolean;
  error?: string;
  seconds: number;
  runs: number;
  aggregate: Record<string, Spread | string>;
}

export interface BenchReport {
  generatedAt: string;
  mode: 'quick' | 'full';
  seconds: number;
  machine: Machine;
  targets: TargetCheck[];
  /** Parts re-run later with `--only` and merged into this report: which, and when. */
  reruns?: { parts: string[]; at: string }[];
  turns?: { ok: boolean; error?: string; seconds: number; result?: TurnsBenchResult };
  startup?: { ok: boolean; error?: string; seconds: number; result?: StartupBenchResult };
  others: Record<string, OtherBench>;
}

const mark = (met: boolean | undefined) => (met === undefined ? 'n/a' : met ? 'met' : '**missed**');

function table(head: string[], rows: string[][]): string {
  return [
    `| ${head.join(' | ')} |`,
    `| ${head.map(() => '---').join(' | ')} |`,
    ...rows.map((r) => `| ${r.join(' | ')} |`),
  ].join('\n');
}

function turnsSection(t: TurnsBenchResult, targets: TargetCheck[], startup?: StartupBenchResult): string {
  const out: string[] = [];
  out.push(
    `Embedded core with ${t.subscribers.count.toLocaleString('en-US')} subscribers` +
      (t.subscribers.count < t.subscribers.requested
        ? ` (${t.subscribers.requested.toLocaleString('en-US')} asked; the fast file seed of bench/charging could not be read by the current store, so they were imported through the core, which is slow: fewer were used)`
        : '') +
      `. Each conversation cycles through "what is my balance", "swap 2 facebook sessions for youtube" (the core quotes) and "yes" (the core executes the swap). ` +
      `The echo bot (bench/echo-bot) is the floor: same HTTP paths, same load generator (autocannon), same run. ` +
      `Each server runs in its own process; the load generator in a third. Product started (composeApp) in ${t.productStartMs} ms.`,
  );
  const paths = [...new Set(t.saturation.map((s) => s.path))];
  out.push(
    `\n### Saturation (closed loop, ${t.saturationSeconds} s counted per run after ${t.warmupSeconds} s of the same load)\n`,
  );
  out.push(
    'Each conversation sends its next message as soon as the reply arrives. Turns per second, then latency p50 / p99 in ms; median of runs with (min - max).\n',
  );
  const rows: string[][] = [];
  for (const path of paths) {
    for (const c of t.concurrency) {
      const rs = t.saturation.filter((s) => s.path === path && s.concurrency === c);
      const f = (sel: (r: (typeof rs)[number]) => number, d = 1) => fmt(spread(rs.map(sel)), d);
      rows.push([
        path,
        String(c),
        f((r) => r.product.turnsPerSecond),
        f((r) => r.echo.turnsPerSecond),
        `${f((r) => r.ratio * 100, 0)}%`,
        `${f((r) => r.product.p50Ms)} / ${f((r) => r.product.p99Ms)}`,
        `${f((r) => r.echo.p50Ms)} / ${f((r) => r.echo.p99Ms)}`,
        String(rs.reduce((n, r) => n + r.product.failures + r.product.unexpectedReplies, 0)),
      ]);
    }
  }
  out.push(
    table(
      [
        'path',
        'conversations',
        'product turns/s',
        'echo turns/s',
        'product / echo',
        'product p50 / p99 ms',
        'echo p50 / p99 ms',
        'product failed or unexpected',
      ],
      rows,
    ),
  );
  out.push(`\n### Steady load (open loop)\n`);
  out.push(
    `${t.openLoop.conversations} conversations sending ${t.openLoop.rate} turns per second in total, evenly spaced, for ${t.openLoop.seconds} s per run (one single-connection autocannon instance per 1/s slot, started 1/${t.openLoop.rate} s apart: autocannon's overallRate releases all requests of a second at once).\n`,
  );
  const srows: string[][] = [];
  for (const path of paths) {
    for (const target of ['product', 'echo'] as const) {
      const rs = t.steady.filter((s) => s.path === path && s.target === target).map((s) => s.result);
      srows.push([
        path,
        target,
        fmt(spread(rs.map((r) => r.turnsPerSecond))),
        fmt(spread(rs.map((r) => r.p50Ms))),
        fmt(spread(rs.map((r) => r.p90Ms))),
        fmt(spread(rs.map((r) => r.p99Ms))),
        String(rs.reduce((n, r) => n + r.failures + r.unexpectedReplies, 0)),
      ]);
    }
  }
  out.push(table(['path', 'bot', 'achieved turns/s', 'p50 ms', 'p90 ms', 'p99 ms', 'failed or unexpected'], srows));
  if (t.directLineCheck) {
    out.push(
      `\nDirect Line answers the POST once the turn is over; a check of ${t.directLineCheck.conversations} product conversation logs afterwards found a confirmed swap ("Done: ...") in ${t.directLineCheck.swapsConfirmed}.`,
    );
  }
  out.push(`\n### Memory (product process)\n`);
  out.push(
    table(
      ['', 'idle after start', 'peak under load', 'after load', 'lifetime peak (start-up included)'],
      [
        [
          'RSS',
          `${t.memory.idleRssMB} MB`,
          `${t.memory.underLoadPeakRssMB} MB`,
          `${t.memory.afterLoadRssMB} MB`,
          `${t.memory.lifetimePeakRssMB} MB`,
        ],
        [
          'V8 heap used',
          `${t.memory.idleHeapMB} MB`,
          `${t.memory.heapAtPeakMB} MB (at the RSS peak)`,
          `${t.memory.afterLoadLiveHeapMB} MB live (after a full GC)`,
          '',
        ],
        [
          'V8 heap reserved / outside the heap (Buffers)',
          '',
          `${t.memory.heapTotalAtPeakMB ?? '?'} MB / ${t.memory.externalAtPeakMB ?? '?'} MB (at the RSS peak)`,
          '',
          '',
        ],
      ],
    ),
  );
  for (const p of t.profiles ?? []) {
    out.push(`\n### Where time goes in a turn: CPU profile, ${p.path}\n`);
    out.push(
      `node:inspector Profiler in the product's process during a ${p.seconds} s saturation run (${p.path}, ${p.concurrency} conversations, ${p.turnsPerSecond} turns/s), 0.5 ms sampling. Busy ${p.busyMs} ms of ${p.wallMs} ms wall. Self time as a share of busy time; "V8 / native" is code without a script (JSON.stringify / parse and other builtins).\n`,
    );
    out.push(
      table(
        ['module', 'share', 'ms'],
        p.topModules.map((m) => [m.name, `${m.sharePct}%`, String(m.ms)]),
      ),
    );
    out.push('');
    out.push(
      table(
        ['function', 'share', 'ms'],
        p.topFunctions.map((m) => [`\`${m.name}\``, `${m.sharePct}%`, String(m.ms)]),
      ),
    );
  }
  const missed = targets.filter((x) => (x.benchmark === 'turns' || x.benchmark === 'memory') && x.met === false);
  if (missed.length > 0) {
    out.push(`\n### What limits us\n`);
    for (const path of paths) {
      const rs = t.steady.filter((x) => x.path === path && x.target === 'product').map((x) => x.result);
      const achieved = spread(rs.map((r) => r.turnsPerSecond)).median;
      const sat = spread(
        t.saturation
          .filter((x) => x.path === path && x.concurrency === Math.max(...t.concurrency))
          .map((x) => x.product.turnsPerSecond),
      ).median;
      if (Number.isFinite(achieved) && achieved < 0.9 * t.openLoop.rate) {
        out.push(
          `- ${path}: the steady load offers ${t.openLoop.rate} turns/s but the product completes ${achieved.toFixed(1)}/s (at saturation, ${Math.max(...t.concurrency)} conversations: ${sat.toFixed(1)}/s). Offered above capacity, requests queue, so the latency at the steady load is queueing time: the p99 target follows from the throughput one.`,
        );
      }
    }
    for (const path of paths) {
      const rs = t.steady.filter((x) => x.path === path && x.target === 'product').map((x) => x.result.turnsPerSecond);
      const first = rs[0] ?? Number.NaN;
      const last = rs.at(-1) ?? Number.NaN;
      if (rs.length > 1 && last < 0.7 * first) {
        out.push(
          `- ${path}: the product's throughput fell from ${first}/s to ${last}/s over ${rs.length} runs of the same steady load, as the same conversations kept talking: the cost of a turn grows with what the conversations and their subscribers have stored.`,
        );
      }
    }
    for (const path of paths) {
      const rs = t.steady.filter((x) => x.path === path && x.target === 'product').map((x) => x.result);
      const p99 = spread(rs.map((r) => r.p99Ms));
      const achieved = spread(rs.map((r) => r.turnsPerSecond)).median;
      if (rs.length > 0 && p99.median >= 100 && achieved >= 0.9 * t.openLoop.rate) {
        out.push(
          `- ${path}: at the steady load the product keeps up (${achieved.toFixed(1)} turns/s) and the median turn takes ${spread(rs.map((r) => r.p50Ms)).median.toFixed(1)} ms; the p99 (${fmt(p99)} ms over the runs) comes from a few slow turns, not from queueing. Which pauses they meet (collections, the stores' folds, a batch of other conversations' durable writes) is not traced yet.`,
        );
      }
    }
    if (t.concurrency.includes(1)) {
      out.push(
        `- At 1 conversation a turn is bound by latency, not CPU: it waits for its durable writes one after another (on Direct Line the visitor's message first; then the charging change of a swap, the dialog state and the handoff transcript, and on Direct Line the replies), each a journal file written and renamed before the next step may rely on it. The echo bot keeps no state: on /api/messages it writes nothing, on Direct Line only the log.`,
      );
    }
    for (const p of t.profiles ?? []) for (const line of limitsFromProfile(p)) out.push(`- ${line}`);
    if (startup) {
      const idle = (c: string) => spread(startup.runs.filter((r) => r.case === c).map((r) => r.idleRssMB)).median;
      const demo = idle('cached-model-demo');
      const big = idle('cached-model-100k');
      out.push(
        `- Memory: the product idles at ${Math.round(demo)} MB with the demo data (code of the frameworks, the NLU model) and at ${Math.round(big)} MB with ${startup.subscribers.count.toLocaleString('en-US')} subscribers: the charging store's records (kept as bytes, mostly outside the JS heap) and the core's index of them cost about ${Math.round(big - demo)} MB. Under load it peaks at ${t.memory.underLoadPeakRssMB} MB RSS: ${t.memory.heapTotalAtPeakMB ?? '?'} MB reserved by the V8 heap (${t.memory.heapAtPeakMB} MB of it in use, garbage included; ${t.memory.afterLoadLiveHeapMB} MB live after the load and a full collection), ${t.memory.externalAtPeakMB ?? '?'} MB of Buffers outside it (mostly the charging store's changed records and ledger lines waiting for their shard's fold), the rest code and native memory. Allocation is what drives it: bot state goes through JSON on every read and write at several hundred turns a second, and V8, sizing its heap to the machine (24 GB here), collects lazily. An operator short of memory can cap the heap (\`NODE_OPTIONS=--max-old-space-size=256\`), at the cost of more time collecting.`,
      );
    }
  }
  return out.join('\n');
}

function startupSection(s: StartupBenchResult, targets: TargetCheck[]): string {
  const cases = [...new Set(s.runs.map((r) => r.case))];
  const rows = cases.map((c) => {
    const rs = s.runs.filter((r) => r.case === c);
    return [c, fmt(spread(rs.map((r) => r.coldStartMs / 1000)), 2), fmt(spread(rs.map((r) => r.idleRssMB)), 0)];
  });
  const out = [
    `\`node dist/bot/main.js\` (what \`npm start\` runs) spawned on a prepared DATA_DIR, timed from spawn to the first 200 from \`GET /healthz\`; idle RSS 1 s later (/proc). The 100k case has ${s.subscribers.count.toLocaleString('en-US')} subscribers in the embedded core.\n`,
    table(['case', 'cold start s', 'idle RSS MB'], rows),
    '\nImporting the dependencies in a fresh process, one after the other, before any of our code runs (ms):\n',
    table(
      ['module', 'ms'],
      Object.entries(s.moduleLoadMs).map(([k, v]) => [k, String(v)]),
    ),
  ];
  if (targets.some((t) => t.benchmark === 'startup' && t.met === false)) {
    const total = s.moduleLoadMs.total ?? Number.NaN;
    const heaviest = Object.entries(s.moduleLoadMs)
      .filter(([k]) => k !== 'total')
      .sort((a, b) => b[1] - a[1])
      .slice(0, 3)
      .map(([k, v]) => `${k} ${v} ms`)
      .join(', ');
    out.push(
      `\n**What limits it:** loading code. Importing the dependencies alone takes ${total} ms here (heaviest: ${heaviest}); channels that are switched off (whatsapp-web.js, Slack's Bolt) are not loaded. Then the cached NLU model is read and, in the 100k case, the charging store reads its shard files and the core rebuilds its index of them.`,
    );
  }
  return out.join('\n');
}

function otherSection(o: OtherBench): string {
  const out: string[] = [`Source: \`${o.source}\`, ${o.runs} run(s), ${Math.round(o.seconds)} s. ${o.targetNote}\n`];
  if (!o.ok) {
    out.push(`**Failed:** ${o.error ?? 'unknown error'}`);
    return out.join('\n');
  }
  const rows = Object.entries(o.aggregate).map(([k, v]) => [k, typeof v === 'string' ? v : fmt(v, 2)]);
  out.push(table(['figure', 'median (min - max)'], rows));
  if (o.limits) out.push(`\n**What limits it:** ${o.limits}`);
  return out.join('\n');
}

export function renderReport(r: BenchReport): string {
  const m = r.machine;
  const out: string[] = [];
  out.push('# Performance report\n');
  out.push(
    `Generated by \`npm run bench${r.mode === 'quick' ? ' -- --quick' : ''}\` on ${r.generatedAt} in ${Math.round(r.seconds)} s (${r.mode} mode). Figures are the median of several runs with (min - max).\n`,
  );
  for (const x of r.reruns ?? []) {
    out.push(
      `Re-run on ${x.at} with \`npm run bench -- --only=${x.parts.join(',')}\`: ${x.parts.join(', ')} (the rest of the report is from the run above).\n`,
    );
  }
  out.push(
    table(
      ['cores', 'CPU', 'memory', 'Node', 'platform', 'load average (1 min) at start / end'],
      [
        [
          String(m.cores),
          m.cpuModel,
          `${m.memoryMB} MB`,
          m.node,
          m.platform,
          `${m.loadAverageStart.toFixed(1)} / ${m.loadAverageEnd.toFixed(1)}`,
        ],
      ],
    ),
  );
  if (Math.max(m.loadAverageStart, m.loadAverageEnd) > m.cores) {
    out.push(
      `\n> The machine was shared and loaded while this ran (load average above its ${m.cores} cores): other processes held CPU, so every figure here is pessimistic, the echo bot's as much as ours.`,
    );
  }
  out.push('\n## Targets\n');
  out.push(
    table(
      ['benchmark', 'what', 'target', 'measured', 'status'],
      r.targets.map((t) => [t.benchmark, t.what, t.target, `${fmt(t.measured)} ${t.unit}`.trim(), mark(t.met)]),
    ),
  );
  out.push('\n## Turns: real dialogs against the floor\n');
  if (r.turns?.result) out.push(turnsSection(r.turns.result, r.targets, r.startup?.result));
  else out.push(`**Failed:** ${r.turns?.error ?? 'not run'}`);
  out.push('\n## Cold start and idle memory\n');
  if (r.startup?.result) out.push(startupSection(r.startup.result, r.targets));
  else out.push(`**Failed:** ${r.startup?.error ?? 'not run'}`);
  for (const o of Object.values(r.others)) {
    out.push(`\n## ${o.title}\n`);
    out.push(otherSection(o));
  }
  const missed = r.targets.filter((t) => t.met === false);
  if (missed.length > 0) {
    out.push('\n## Missed targets\n');
    for (const t of missed) out.push(`- ${t.benchmark}: ${t.what}: ${fmt(t.measured)} ${t.unit}, target ${t.target}.`);
  }
  return `${out.join('\n')}\n`;
}
