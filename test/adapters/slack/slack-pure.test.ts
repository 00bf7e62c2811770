/** The desk's pure edges: Slack request signing, delivery identities, text conversions, the goodwill form. */
import { expect } from 'chai';
import { parseGrant } from '../../../adapters/desk/slack/slack-listeners.js';
import { deliveryKeyOf } from '../../../adapters/desk/slack/slack-dedup.js';
import { verifySlackSignature } from '../../../adapters/desk/slack/slack-signature.js';
import { escapeSlack, slackToPlainText } from '../../../adapters/desk/slack/slack-text.js';
import { signSlack } from '../../helpers/slack-signing.js';

describe('slack desk: pure functions', () => {
  const secret = '8f742231b10e8888abcd99yyyzzz85a5';
  const body = 'token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&command=%2Fweather';
  const ts = 1531420618;

  it('accepts a correct v0 signature within 5 minutes, either side', () => {
    const sig = signSlack(secret, ts, body);
    expect(verifySlackSignature(secret, body, String(ts), sig, ts)).to.equal(true);
    expect(verifySlackSignature(secret, Buffer.from(body), String(ts), sig, ts + 300)).to.equal(true);
    expect(verifySlackSignature(secret, body, String(ts), sig, ts - 300)).to.equal(true);
  });

  it('rejects stale, future, tampered, missing or foreign signatures', () => {
    const sig = signSlack(secret, ts, body);
    expect(verifySlackSignature(secret, body, String(ts), sig, ts + 301)).to.equal(false);
    expect(verifySlackSignature(secret, body, String(ts), sig, ts - 301)).to.equal(false);
    expect(verifySlackSignature(secret, body + 'x', String(ts), sig, ts)).to.equal(false);
    expect(verifySlackSignature('other', body, String(ts), sig, ts)).to.equal(false);
    expect(verifySlackSignature(secret, body, undefined, sig, ts)).to.equal(false);
    expect(verifySlackSignature(secret, body, String(ts), undefined, ts)).to.equal(false);
    expect(verifySlackSignature(secret, body, 'abc', sig, ts)).to.equal(false);
    expect(verifySlackSignature(secret, body, String(ts), sig.replace('v0=', 'v1='), ts)).to.equal(false);
    expect(verifySlackSignature('', body, String(ts), sig, ts)).to.equal(false);
  });

  it('names deliveries by event id, action ts + user, view id + hash', () => {
    expect(deliveryKeyOf({ type: 'event_callback', event_id: 'Ev1' })).to.equal('event:Ev1');
    expect(
      deliveryKeyOf({ type: 'block_actions', user: { id: 'U1' }, actions: [{ action_id: 'a', action_ts: '1.2' }] }),
    ).to.equal('action:a:1.2:U1');
    expect(deliveryKeyOf({ type: 'view_submission', user: { id: 'U1' }, view: { id: 'V1', hash: 'h' } })).to.equal(
      'view:V1:h:U1',
    );
    expect(deliveryKeyOf({ type: 'url_verification' })).to.equal(undefined);
  });

  it('escapes outbound text and turns agent markup into plain text', () => {
    expect(escapeSlack('<!channel> & <@U1>')).to.equal('&lt;!channel&gt; &amp; &lt;@U1&gt;');
    expect(slackToPlainText('See <https://x.test/a|the page> &amp; <https://y.test> <@U123>')).to.equal(
      'See the page (https://x.test/a) & https://y.test',
    );
  });

  it('reads the goodwill form: credit in currency units, sessions as whole numbers', () => {
    expect(parseGrant('credit', '2.50')).to.deep.equal({ amount: 250 });
    expect(parseGrant('credit', '3,1')).to.deep.equal({ amount: 310 });
    expect(parseGrant('app:youtube', '5')).to.deep.equal({ app: 'youtube', quantity: 5 });
    expect(parseGrant('app:youtube', '2.5')).to.have.property('error');
    expect(parseGrant('credit', '-1')).to.have.property('error');
    expect(parseGrant('credit', '0')).to.have.property('error');
    expect(parseGrant(undefined, '5')).to.have.property('error');
  });
});
