/**
 * LowdbStorage's write-ahead journal: what a crash (SIGKILL) leaves on disk is the live directory as it is at
 * that instant. These tests copy the live directory (without its LOCK, as a dead process leaves it) at chosen
 * moments and open the copy.
 */
import { cpSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import type { StoreItems } from 'botbuilder';
import { expect } from 'chai';
import { LowdbStorage } from '../../../adapters/store/lowdb/lowdb-storage.js';
import { storageJournalSeq } from '../../../adapters/store/lowdb/storage-journal.js';
import { tempDir } from '../../helpers/temp-dir.js';

/** The directory as a SIGKILL would leave it: every file as it is now, no LOCK (its owner is gone). */
function crashCopy(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (src) => basename(src) !== 'LOCK' });
}

const journalFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => storageJournalSeq(f) !== null)
    .sort();

const keys = Array.from({ length: 40 }, (_, i) => `conversation/${i}`);

/** Writes in several batches: creates, overwrites and deletes; returns every key's expected item. */
async function history(storage: LowdbStorage): Promise<StoreItems> {
  await storage.write(Object.fromEntries(keys.map((k, i) => [k, { v: 1, i, log: [k] }])));
  const current = await storage.read(keys.slice(0, 10));
  await storage.write(
    Object.fromEntries(keys.slice(0, 10).map((k) => [k, { ...current[k], v: 2, log: [k, 'second'] }])),
  );
  await storage.delete(keys.slice(30));
  await storage.write({ [keys[0]!]: { v: 3, eTag: '*' } });
  return storage.read(keys);
}

describe('LowdbStorage journal', () => {
  let dir: ReturnType<typeof tempDir>;
  const open: LowdbStorage[] = [];
  const make = (path: string, opts: { idleFoldMs?: number; foldAfterBytes?: number } = {}) => {
    const s = new LowdbStorage({ dir: path, shards: 8, idleFoldMs: 0, ...opts });
    open.push(s);
    return s;
  };
  beforeEach(() => {
    dir = tempDir('lowdb-journal-');
  });
  afterEach(async () => {
    for (const s of open.splice(0)) await s.close();
    dir.remove();
  });

  it('keeps every acknowledged write in a copy taken between the journal write and its fold', async () => {
    const live = make(join(dir.path, 'live'));
    const expected = await history(live);
    expect(Object.keys(expected)).to.have.length(30);
    // Nothing folded yet: the data is only in the journal.
    expect(journalFiles(join(dir.path, 'live')).length).to.be.greaterThan(0);
    expect(readdirSync(join(dir.path, 'live')).filter((f) => /^storage-\d+\.json$/.test(f))).to.deep.equal([]);

    crashCopy(join(dir.path, 'live'), join(dir.path, 'crashed'));
    const reopened = make(join(dir.path, 'crashed'));
    expect(await reopened.read(keys)).to.deep.equal(expected);
    // eTags survive exactly: a stale one is still refused, the current one accepted.
    const k = keys[1]!;
    await reopened.write({ [k]: { v: 9, eTag: expected[k].eTag } });
    let error: unknown;
    try {
      await reopened.write({ [k]: { v: 10, eTag: expected[k].eTag } });
    } catch (e) {
      error = e;
    }
    expect(error).to.be.instanceOf(Error);
  });

  it('replays idempotently: journal files left behind after their fold change nothing', async () => {
    const live = make(join(dir.path, 'live'));
    const expected = await history(live);
    const liveJournal = join(dir.path, 'live');
    const saved = journalFiles(join(dir.path, 'live')).map((f) => ({ f, text: readFileSync(join(liveJournal, f)) }));
    expect(saved.length).to.be.greaterThan(1);
    await live.close(); // folds everything and deletes the journal
    open.splice(open.indexOf(live), 1);
    expect(journalFiles(join(dir.path, 'live'))).to.deep.equal([]);

    // A crash after the folds but before the deletions: the older batches come back (they hold older values
    // of overwritten keys and the keys deleted later). They must not be applied again.
    for (const { f, text } of saved.slice(0, -1)) writeFileSync(join(liveJournal, f), text);
    const first = make(join(dir.path, 'live'));
    expect(await first.read(keys)).to.deep.equal(expected);
    // Every leftover file was recognised as folded and removed at load.
    expect(journalFiles(join(dir.path, 'live'))).to.deep.equal([]);
    await first.close();
    open.splice(open.indexOf(first), 1);

    // Replaying the same unfolded journal twice (two crashes in a row) gives the same state both times.
    const live2 = make(join(dir.path, 'live2'));
    const expected2 = await history(live2);
    crashCopy(join(dir.path, 'live2'), join(dir.path, 'once'));
    const once = make(join(dir.path, 'once'));
    expect(await once.read(keys)).to.deep.equal(expected2);
    crashCopy(join(dir.path, 'once'), join(dir.path, 'twice'));
    const twice = make(join(dir.path, 'twice'));
    expect(await twice.read(keys)).to.deep.equal(expected2);
  });

  it('ignores and removes torn temp files of writes a crash interrupted', async () => {
    const live = make(join(dir.path, 'live'));
    const expected = await history(live);
    const crashed = join(dir.path, 'crashed');
    crashCopy(join(dir.path, 'live'), crashed);
    const next = journalFiles(crashed).length + 1;
    const tornJournal = join(crashed, `.journal-${String(next).padStart(12, '0')}.json.tmp`);
    writeFileSync(tornJournal, `{"seq":${next},"items":{"${keys[0]}":{"v":99,"eTa`);
    const tornShard = join(crashed, '.storage-0003.json.tmp');
    writeFileSync(tornShard, '{"through":1,"items":{"x":');

    const reopened = make(crashed);
    expect(await reopened.read(keys)).to.deep.equal(expected);
    expect(existsSync(tornJournal)).to.equal(false);
    expect(existsSync(tornShard)).to.equal(false);
    // The next batch takes the sequence number the torn write never got, and is replayed after a crash.
    await reopened.write({ [keys[0]!]: { v: 4 } });
    const after = (await reopened.read([keys[0]!]))[keys[0]!];
    crashCopy(crashed, join(dir.path, 'again'));
    expect((await make(join(dir.path, 'again')).read([keys[0]!]))[keys[0]!]).to.deep.equal(after);
  });

  it('folds the journal into shard files while writing and when idle, then deletes the folded journal', async () => {
    const path = join(dir.path, 'live');
    // A tiny threshold: every journal write also folds shards, at batch boundaries; idle folds do the rest.
    const live = make(path, { foldAfterBytes: 200, idleFoldMs: 5 });
    const expected = await history(live);
    // No timing asserted: wait until the folds have emptied the journal.
    while (journalFiles(path).length > 0) await new Promise((r) => setTimeout(r, 5));
    const shard = JSON.parse(readFileSync(join(path, 'storage-0000.json'), 'utf8')) as { through: number };
    expect(shard.through).to.be.a('number').greaterThan(0);
    crashCopy(path, join(dir.path, 'folded'));
    expect(await make(join(dir.path, 'folded')).read(keys)).to.deep.equal(expected);
    // Writes after the folds go to the journal again, on top of the folded shards.
    await live.write({ [keys[5]!]: { v: 7 } });
    crashCopy(path, join(dir.path, 'later'));
    expect((await make(join(dir.path, 'later')).read([keys[5]!]))[keys[5]!].v).to.equal(7);
  });

  it('reads shard files written before the journal existed (no `through`)', async () => {
    const path = join(dir.path, 'legacy');
    const s = make(path);
    await s.write({ a: { n: 1 } });
    await s.close();
    open.splice(open.indexOf(s), 1);
    for (const f of readdirSync(path).filter((n) => /^storage-\d+\.json$/.test(n))) {
      const file = JSON.parse(readFileSync(join(path, f), 'utf8')) as { items: unknown };
      writeFileSync(join(path, f), JSON.stringify({ items: file.items }));
    }
    const again = make(path);
    expect((await again.read(['a'])).a.n).to.equal(1);
    await again.write({ b: { n: 2 } });
    crashCopy(path, join(dir.path, 'crashed'));
    expect(Object.keys(await make(join(dir.path, 'crashed')).read(['a', 'b'])).sort()).to.deep.equal(['a', 'b']);
  });
});
