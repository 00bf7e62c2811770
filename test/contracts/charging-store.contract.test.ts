import { expect } from 'chai';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import { DataDirLockedError } from '../../adapters/store/lowdb/dir-lock.js';
import { createMemoryChargingStore } from '../../charging/memory-store.js';
import { tempDir } from '../helpers/temp-dir.js';
import { chargingStoreContract } from './charging-store.contract.js';

chargingStoreContract('memory', async () => ({ store: createMemoryChargingStore(), cleanup: async () => {} }));

chargingStoreContract(
  'lowdb',
  async () => {
    const dir = tempDir('charging-store-');
    // Few shards, short ledger segments and a tiny fold threshold: folding and segment rollover happen inside
    // the tests, with journal writes still under way.
    const open = () =>
      createLowdbChargingStore({ dir: dir.path, shards: 8, segmentSize: 25, foldAfterBytes: 2048, idleFoldMs: 5 });
    const fx = {
      store: open(),
      reopen: async () => {
        await fx.store.close();
        const s = open();
        return s;
      },
      cleanup: async () => dir.remove(),
    };
    return fx;
  },
  { durable: true },
);

describe('lowdb charging store', () => {
  it('refuses a second owner of the same directory', async () => {
    const dir = tempDir('charging-lock-');
    try {
      const a = createLowdbChargingStore({ dir: dir.path, shards: 4 });
      expect(() => createLowdbChargingStore({ dir: dir.path, shards: 4 })).to.throw(DataDirLockedError);
      await a.close();
    } finally {
      dir.remove();
    }
  });
});
