import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { expect } from 'chai';
import { createLowdbChargingStore } from '../../adapters/store/lowdb/charging-store.js';
import { createChargingCore } from '../../charging/core.js';
import type { Result } from '../../charging/errors.js';
import { tempDir } from '../helpers/temp-dir.js';
import { ledgerMismatches } from './ledger-check.js';

function value<T>(r: Result<T>): T {
  if (!r.ok) throw new Error(r.error.code);
  return r.value;
}

function startChild(dir: string): {
  child: ChildProcess;
  lines: string[];
  waitFor: (p: (l: string[]) => boolean) => Promise<void>;
} {
  const child = spawn(process.execPath, ['--import', 'tsx', join(import.meta.dirname, 'crash-child.ts'), dir], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  // Writes racing the kill get EPIPE: expected here.
  child.stdin!.on('error', () => {});
  const lines: string[] = [];
  let buf = '';
  const waiters: (() => void)[] = [];
  child.stdout!.on('data', (chunk: Buffer) => {
    buf += chunk.toString();
    const parts = buf.split('\n');
    buf = parts.pop() ?? '';
    lines.push(...parts);
    for (const w of waiters.splice(0)) w();
  });
  const waitFor = (p: (l: string[]) => boolean) =>
    new Promise<void>((resolve, reject) => {
      const check = () => {
        if (p(lines)) resolve();
        else if (child.exitCode !== null) reject(new Error('child exited'));
        else waiters.push(check);
      };
      check();
    });
  return { child, lines, waitFor };
}

describe('crash: SIGKILL in the middle of a burst of writes', () => {
  it('loads after a restart with every acknowledged mutation in place', async function () {
    this.timeout(60_000);
    const dir = tempDir('charging-crash-');
    try {
      for (let round = 0; round < 2; round++) {
        const { child, lines, waitFor } = startChild(dir.path);
        await waitFor((l) => l.includes('ready'));
        // A burst far larger than what gets acknowledged before the kill.
        let sent = 0;
        const burst = setInterval(() => {
          for (let i = 0; i < 50; i++)
            child.stdin!.write(`${sent % 3 === 0 ? 'usage' : 'topup'} k${round}-${sent++}\n`);
        }, 1);
        await waitFor((l) => l.filter((x) => x.startsWith('ack ')).length >= 200);
        clearInterval(burst);
        child.kill('SIGKILL');
        await new Promise((r) => child.once('exit', r));
        const acked = lines.filter((l) => l.startsWith('ack ')).map((l) => l.split(' '));
        expect(sent).to.be.greaterThan(acked.length);

        // Restart on the same directory (the dead child's lock is taken over) and check every ack.
        const core = createChargingCore({
          store: createLowdbChargingStore({ dir: dir.path, shards: 16, segmentSize: 50 }),
        });
        for (const m of ['+15550100001', '+15550100003', '+15550100004']) {
          const ledger = value(await core.fullLedger(m));
          const keys = new Set(ledger.map((e) => e.idempotencyKey));
          const mine = acked.filter(([, , msisdn]) => msisdn === m).map(([, key]) => key);
          expect(
            mine.filter((k) => !keys.has(k)),
            `acknowledged but lost for ${m}`,
          ).to.deep.equal([]);
          expect(ledgerMismatches(value(await core.getSubscriber(m)), ledger)).to.deep.equal([]);
          expect(new Set(ledger.map((e) => e.id)).size).to.equal(ledger.length);
        }
        await core.close();
      }
    } finally {
      dir.remove();
    }
  });
});
