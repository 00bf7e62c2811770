import { MemoryStorage } from 'botbuilder';
import { expect } from 'chai';
import { DataDirLockedError } from '../../adapters/store/lowdb/dir-lock.js';
import { LowdbStorage } from '../../adapters/store/lowdb/lowdb-storage.js';
import { tempDir } from '../helpers/temp-dir.js';
import { storageContract } from './storage.contract.js';

storageContract('MemoryStorage', async () => ({ storage: new MemoryStorage(), close: async () => {} }));

storageContract(
  'LowdbStorage',
  async () => {
    const dir = tempDir('lowdb-storage-');
    let current = new LowdbStorage({ dir: dir.path, shards: 4 });
    return {
      storage: current,
      reopen: async () => {
        await current.close();
        current = new LowdbStorage({ dir: dir.path, shards: 4 });
        return current;
      },
      close: async () => {
        await current.close();
        dir.remove();
      },
    };
  },
  { durable: true },
);

describe('LowdbStorage', () => {
  it('refuses a directory another live storage holds, and takes it once released', async () => {
    const dir = tempDir('lowdb-lock-');
    try {
      const first = new LowdbStorage({ dir: dir.path });
      expect(() => new LowdbStorage({ dir: dir.path })).to.throw(DataDirLockedError);
      await first.close();
      const second = new LowdbStorage({ dir: dir.path });
      await second.close();
    } finally {
      dir.remove();
    }
  });
});
