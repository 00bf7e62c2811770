import { expect } from 'chai';
import { DirectLineTokens } from '../../../adapters/channels/webchat/directline-tokens.js';

describe('Direct Line tokens', () => {
  it('answers a token presented again from what it checked, and still expires it on time', () => {
    const tokens = new DirectLineTokens('a-secret-of-the-operator-0123456789', 60);
    const now = Date.UTC(2026, 10, 25, 12);
    const { token } = tokens.issue({ user: 'dl_u1', grant: 'g1', conv: 'c1', msisdn: '+15550100001' }, now);
    const first = tokens.verify(token, now + 1000);
    const again = tokens.verify(token, now + 2000);
    expect(first).to.deep.equal(again);
    expect(again.ok && again.claims).to.include({ user: 'dl_u1', conv: 'c1', msisdn: '+15550100001' });
    expect(tokens.verify(token, now + 61_000)).to.deep.equal({ ok: false, code: 'TOKEN.EXPIRED' });
    expect(tokens.verify(`${token.slice(0, -2)}xx`, now + 1000)).to.deep.equal({ ok: false, code: 'TOKEN.INVALID' });
  });
});
