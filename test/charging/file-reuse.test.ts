import { readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { journalSeq, shardPath } from '../../adapters/store/lowdb/charging-store-format.js';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import { type ChargingCore, createChargingCore } from '../../charging/core.js';
import { DEMO_SUBSCRIBERS, seedDemo } from '../../charging/demo.js';
import type { Result } from '../../charging/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

const ANA = '+15550100001';

/** Waits until `check` holds (folds and retirements finish in the background). */
async function until(check: () => boolean, what: string): Promise<void> {
  const deadline = Date.now() + 5000;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Creating and deleting hundreds of files a second is what costs ext4 most (each new inode is searched for past
 * recently deleted ones): the store writes its files again instead. Inode numbers survive renames, so they show
 * which file is which.
 */
describe('lowdb charging store: files written again rather than created', () => {
  let tmp: { path: string; remove: () => void };
  let core: ChargingCore | undefined;
  beforeEach(() => {
    tmp = tempDir('charging-reuse-');
  });
  afterEach(async () => {
    await core?.close();
    core = undefined;
    tmp.remove();
  });

  it('once warmed up, journal writes and folds create no file: they write again the ones they retired', async () => {
    const dir = join(tmp.path, 'store');
    const started = Date.now();
    // One shard: every change touches it. A fold after every journal write, and when idle.
    core = createChargingCore({
      store: createLowdbChargingStore({ dir, shards: 1, foldAfterBytes: 1, idleFoldMs: 5 }),
    });
    await seedDemo(core);
    const journal = join(dir, 'journal');
    const unfolded = () => readdirSync(journal).filter((f) => journalSeq(f) !== null).length;
    let warm = 0;
    for (let i = 0; i < 40; i++) {
      if (i === 5) {
        await new Promise((r) => setTimeout(r, 20));
        warm = Date.now();
        await new Promise((r) => setTimeout(r, 20));
      }
      value(await core.topUp(ANA, { amount: 1 }, { idempotencyKey: `reuse-${i}` }));
      await until(() => unfolded() === 0, `fold ${i}`);
    }
    // Birth times survive renames and rewrites: every file there was created in the first rounds.
    const born = (path: string) => statSync(path).birthtimeMs;
    const all = [
      ...readdirSync(dir).map((f) => join(dir, f)),
      ...readdirSync(journal).map((f) => join(journal, f)),
    ].filter((p) => statSync(p).isFile() && !p.endsWith('LOCK'));
    expect(all).to.include(shardPath(dir, 0));
    expect(all.filter((p) => p.includes('.spare-'))).to.not.be.empty;
    for (const p of all) {
      expect(born(p), p).to.be.at.least(started - 1000); // the file system records birth times
      expect(born(p), p).to.be.below(warm);
    }

    // And nothing is lost: a restart sees every top-up.
    const balance = value(await core.getSubscriber(ANA)).account.balance.amount;
    await core.close();
    core = createChargingCore({ store: createLowdbChargingStore({ dir, shards: 1 }) });
    expect(value(await core.getSubscriber(ANA)).account.balance.amount).to.equal(balance);
    for (const d of DEMO_SUBSCRIBERS) value(await core.getSubscriber(d.msisdn));
    // Spares and temp files are dot-files; a load removes them.
    expect(readdirSync(journal).filter((f) => f.startsWith('.'))).to.deep.equal([]);
    expect(readdirSync(dir).filter((f) => f.startsWith('.'))).to.deep.equal([]);
  });
});
