import type { Storage } from 'botbuilder';
import { expect } from 'chai';

export interface StorageFixture {
  storage: Storage;
  /** Re-open the same data (a restart); omitted for storages that do not survive one. */
  reopen?: () => Promise<Storage>;
  close: () => Promise<void>;
}

/**
 * The contract every botbuilder `Storage` of this project keeps (botbuilder-js runs one storage suite over
 * every implementation the same way). Run it with a factory that returns a fresh, empty storage.
 */
export function storageContract(
  name: string,
  make: () => Promise<StorageFixture>,
  opts: { durable: boolean } = { durable: false },
): void {
  describe(`Storage contract: ${name}`, () => {
    let fx: StorageFixture;
    beforeEach(async () => {
      fx = await make();
    });
    afterEach(async () => {
      await fx.close();
    });

    it('reads nothing for unknown keys', async () => {
      expect(await fx.storage.read(['nope', 'also-nope'])).to.deep.equal({});
    });

    it('writes and reads back items with an eTag', async () => {
      await fx.storage.write({ a: { n: 1, nested: { list: [1, 2] } }, 'b/c:d': { s: 'x' } });
      const got = await fx.storage.read(['a', 'b/c:d', 'missing']);
      expect(Object.keys(got).sort()).to.deep.equal(['a', 'b/c:d']);
      expect(got.a.n).to.equal(1);
      expect(got.a.nested).to.deep.equal({ list: [1, 2] });
      expect(got['b/c:d'].s).to.equal('x');
      expect(got.a.eTag).to.be.a('string').and.not.equal('');
    });

    it('returns copies: changing a read or written object does not change the store', async () => {
      const item = { n: 1, list: [1] };
      await fx.storage.write({ k: item });
      item.list.push(2);
      const first = await fx.storage.read(['k']);
      first.k.list.push(3);
      const second = await fx.storage.read(['k']);
      expect(second.k.list).to.deep.equal([1]);
    });

    it('changes the eTag on every write', async () => {
      await fx.storage.write({ k: { n: 1 } });
      const one = (await fx.storage.read(['k'])).k.eTag;
      await fx.storage.write({ k: { n: 2, eTag: one } });
      const two = (await fx.storage.read(['k'])).k;
      expect(two.n).to.equal(2);
      expect(two.eTag).to.not.equal(one);
    });

    it('rejects a write with a stale eTag and keeps the newer value', async () => {
      await fx.storage.write({ k: { n: 1 } });
      const stale = (await fx.storage.read(['k'])).k;
      await fx.storage.write({ k: { ...stale, n: 2 } });
      let error: unknown;
      try {
        await fx.storage.write({ k: { ...stale, n: 3 } });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
      expect((await fx.storage.read(['k'])).k.n).to.equal(2);
    });

    it("lets '*' and a missing eTag always win", async () => {
      await fx.storage.write({ k: { n: 1 } });
      await fx.storage.write({ k: { n: 2, eTag: '*' } });
      expect((await fx.storage.read(['k'])).k.n).to.equal(2);
      await fx.storage.write({ k: { n: 3 } });
      expect((await fx.storage.read(['k'])).k.n).to.equal(3);
    });

    it('of two writers holding the same eTag, exactly one wins', async () => {
      await fx.storage.write({ k: { n: 0 } });
      const base = (await fx.storage.read(['k'])).k;
      const results = await Promise.allSettled([
        fx.storage.write({ k: { ...base, n: 1 } }),
        fx.storage.write({ k: { ...base, n: 2 } }),
      ]);
      expect(results.filter((r) => r.status === 'fulfilled')).to.have.length(1);
      const winner = results.findIndex((r) => r.status === 'fulfilled') + 1;
      expect((await fx.storage.read(['k'])).k.n).to.equal(winner);
    });

    it('deletes items, and deleting unknown keys is harmless', async () => {
      await fx.storage.write({ a: { n: 1 }, b: { n: 2 } });
      await fx.storage.delete(['a', 'never-existed']);
      expect(Object.keys(await fx.storage.read(['a', 'b']))).to.deep.equal(['b']);
    });

    it('keeps many keys written concurrently', async () => {
      const writes = Array.from({ length: 200 }, (_, i) => fx.storage.write({ [`key-${i}`]: { i } }));
      await Promise.all(writes);
      const keys = Array.from({ length: 200 }, (_, i) => `key-${i}`);
      const got = await fx.storage.read(keys);
      expect(keys.every((k, i) => got[k]?.i === i)).to.equal(true);
    });

    // Only durable storages are asked to survive a restart (MemoryStorage is not meant to).
    const durableIt = opts.durable ? it : () => undefined;
    durableIt('keeps everything whose write resolved across a restart', async () => {
      if (!fx.reopen) throw new Error('a durable storage fixture must provide reopen()');
      await fx.storage.write({ a: { n: 1 }, b: { n: 2 } });
      await fx.storage.delete(['b']);
      const etag = (await fx.storage.read(['a'])).a.eTag;
      const reopened = await fx.reopen();
      const got = await reopened.read(['a', 'b']);
      expect(got).to.deep.equal({ a: { n: 1, eTag: etag } });
      // eTag checks survive the restart too.
      await reopened.write({ a: { n: 5, eTag: etag } });
      let error: unknown;
      try {
        await reopened.write({ a: { n: 6, eTag: etag } });
      } catch (e) {
        error = e;
      }
      expect(error).to.be.instanceOf(Error);
    });
  });
}
