import { open, readFile } from 'node:fs/promises';
import type { LedgerEntry } from '../../../charging/model.js';
import { type LedgerPosition, segmentPath } from './charging-store-format.js';

/**
 * Where `lines` (JSON lines of ledger entries, oldest first) will end once appended at `from`, and which slice of
 * them goes into which segment: each segment holds at most `segmentSize` lines. Pure, so the shard file that
 * commits the new position can be written knowing it before the append happens.
 */
export function planAppend(
  from: LedgerPosition,
  lines: string[],
  segmentSize: number,
): { to: LedgerPosition; chunks: { segment: number; offset: number; text: string }[] } {
  const chunks: { segment: number; offset: number; text: string }[] = [];
  let { segment, lines: count, bytes } = from;
  let i = 0;
  while (i < lines.length) {
    if (count >= segmentSize) {
      segment++;
      count = 0;
      bytes = 0;
    }
    const take = lines.slice(i, i + (segmentSize - count));
    const text = `${take.join('\n')}\n`;
    chunks.push({ segment, offset: bytes, text });
    i += take.length;
    count += take.length;
    bytes += Buffer.byteLength(text);
  }
  return { to: { segment, lines: count, bytes }, chunks };
}

/**
 * Writes planned chunks. Each one first cuts its segment back to `offset` (the committed length: bytes past it
 * are a torn or uncommitted append from before a crash), then writes at `offset`. Nothing before `offset` is
 * ever touched, so readers of committed data never race with this.
 */
export async function appendChunks(
  dir: string,
  shard: number,
  chunks: { segment: number; offset: number; text: string }[],
): Promise<void> {
  for (const c of chunks) {
    const fh = await open(segmentPath(dir, shard, c.segment), c.offset === 0 ? 'w' : 'r+');
    try {
      if (c.offset > 0) await fh.truncate(c.offset);
      const buf = Buffer.from(c.text);
      await fh.write(buf, 0, buf.length, c.offset);
    } finally {
      await fh.close();
    }
  }
}

/** The committed ledger entries of one shard up to `until` that belong to `msisdn`, oldest first. */
export async function readCommitted(
  dir: string,
  shard: number,
  until: LedgerPosition,
  msisdn: string,
): Promise<LedgerEntry[]> {
  const out: LedgerEntry[] = [];
  const needle = `"msisdn":${JSON.stringify(msisdn)}`;
  for (let seg = 0; seg <= until.segment; seg++) {
    if (seg === until.segment && until.bytes === 0) break;
    const buf = await readFile(segmentPath(dir, shard, seg));
    const text = (seg === until.segment ? buf.subarray(0, until.bytes) : buf).toString('utf8');
    for (const line of text.split('\n')) {
      if (line.length > 0 && line.includes(needle)) out.push(JSON.parse(line) as LedgerEntry);
    }
  }
  return out;
}
