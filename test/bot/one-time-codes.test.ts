import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { OutboxSmsSender } from '../../adapters/sms/outbox/outbox-sms-sender.js';
import { LowdbStorage } from '../../adapters/store/lowdb/lowdb-storage.js';
import { OneTimeCodes } from '../../bot/identity/one-time-codes.js';
import { FixedClock } from '../helpers/fixed-clock.js';
import { tempDir } from '../helpers/temp-dir.js';

const MSISDN = '+15550100001';

describe('one-time codes over the SMS outbox, on LowdbStorage', () => {
  it('keeps only a salted hash, verifies once, per requester; the outbox keeps the SMS in order', async () => {
    const dir = tempDir();
    const storage = new LowdbStorage({ dir: dir.path });
    try {
      const clock = new FixedClock();
      const outbox = new OutboxSmsSender(storage, clock);
      const codes = new OneTimeCodes(storage, outbox, clock);
      expect(await codes.sendCode('messenger:alice', MSISDN, (c) => `code ${c}`)).to.equal('sent');
      await Promise.all([outbox.send(MSISDN, 'one'), outbox.send(MSISDN, 'two')]);
      const messages = await outbox.list(MSISDN);
      expect(messages.map((m) => m.text.replace(/\d{6}/, 'NNNNNN'))).to.deep.equal(['code NNNNNN', 'one', 'two']);
      const code = messages[0].text.slice(-6);

      expect(await codes.checkCode('messenger:mallory', MSISDN, code)).to.deep.equal({ status: 'no_code' });
      expect(await codes.checkCode('messenger:alice', '+15550100002', code)).to.deep.equal({ status: 'no_code' });
      expect(await codes.checkCode('messenger:alice', MSISDN, code)).to.deep.equal({ status: 'verified' });
      expect(await codes.checkCode('messenger:alice', MSISDN, code)).to.deep.equal({ status: 'no_code' });

      await storage.close();
      const files = readdirSync(dir.path)
        .filter((f) => f.endsWith('.json'))
        .map((f) => readFileSync(join(dir.path, f), 'utf8'));
      // The code appears in the outbox's SMS text only, never as a stored code.
      const withCode = files.filter((f) => f.includes(code));
      expect(withCode).to.have.length(1);
      expect(withCode[0]).to.include(`code ${code}`);
      expect(withCode[0].split(code)).to.have.length(2);
    } finally {
      await storage.close();
      dir.remove();
    }
  });
});
