import { expect } from 'chai';
import { LowdbStorage } from '../../adapters/store/lowdb/lowdb-storage.js';
import { ANA, createHarness, demoCore, play } from '../helpers/bot-harness.js';
import { FixedClock } from '../helpers/fixed-clock.js';
import { tempDir } from '../helpers/temp-dir.js';

describe('bot: a restart in the middle of a dialog resumes it (LowdbStorage)', () => {
  for (const channelId of ['whatsapp', 'messenger'] as const) {
    it(`on ${channelId}: quote before the restart, "yes" after it: the swap runs once`, async () => {
      const dir = tempDir();
      const clock = new FixedClock('2026-03-10T10:00:00.000Z');
      const core = await demoCore(clock);
      let storage = new LowdbStorage({ dir: dir.path });
      try {
        const before = await createHarness({ channelId, msisdn: ANA, core, clock, storage });
        if (!before.channelProvesIdentity) {
          await play(before, [
            ['my balance', /mobile number/],
            [ANA, /code/],
          ]);
          await play(before, [[(await before.lastCode(ANA))!, /verified/]]);
        }
        await play(before, [['swap 10 fb for yt', /Shall I do it/]]);
        await storage.close();

        // A new process: new storage object on the same files, the whole bot built again.
        storage = new LowdbStorage({ dir: dir.path });
        const after = await createHarness({ channelId, msisdn: ANA, core, clock, storage });
        await play(after, [
          ['yes', /Done: 10 Facebook swapped for 5 YouTube/],
          ['yes', /already done/],
        ]);
        const ledger = await core.getLedger(ANA, { limit: 500 });
        expect(ledger.ok && ledger.value.filter((e) => e.reason === 'swap.debit')).to.have.length(1);
      } finally {
        await storage.close();
        dir.remove();
      }
    });
  }
});
