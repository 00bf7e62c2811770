import { join } from 'node:path';
import type { LedgerEntry } from '../../../charging/model.js';
import type { AccountRecord } from '../../../charging/store.js';

/**
 * On-disk format of the lowdb charging store (see README.md beside this file). Every file is JSON written
 * whole to a temp file and renamed, except ledger segments, which are appended to and trusted only up to the
 * length their shard file records.
 */
export const FORMAT_VERSION = 2;

/** `<dir>/meta.json`: fixed for the life of a directory. */
export interface MetaFile {
  version: typeof FORMAT_VERSION;
  shards: number;
  /** Ledger lines per segment file. */
  segmentSize: number;
}

/** Where a shard's ledger ends: segment number, and the lines and bytes of that segment that are committed. */
export interface LedgerPosition {
  segment: number;
  lines: number;
  bytes: number;
}

/** `<dir>/shard-NNNN.json`: the records of one shard as of journal batch `through`. */
export interface ShardFile {
  version: typeof FORMAT_VERSION;
  /** Every journal batch with seq <= through is folded into this file and its ledger segments. */
  through: number;
  ledger: LedgerPosition;
  records: AccountRecord[];
}

/** `<dir>/journal/<seq>.json`: one commit batch, the records it changed (whole) and its new ledger entries. */
export interface JournalFile {
  version: typeof FORMAT_VERSION;
  seq: number;
  records: AccountRecord[];
  ledger: LedgerEntry[];
}

export const JOURNAL_DIR = 'journal';
export const LEDGER_DIR = 'ledger';

export const metaPath = (dir: string) => join(dir, 'meta.json');

export const shardPath = (dir: string, shard: number) => join(dir, `shard-${String(shard).padStart(4, '0')}.json`);

export const journalPath = (dir: string, seq: number) =>
  join(dir, JOURNAL_DIR, `${String(seq).padStart(12, '0')}.json`);

/** Journal files are named by their sequence number; anything else in the folder (temp files) is not one. */
export function journalSeq(fileName: string): number | null {
  const m = /^(\d{12})\.json$/.exec(fileName);
  return m ? Number(m[1]) : null;
}

export const segmentPath = (dir: string, shard: number, segment: number) =>
  join(dir, LEDGER_DIR, `shard-${String(shard).padStart(4, '0')}-${String(segment).padStart(6, '0')}.jsonl`);

export const EMPTY_POSITION: LedgerPosition = { segment: 0, lines: 0, bytes: 0 };
