/**
 * A charging core on the lowdb store, driven over stdin/stdout for the crash test: each input line
 * `<op> <key>` runs one mutation; `ack <key>` is printed only after its promise resolved (the write holding it
 * completed). Prints `ready` once loaded.
 */
import { createInterface } from 'node:readline';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import { createChargingCore } from '../../charging/core.js';
import { seedDemo } from '../../charging/demo.js';

const dir = process.argv[2];
if (!dir) throw new Error('usage: crash-child.ts <dir>');
const core = createChargingCore({
  store: createLowdbChargingStore({ dir, shards: 16, segmentSize: 50 }),
});
await seedDemo(core);
process.stdout.write('ready\n');

const MSISDNS = ['+15550100001', '+15550100003', '+15550100004'];
let n = 0;
createInterface({ input: process.stdin }).on('line', (line) => {
  const [op, key] = line.split(' ');
  if (!key) return;
  const msisdn = MSISDNS[n++ % MSISDNS.length]!;
  const run =
    op === 'usage'
      ? core.chargeUsage(msisdn, { unit: 'MB', quantity: 1 }, { idempotencyKey: key })
      : core.topUp(msisdn, { amount: 1 }, { idempotencyKey: key });
  void run.then((r) => {
    if (r.ok) process.stdout.write(`ack ${key} ${msisdn}\n`);
  });
});
