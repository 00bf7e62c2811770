import { expect } from 'chai';
import { CARD_PLACEHOLDER, redactCardNumbers } from '../../bot/card-redaction.js';

describe('card number redaction', () => {
  const cases = [
    '4242424242424242',
    '4242 4242 4242 4242',
    '4242-4242-4242-4242',
    '4000 0000 0000 0002',
    '378282246310005',
  ];
  for (const card of cases) {
    it(`removes ${card.length}-character card "${card.slice(0, 4)}…"`, () => {
      const r = redactCardNumbers(`my card is ${card} exp 12/30`);
      expect(r.found).to.equal(true);
      expect(r.text).to.equal(`my card is ${CARD_PLACEHOLDER} exp 12/30`);
      expect(r.text.replace(/\D/g, '')).not.to.contain(card.replace(/\D/g, '').slice(4));
    });
  }
  it('keeps phone numbers and amounts that fail Luhn or are too short', () => {
    for (const text of ['call +15550100001', 'top up 1000', 'my number is 15550100001', '4242424242424241']) {
      expect(redactCardNumbers(text)).to.deep.equal({ text, found: false });
    }
  });
});
