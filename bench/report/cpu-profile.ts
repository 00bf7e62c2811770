/**
 * Summarises a V8 CPU profile (`.cpuprofile`, from node:inspector's Profiler) as where the time goes: self time
 * per function and per module (an npm package, a folder of ours, Node's internals, the garbage collector), as a
 * share of the time the process was not idle.
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface ProfileShare {
  name: string;
  /** Percent of busy (non-idle) time. */
  sharePct: number;
  ms: number;
}

export interface ProfileSummary {
  /** Profiled wall time. */
  wallMs: number;
  /** Time the thread was busy (everything but "(idle)"). */
  busyMs: number;
  topFunctions: ProfileShare[];
  topModules: ProfileShare[];
}

/** Which module a frame belongs to: npm package, our folder (two levels), Node internals, or V8 itself. */
export function moduleOf(url: string, functionName: string): string {
  if (!url) {
    if (functionName === '(garbage collector)') return 'V8 garbage collector';
    if (functionName === '(program)') return 'V8 / native (program)';
    if (functionName === '(idle)') return '(idle)';
    return 'V8 / native';
  }
  if (url.startsWith('node:')) {
    const m = /^node:(?:internal\/)?([^/]+)/.exec(url);
    return `node:${m?.[1] ?? url.slice(5)}`;
  }
  const path = url.replace(/^file:\/\//, '');
  const nm = path.lastIndexOf('/node_modules/');
  if (nm >= 0) {
    const rest = path.slice(nm + '/node_modules/'.length).split('/');
    return rest[0]?.startsWith('@') ? `${rest[0]}/${rest[1]}` : (rest[0] ?? path);
  }
  const ours = /\/(?:dist\/)?(bot|dialogs|nlu|adapters|charging|bench)\/(.*)$/.exec(path);
  if (ours) {
    const parts = (ours[2] ?? '').split('/');
    // adapters/store/lowdb, adapters/channels/webchat: the third level names the part; elsewhere the folder does.
    const depth = ours[1] === 'adapters' ? 2 : 0;
    return [ours[1], ...parts.slice(0, depth)].filter(Boolean).join('/');
  }
  return path.split('/').slice(-2).join('/');
}

function label(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const file = url
    ? url
        .replace(/^file:\/\//, '')
        .split('/')
        .slice(-2)
        .join('/')
    : '';
  return file ? `${functionName || '(anonymous)'} (${file}:${lineNumber + 1})` : functionName || '(anonymous)';
}

function top(map: Map<string, number>, busy: number, n: number): ProfileShare[] {
  return [...map.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, n)
    .map(([name, us]) => ({
      name,
      sharePct: Math.round((us / busy) * 1000) / 10,
      ms: Math.round(us / 100) / 10,
    }));
}

export function summariseProfile(profile: CpuProfile, topN = 15): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  // Self time per node in microseconds: each sample's time delta belongs to the node it landed in.
  const self = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  for (let i = 0; i < samples.length; i++) {
    const id = samples[i] as number;
    // timeDeltas[i] is the time since the previous sample: it belongs to the previous sample's node.
    const us = deltas[i + 1] ?? 0;
    self.set(id, (self.get(id) ?? 0) + Math.max(0, us));
  }
  const functions = new Map<string, number>();
  const modules = new Map<string, number>();
  let idle = 0;
  let total = 0;
  for (const [id, us] of self) {
    const node = byId.get(id);
    if (!node) continue;
    total += us;
    const mod = moduleOf(node.callFrame.url, node.callFrame.functionName);
    if (mod === '(idle)') {
      idle += us;
      continue;
    }
    functions.set(label(node), (functions.get(label(node)) ?? 0) + us);
    modules.set(mod, (modules.get(mod) ?? 0) + us);
  }
  const busy = Math.max(1, total - idle);
  return {
    wallMs: Math.round((profile.endTime - profile.startTime) / 1000),
    busyMs: Math.round(busy / 1000),
    topFunctions: top(functions, busy, topN),
    topModules: top(modules, busy, topN),
  };
}

export function summariseProfileFile(file: string, topN = 15): ProfileSummary {
  return summariseProfile(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, topN);
}
