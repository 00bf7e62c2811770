import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { AccountRecord } from '../../../charging/store.js';
import {
  EMPTY_POSITION,
  FORMAT_VERSION,
  JOURNAL_DIR,
  LEDGER_DIR,
  type LedgerPosition,
  type MetaFile,
  metaPath,
  recordLine,
  type ShardHeader,
  segmentPath,
  shardPath,
} from './charging-store-format.js';
import { planAppend } from './ledger-segments.js';
import { shardOf } from './shard-of.js';

/**
 * Writes a whole charging store directory at once, in the store's own format (shard files, ledger segments,
 * meta.json, an empty journal), from records that carry their full ledger in `record.ledger`. For benchmarks,
 * migrations and tools: far faster than calling the core once per subscriber. The directory must not hold a
 * store already.
 *
 * `digest` is the core's index digest of a record (`chargingRecordDigest` in charging/core.ts): without it the
 * first load digests every record itself (correct, only slower).
 */
export function writeChargingStoreDir(
  dir: string,
  records: Iterable<AccountRecord>,
  opts: { shards?: number; segmentSize?: number; digest?: (record: AccountRecord) => string } = {},
): void {
  if (existsSync(metaPath(dir))) throw new Error(`${dir} already holds a charging store`);
  const meta: MetaFile = {
    version: FORMAT_VERSION,
    shards: opts.shards ?? 1024,
    segmentSize: opts.segmentSize ?? 4096,
  };
  mkdirSync(join(dir, JOURNAL_DIR), { recursive: true });
  mkdirSync(join(dir, LEDGER_DIR), { recursive: true });
  const shardRecords: string[][] = Array.from({ length: meta.shards }, () => []);
  const shardLedger: string[][] = Array.from({ length: meta.shards }, () => []);
  for (const rec of records) {
    const m = rec.subscriber.msisdn;
    const k = shardOf(m, meta.shards);
    for (const e of rec.ledger) shardLedger[k]!.push(JSON.stringify(e));
    const atRest: AccountRecord = { ...rec, ledger: [] };
    shardRecords[k]!.push(recordLine(m, opts.digest?.(atRest) ?? '', JSON.stringify(atRest)));
  }
  for (let k = 0; k < meta.shards; k++) {
    let position: LedgerPosition = EMPTY_POSITION;
    if (shardLedger[k]!.length > 0) {
      const plan = planAppend(EMPTY_POSITION, shardLedger[k]!, meta.segmentSize);
      for (const c of plan.chunks) writeFileSync(segmentPath(dir, k, c.segment), c.text);
      position = plan.to;
    }
    const header: ShardHeader = { version: FORMAT_VERSION, through: 0, ledger: position };
    writeFileSync(shardPath(dir, k), [JSON.stringify(header), ...shardRecords[k]!, ''].join('\n'));
  }
  writeFileSync(metaPath(dir), JSON.stringify(meta));
}
