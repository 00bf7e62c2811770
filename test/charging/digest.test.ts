import { cpSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import { type ChargingCore, createChargingCore } from '../../charging/core.js';
import { seedDemo } from '../../charging/demo.js';
import type { Result } from '../../charging/errors.js';
import { tempDir } from '../helpers/temp-dir.js';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

const ANA = '+15550100001';
const BEN = '+15550100002';
const SHARDS = 4;

const open = (dir: string) => createChargingCore({ store: createLowdbChargingStore({ dir, shards: SHARDS }) });

const shardFiles = (dir: string) => readdirSync(dir).filter((f) => /^shard-\d{4}\.txt$/.test(f));

/** Rewrites the digest of every record line (the field between the first two TABs) with `digest`. */
function replaceDigests(dir: string, digest: string): void {
  for (const f of shardFiles(dir)) {
    const [header, ...lines] = readFileSync(join(dir, f), 'utf8').split('\n');
    const out = lines.map((l) => (l.length === 0 ? l : l.replace(/^([^\t]*)\t[^\t]*\t/, `$1\t${digest}\t`)));
    writeFileSync(join(dir, f), [header, ...out].join('\n'));
  }
}

function digests(dir: string): string[] {
  return shardFiles(dir).flatMap((f) =>
    readFileSync(join(dir, f), 'utf8')
      .split('\n')
      .slice(1)
      .filter((l) => l.length > 0)
      .map((l) => l.split('\t')[1]!),
  );
}

/**
 * The core indexes a restarted store from the digests kept beside its records (ids found without an MSISDN,
 * deadlines); without a usable digest it must digest the record itself and come to the same index.
 */
describe('lowdb charging store: the core index from record digests', () => {
  let tmp: { path: string; remove: () => void };
  let image: string;
  let ids: { quote: string; payment: string; reservation: string; request: string };

  before(async () => {
    tmp = tempDir('charging-digest-');
    image = join(tmp.path, 'image');
    const core = open(image);
    await seedDemo(core);
    const quote = value(
      await core.quoteSwap(ANA, { from: 'facebook', to: 'youtube', quantity: 2 }, { idempotencyKey: 'q1' }),
    );
    const payment = value(
      await core.createPayment(ANA, { purpose: { type: 'topup' }, amount: 500 }, { idempotencyKey: 'p1' }),
    );
    const reservation = value(await core.reserve(ANA, { app: 'facebook', quantity: 3 }, { idempotencyKey: 'r1' }));
    const request = value(await core.requestCreditLimit(BEN, { amount: 1_000_000 }, { idempotencyKey: 'c1' }));
    ids = { quote: quote.id, payment: payment.id, reservation: reservation.id, request: request.id };
    await core.close();
  });
  after(() => tmp.remove());

  async function expectIndexed(core: ChargingCore): Promise<void> {
    expect(await core.subscriberCount()).to.be.greaterThan(3);
    expect(value(await core.getPayment(ids.payment)).id).to.equal(ids.payment);
    // A key is global: the index must know it belongs to Ana.
    const reused = await core.topUp(BEN, { amount: 100 }, { idempotencyKey: 'q1' });
    expect(reused.ok ? 'ok' : reused.error.code).to.equal('IDEMPOTENCY.KEY_REUSED');
    expect(value(await core.commitReservation(ANA, ids.reservation, 1)).charged).to.be.a('number');
    const decided = value(await core.decideCreditLimit(ids.request, { approve: false, decidedBy: 'agent-1' }));
    expect(decided.status).to.equal('declined');
    expect(value(await core.confirmSwap(ids.quote)).quoteId).to.equal(ids.quote);
  }

  for (const [name, digest] of [
    ['as stored', null],
    ['none stored', ''],
    ['of another version', '{"v":0}'],
  ] as const) {
    it(`finds quotes, payments, reservations, requests and keys after a restart: digests ${name}`, async () => {
      const dir = join(tmp.path, name.replaceAll(' ', '-'));
      cpSync(image, dir, { recursive: true, filter: (src) => !src.endsWith('LOCK') });
      if (digest !== null) replaceDigests(dir, digest);
      const core = open(dir);
      await expectIndexed(core);
      await core.close();
      // Every record line carries a digest of the current version again.
      for (const d of digests(dir)) expect(JSON.parse(d)).to.have.property('v', 1);
    });
  }
});
