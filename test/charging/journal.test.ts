import { appendFileSync, cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { segmentPath, shardPath } from '../../adapters/store/lowdb/charging-store-format.js';
import { createLowdbChargingStore, type LowdbChargingStoreOptions } from '../../adapters/store/lowdb/charging-store.js';
import { shardOf } from '../../adapters/store/lowdb/shard-of.js';
import { type ChargingCore, createChargingCore } from '../../charging/core.js';
import { DEMO_SUBSCRIBERS, seedDemo } from '../../charging/demo.js';
import type { Result } from '../../charging/errors.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ledgerMismatches } from './ledger-check.js';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

const ANA = '+15550100001';
const SHARDS = 4;
const SEGMENT = 10;
/** Nothing folds on its own: the journal holds every change until close(). */
const journalOnly = (dir: string): LowdbChargingStoreOptions => ({
  dir,
  shards: SHARDS,
  segmentSize: SEGMENT,
  foldAfterBytes: 1e12,
  idleFoldMs: 0,
});

const open = (dir: string) => createChargingCore({ store: createLowdbChargingStore(journalOnly(dir)) });

/**
 * A crash image: the directory copied while its owner is alive but quiescent (every write acknowledged,
 * nothing in flight), without the owner's LOCK. Loading it is what a restart after SIGKILL at that moment sees.
 */
function crashImage(from: string, to: string): void {
  cpSync(from, to, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
}

/** Everything a restart must bring back: each demo subscriber and their whole ledger. */
async function state(core: ChargingCore): Promise<string> {
  const out: unknown[] = [];
  for (const d of DEMO_SUBSCRIBERS) {
    const sub = value(await core.getSubscriber(d.msisdn));
    const ledger = value(await core.fullLedger(d.msisdn));
    expect(ledgerMismatches(sub, ledger)).to.deep.equal([]);
    expect(new Set(ledger.map((e) => e.id)).size).to.equal(ledger.length);
    out.push({ sub, ledger });
  }
  return JSON.stringify(out);
}

const files = (dir: string, sub = '') => readdirSync(join(dir, sub)).filter((f) => !f.startsWith('.'));

describe('lowdb charging store: journal and fold', () => {
  let tmp: { path: string; remove: () => void };
  let live: ChargingCore | undefined;
  let journalImage: string;
  let topUps: Result<unknown>[];

  beforeEach(async () => {
    tmp = tempDir('charging-journal-');
    const dir = join(tmp.path, 'live');
    live = open(dir);
    await seedDemo(live);
    topUps = await Promise.all(
      Array.from({ length: 40 }, (_, i) => live!.topUp(ANA, { amount: 1 }, { idempotencyKey: `t-${i}` })),
    );
    value(await live.chargeUsage(ANA, { app: 'facebook', quantity: 3 }, { idempotencyKey: 'u-1' }));
    journalImage = join(tmp.path, 'journal-image');
    crashImage(dir, journalImage);
  });
  afterEach(async () => {
    await live?.close();
    live = undefined;
    tmp.remove();
  });

  it('a crash between journal write and fold: every acknowledged mutation is replayed from the journal', async () => {
    expect(files(journalImage).filter((f) => f.startsWith('shard-'))).to.deep.equal([]);
    expect(files(journalImage, 'journal').length).to.be.greaterThan(0);
    const expected = await state(live!);
    const restarted = open(journalImage);
    expect(await state(restarted)).to.equal(expected);
    // Idempotency records came back too: a repeat answers as the first time and changes nothing.
    const again = await restarted.topUp(ANA, { amount: 1 }, { idempotencyKey: 't-0' });
    expect(again).to.deep.equal(topUps[0]);
    expect(value(await restarted.getSubscriber(ANA)).account.balance.amount).to.equal(540);
    await restarted.close();
  });

  it('a crash after a fold but before its journal files were deleted: nothing is applied twice', async () => {
    const expected = await state(live!);
    const liveDir = join(tmp.path, 'live');
    await live!.close(); // folds everything and deletes the journal
    live = undefined;
    expect(files(liveDir, 'journal')).to.deep.equal([]);
    for (const f of files(liveDir, 'ledger')) {
      const lines = readFileSync(join(liveDir, 'ledger', f), 'utf8')
        .split('\n')
        .filter(Boolean);
      expect(lines.length).to.be.at.most(SEGMENT); // the ledger is bounded per file
    }
    const both = join(tmp.path, 'folded-plus-journal');
    crashImage(liveDir, both);
    cpSync(join(journalImage, 'journal'), join(both, 'journal'), { recursive: true });
    const restarted = open(both);
    expect(await state(restarted)).to.equal(expected);
    await restarted.close();
    // The journal files the shards already covered were dropped at load.
    expect(files(both, 'journal')).to.deep.equal([]);
  });

  it('replay is idempotent: replaying, folding and loading again give the same state', async () => {
    const expected = await state(live!);
    const copy = join(tmp.path, 'copy');
    crashImage(journalImage, copy);
    for (let i = 0; i < 2; i++) {
      const restarted = open(copy);
      expect(await state(restarted), `load ${i}`).to.equal(expected);
      await restarted.close();
    }
    const second = join(tmp.path, 'second');
    crashImage(journalImage, second);
    const restarted = open(second);
    expect(await state(restarted)).to.equal(expected);
    await restarted.close();
  });

  it('ignores torn temp files and a torn ledger append, and keeps appending correctly after them', async () => {
    const liveDir = join(tmp.path, 'live');
    await live!.close();
    live = undefined;
    const torn = join(tmp.path, 'torn');
    crashImage(liveDir, torn);
    const before = open(torn);
    const expected = await state(before);
    await before.close();
    // A crash in the middle of writes: half a journal temp file, half a shard temp file, half a ledger line.
    writeFileSync(join(torn, 'journal', '.000000009999.txt.tmp'), '{"version":3,"seq":9999}\nR\t+1555');
    writeFileSync(join(torn, '.shard-0001.txt.tmp'), '{"version":3,"through":');
    const k = shardOf(ANA, SHARDS);
    const header = readFileSync(shardPath(torn, k), 'utf8').split('\n', 1)[0]!;
    const pos = (JSON.parse(header) as { ledger: { segment: number } }).ledger;
    // An append the crash cut short: whole lines of entries never committed, then half a line.
    const uncommitted = { id: 'x', msisdn: ANA, at: '2025-01-01T00:00:00.000Z', reason: 'topup', target: 'account' };
    const lines = Array.from({ length: 30 }, (_, i) => JSON.stringify({ ...uncommitted, id: `torn-${i}`, delta: 99 }));
    appendFileSync(segmentPath(torn, k, pos.segment), `${lines.join('\n')}\n{"id":"torn","msisdn":"+1555`);
    appendFileSync(segmentPath(torn, k, pos.segment + 1), '{"id":"orphan","msisdn":"+15550100001"');

    const restarted = open(torn);
    expect(await state(restarted)).to.equal(expected);
    expect(readdirSync(join(torn, 'journal')).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    expect(readdirSync(torn).filter((f) => f.endsWith('.tmp'))).to.deep.equal([]);
    await Promise.all(
      Array.from({ length: 25 }, (_, i) => restarted.topUp(ANA, { amount: 2 }, { idempotencyKey: `after-${i}` })),
    );
    const after = await state(restarted);
    await restarted.close();
    const reopened = open(torn);
    expect(await state(reopened)).to.equal(after);
    expect(value(await reopened.getSubscriber(ANA)).account.balance.amount).to.equal(590);
    await reopened.close();
    rmSync(torn, { recursive: true, force: true });
  });
});
