import { getHeapSpaceStatistics } from 'node:v8';

function youngBytesInUse(): number {
  return getHeapSpaceStatistics().find((s) => s.space_name === 'new_space')?.space_used_size ?? 0;
}

/**
 * At most this much garbage is made: three times the largest young generation of Node 20's defaults (2 x 16 MB),
 * room for two collections whatever its size.
 */
const MAX_GARBAGE_BYTES = 96 * 1024 * 1024;
const CHUNK = 64 * 1024;

/**
 * Moves what a load left in V8's young generation to the old generation before any traffic, by making
 * short-lived garbage until the young generation has been emptied twice (by young or full collections).
 *
 * Why: a load builds long-lived indexes (an entry per subscriber), and what it built last is still young when
 * it ends. A young collection copies what is live, and promotes it at the next one: under traffic, the first
 * two copied 4-5 MB each, pauses of 5-9 ms in the first second of the charging bench (100,000 subscribers),
 * against 1.5-3 ms later. Made here, with nothing else waiting, they cost the start that much (a few ms, in
 * slices: `pause` yields to the event loop). Gives up after MAX_GARBAGE_BYTES: a collector that behaves
 * otherwise only loses the benefit.
 */
export async function settleYoungGeneration(pause: () => Promise<void>): Promise<void> {
  let collections = 0;
  let last = youngBytesInUse();
  let sink: unknown[] = [];
  for (let made = 0; collections < 2 && made < MAX_GARBAGE_BYTES; made += CHUNK) {
    // About CHUNK bytes of arrays dropped right away.
    sink = [];
    for (let i = 0; i < CHUNK / 64; i++) sink.push(new Array(12));
    const used = youngBytesInUse();
    if (used < last) collections++;
    last = used;
    await pause();
  }
  sink.length = 0;
}
