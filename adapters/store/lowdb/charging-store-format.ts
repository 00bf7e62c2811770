import { join } from 'node:path';

/**
 * On-disk format of the lowdb charging store (see README.md beside this file). Shard and journal files are
 * written whole to a temp file and renamed; ledger segments are appended to and trusted only up to the length
 * their shard file records.
 *
 * Shard and journal files are text, one item a line, so that a load can index records without parsing them:
 * the first line is a JSON header, then
 * - a record line is `<msisdn> TAB <digest> TAB <record JSON>` (the digest is the core's compact index of the
 *   record, `RecordIndexer` in charging/store.ts; empty when unknown). JSON text never holds a raw TAB or
 *   newline (JSON.stringify escapes both), so the separators are unambiguous;
 * - in a journal, record lines are prefixed `R TAB`, and ledger lines are `L TAB <msisdn> TAB <entry JSON>`.
 */
export const FORMAT_VERSION = 3;

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

/** First line of `<dir>/shard-NNNN.txt`; its record lines follow, as of journal batch `through`. */
export interface ShardHeader {
  version: typeof FORMAT_VERSION;
  /** Every journal batch with seq <= through is folded into this file and its ledger segments. */
  through: number;
  ledger: LedgerPosition;
}

/** First line of `<dir>/journal/<seq>.txt`: one commit batch; the records it changed (whole) and new ledger lines follow. */
export interface JournalHeader {
  version: typeof FORMAT_VERSION;
  seq: number;
}

export const JOURNAL_DIR = 'journal';
export const LEDGER_DIR = 'ledger';
export const TAB = '\t';
/** Journal line prefixes. */
export const RECORD_LINE = 'R\t';
export const LEDGER_LINE = 'L\t';

export const metaPath = (dir: string) => join(dir, 'meta.json');

export const shardPath = (dir: string, shard: number) => join(dir, `shard-${String(shard).padStart(4, '0')}.txt`);

export const journalPath = (dir: string, seq: number) => join(dir, JOURNAL_DIR, `${String(seq).padStart(12, '0')}.txt`);

/** Journal files are named by their sequence number; anything else in the folder (temp files) is not one. */
export function journalSeq(fileName: string): number | null {
  const m = /^(\d{12})\.txt$/.exec(fileName);
  return m ? Number(m[1]) : null;
}

export const segmentPath = (dir: string, shard: number, segment: number) =>
  join(dir, LEDGER_DIR, `shard-${String(shard).padStart(4, '0')}-${String(segment).padStart(6, '0')}.jsonl`);

export const EMPTY_POSITION: LedgerPosition = { segment: 0, lines: 0, bytes: 0 };

/** A record line: `<msisdn> TAB <digest> TAB <record JSON>`. */
export function recordLine(msisdn: string, digest: string, json: string): string {
  return `${msisdn}\t${digest}\t${json}`;
}

/** The record JSON of a record line. */
export function recordJson(line: string): string {
  return line.slice(line.indexOf(TAB, line.indexOf(TAB) + 1) + 1);
}

/** The digest of a record line. */
export function recordDigest(line: string): string {
  const a = line.indexOf(TAB);
  return line.slice(a + 1, line.indexOf(TAB, a + 1));
}

/**
 * Calls `fn` with each non-empty line of `buf` (LF-separated) and the byte offsets of its start and end. Each
 * line is decoded on its own, so a string kept from it does not pin the whole file's text in memory (a slice of
 * one big string would).
 */
export function eachLine(buf: Buffer, fn: (start: number, end: number) => void): void {
  let start = 0;
  while (start < buf.length) {
    let end = buf.indexOf(10, start);
    if (end < 0) end = buf.length;
    if (end > start) fn(start, end);
    start = end + 1;
  }
}
