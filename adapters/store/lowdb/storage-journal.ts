import { join } from 'node:path';

/**
 * On-disk format of `LowdbStorage`'s write-ahead journal (the shard files keep their `{ items }` shape, plus
 * `through`). Every file is JSON written whole to a temp file (`.<name>.tmp`, steno) and renamed.
 */

/** `<dir>/storage-NNNN.json`: the items of one shard as of journal batch `through` (absent in older files: 0). */
export interface StorageShardFile {
  through?: number;
  items: Record<string, unknown>;
}

/** `<dir>/journal-<seq:12>.json`: one write batch, the items it wrote (whole) and the keys it deleted. */
export interface StorageJournalFile {
  seq: number;
  items: Record<string, unknown>;
  deleted: string[];
}

/**
 * Journal files sit beside the shard files (one flat directory of JSON files, as before the journal existed),
 * named so that the legacy shard-count rule (files `storage*.json`) never mistakes one for a shard.
 */
export const storageJournalPath = (dir: string, seq: number) =>
  join(dir, `journal-${String(seq).padStart(12, '0')}.json`);

/** Journal files are named by their sequence number; anything else in the folder (temp files) is not one. */
export function storageJournalSeq(fileName: string): number | null {
  const m = /^journal-(\d{12})\.json$/.exec(fileName);
  return m ? Number(m[1]) : null;
}

/** Temp files of steno writes a crash interrupted: their rename never happened, so nothing refers to them. */
export const isTornTempFile = (fileName: string) => fileName.startsWith('.') && fileName.endsWith('.tmp');
