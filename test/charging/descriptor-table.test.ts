import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { tempDir } from '../helpers/temp-dir.js';

/**
 * The store keeps up to a thousand shard files open for reads. Growing the process's descriptor table while it
 * opens them under traffic blocks the event loop (each growth waits for an RCU grace period, 14-19 ms measured):
 * the table is grown when the store opens instead. Checked in a fresh process, whose table starts small, through
 * the `FDSize` line of /proc/self/status (Linux, as our machines and CI).
 */
describe('lowdb charging store: descriptor table grown at open', () => {
  it('a fresh process has room for the open shard files as soon as the store is created', async () => {
    const tmp = tempDir('charging-fds-');
    try {
      const script = `
        import { readFileSync } from 'node:fs';
        import { createLowdbChargingStore } from ${JSON.stringify(join(import.meta.dirname, '../../adapters/store/lowdb/charging-store.js'))};
        const size = () => Number(/FDSize:\\s+(\\d+)/.exec(readFileSync('/proc/self/status', 'utf8'))[1]);
        const before = size();
        const store = createLowdbChargingStore({ dir: ${JSON.stringify(join(tmp.path, 'store'))}, shards: 1000 });
        const after = size();
        await store.close();
        console.log(JSON.stringify({ before, after }));
      `;
      const out = execFileSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], {
        encoding: 'utf8',
      });
      const { before, after } = JSON.parse(out.trim().split('\n').pop()!) as { before: number; after: number };
      expect(before, 'a fresh process starts with a small table').to.be.below(1000);
      // 1,000 shard files open for reads, plus the spare ones for writes.
      expect(after).to.be.at.least(1000 + 128);
    } finally {
      tmp.remove();
    }
  });
});
