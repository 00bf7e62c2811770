/** The shard count of a LowdbStorage directory is fixed for its life: reopening with another default keeps it. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { LowdbStorage } from '../../../adapters/store/lowdb/lowdb-storage.js';

describe('LowdbStorage shard count', () => {
  let dir = '';
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'lowdb-shards-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  const keys = Array.from({ length: 50 }, (_, i) => `conversation/${i}`);

  it('records the count of a new directory and finds every key again when reopened with another default', async () => {
    const first = new LowdbStorage({ dir, shards: 7 });
    await first.write(Object.fromEntries(keys.map((k) => [k, { value: k }])));
    await first.close();
    expect(readFileSync(join(dir, 'SHARDS'), 'utf8').trim()).to.equal('7');

    const again = new LowdbStorage({ dir });
    const items = await again.read(keys);
    expect(Object.keys(items)).to.have.length(keys.length);
    expect((items['conversation/3'] as { value: string }).value).to.equal('conversation/3');
    await again.close();
  });

  it('treats a directory from before the count was recorded as 16 shards', async () => {
    const legacy = new LowdbStorage({ dir, shards: 16 });
    await legacy.write(Object.fromEntries(keys.map((k) => [k, { value: k }])));
    await legacy.close();
    rmSync(join(dir, 'SHARDS'));

    const reopened = new LowdbStorage({ dir });
    expect(Object.keys(await reopened.read(keys))).to.have.length(keys.length);
    await reopened.close();
    expect(readFileSync(join(dir, 'SHARDS'), 'utf8').trim()).to.equal('16');
  });

  it('uses 256 shards for a new directory by default', async () => {
    const fresh = new LowdbStorage({ dir });
    await fresh.close();
    expect(readFileSync(join(dir, 'SHARDS'), 'utf8').trim()).to.equal('256');
  });

  it('ignores a damaged count file only when it is unreadable as a number', async () => {
    writeFileSync(join(dir, 'SHARDS'), 'not a number');
    const s = new LowdbStorage({ dir, shards: 5 });
    await s.close();
    expect(readFileSync(join(dir, 'SHARDS'), 'utf8').trim()).to.equal('5');
  });
});
