/** The sandbox's pure rules: signature header, card form checks, and the callback secret kept in DATA_DIR. */
import { statSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { resolvePaymentCallbackSecret } from '../../../adapters/payments/callback-secret.js';
import { signSandboxPayload, verifySandboxSignature } from '../../../adapters/payments/sandbox/sandbox-signature.js';
import { checkCardForm } from '../../../adapters/payments/sandbox/test-cards.js';
import { tempDir } from '../../helpers/temp-dir.js';

const NOW = new Date('2025-01-15T10:00:00.000Z');

describe('sandbox signature', () => {
  const body = Buffer.from('{"id":"evt_1"}');

  it('verifies its own signature and refuses another body, secret, or a time outside 5 minutes', () => {
    const header = signSandboxPayload('s3cret', body, NOW);
    expect(header).to.match(/^t=\d+,v1=[0-9a-f]{64}$/);
    expect(verifySandboxSignature('s3cret', body, header, NOW)).to.deep.equal({ ok: true });
    expect(verifySandboxSignature('s3cret', Buffer.from('{"id":"evt_2"}'), header, NOW)).to.deep.equal({
      ok: false,
      reason: 'mismatch',
    });
    expect(verifySandboxSignature('other', body, header, NOW)).to.deep.equal({ ok: false, reason: 'mismatch' });
    const later = new Date(NOW.getTime() + 301_000);
    expect(verifySandboxSignature('s3cret', body, header, later)).to.deep.equal({ ok: false, reason: 'stale' });
    expect(verifySandboxSignature('s3cret', body, undefined, NOW)).to.deep.equal({ ok: false, reason: 'missing' });
    expect(verifySandboxSignature('s3cret', body, 'v1=abc', NOW)).to.deep.equal({ ok: false, reason: 'malformed' });
  });

  it('accepts any of several v1 signatures (secret rotation)', () => {
    const good = signSandboxPayload('new', body, NOW);
    const [t, v1] = good.split(',');
    const rotated = `${t},v1=${'a'.repeat(64)},${v1}`;
    expect(verifySandboxSignature('new', body, rotated, NOW)).to.deep.equal({ ok: true });
  });
});

describe('sandbox card form rules', () => {
  const ok = { cardNumber: '4242 4242 4242 4242', expiry: '12/30', cvc: '123' };

  it('succeeds with 4242..., declines 4000000000000002, keeps only brand and last 4', () => {
    expect(checkCardForm(ok, NOW)).to.deep.equal({
      ok: true,
      outcome: 'succeeds',
      card: { brand: 'Visa', last4: '4242' },
    });
    expect(checkCardForm({ ...ok, cardNumber: '4000-0000-0000-0002' }, NOW)).to.deep.equal({
      ok: true,
      outcome: 'declined',
      card: { brand: 'Visa', last4: '0002' },
    });
  });

  it('accepts the expiry formats browsers autofill, through the end of the expiry month', () => {
    for (const expiry of ['01/25', '1/25', '01 / 25', '01/2025', '0125', '12/2049']) {
      expect(checkCardForm({ ...ok, expiry }, NOW).ok, expiry).to.equal(true);
    }
  });

  it('turns bad input into a form error on the right field', () => {
    const cases: [Partial<typeof ok>, string][] = [
      [{ cardNumber: '4242 4242 4242 4241' }, 'cardNumber'], // bad Luhn
      [{ cardNumber: '4242' }, 'cardNumber'],
      [{ cardNumber: '5555 5555 5555 4444' }, 'cardNumber'], // valid, but not a test card
      [{ expiry: '12/24' }, 'expiry'], // past
      [{ expiry: '13/30' }, 'expiry'],
      [{ expiry: 'soon' }, 'expiry'],
      [{ cvc: '12' }, 'cvc'],
      [{ cvc: '1234' }, 'cvc'],
      [{ cvc: 'abc' }, 'cvc'],
    ];
    for (const [change, field] of cases) {
      const r = checkCardForm({ ...ok, ...change }, NOW);
      expect(r.ok, JSON.stringify(change)).to.equal(false);
      if (!r.ok) expect(r.field).to.equal(field);
    }
  });
});

describe('payment callback secret', () => {
  it('uses PAYMENT_CALLBACK_SECRET when set, else makes one in DATA_DIR (mode 600) and reuses it', () => {
    const dir = tempDir('payment-secret-');
    try {
      expect(resolvePaymentCallbackSecret({ paymentCallbackSecret: 'given', dataDir: dir.path })).to.equal('given');
      const made = resolvePaymentCallbackSecret({ paymentCallbackSecret: '', dataDir: join(dir.path, 'data') });
      expect(made).to.match(/^[0-9a-f]{64}$/);
      expect(resolvePaymentCallbackSecret({ paymentCallbackSecret: '', dataDir: join(dir.path, 'data') })).to.equal(
        made,
      );
      expect(statSync(join(dir.path, 'data', 'payment-callback.secret')).mode & 0o777).to.equal(0o600);
    } finally {
      dir.remove();
    }
  });
});
