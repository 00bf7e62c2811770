import { expect } from 'chai';
import { verifyMetaSignature } from '../../../adapters/channels/meta/meta-webhook.js';
import { signMetaBody } from '../../helpers/meta-signing.js';

describe('X-Hub-Signature-256 check (pure)', () => {
  // Meta signs the bytes as sent (unicode-escaped), so re-serialising the JSON would break the check.
  const raw = Buffer.from('{"object":"page","text":"caf\\u00e9"}', 'utf8');
  const good = signMetaBody('s3cret', raw);
  const table: [string, string, Buffer, string | undefined, boolean][] = [
    ['the right signature', 's3cret', raw, good, true],
    ['upper-case hex', 's3cret', raw, 'sha256=' + good.slice(7).toUpperCase(), true],
    ['another secret', 'other', raw, good, false],
    ['a changed body', 's3cret', Buffer.from(JSON.stringify(JSON.parse(raw.toString()))), good, false],
    ['no header', 's3cret', raw, undefined, false],
    ['no sha256= prefix', 's3cret', raw, good.slice(7), false],
    ['a truncated signature', 's3cret', raw, good.slice(0, -2), false],
    ['an empty secret', '', raw, signMetaBody('', raw), false],
  ];
  for (const [name, secret, body, header, expected] of table) {
    it(`${expected ? 'accepts' : 'rejects'} ${name}`, () => {
      expect(verifyMetaSignature(secret, body, header)).to.equal(expected);
    });
  }
});
