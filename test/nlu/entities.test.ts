/** Entity extraction as tables: what subscribers write, what the dialogs get. */
import { expect } from 'chai';
import { extractEntities } from '../../nlu/entities.js';
import type { EntityType } from '../../nlu/recognizer.js';

type Expected = [EntityType, string | number, string?][];

const CASES: [string, Expected][] = [
  [
    'swap 10 fb sessions to yt',
    [
      ['quantity', 10],
      ['app', 'facebook'],
      ['unit', 'session'],
      ['app', 'youtube'],
    ],
  ],
  [
    'ig to insta to wa to whatsapp',
    [
      ['app', 'instagram'],
      ['app', 'instagram'],
      ['app', 'whatsapp'],
      ['app', 'whatsapp'],
    ],
  ],
  [
    'tik tok and you tube',
    [
      ['app', 'tiktok'],
      ['app', 'youtube'],
    ],
  ],
  ['top up $10', [['money', 1000, 'USD']]],
  ['recharge 10 dollars pls', [['money', 1000, 'USD']]],
  ['pay 10.50', [['money', 1050]]],
  ['10 usd', [['money', 1000, 'USD']]],
  ['USD 20', [['money', 2000, 'USD']]],
  ['€5', [['money', 500, 'EUR']]],
  ['add twenty bucks', [['money', 2000, 'USD']]],
  ['quiero recargar diez pesos', [['money', 1000]]],
  ['recarga de 12,50', [['money', 1250]]],
  ['1,000 dollars', [['money', 100000, 'USD']]],
  [
    'buy 2gb',
    [
      ['quantity', 2048],
      ['unit', 'MB'],
    ],
  ],
  [
    'buy 500 MB',
    [
      ['quantity', 500],
      ['unit', 'MB'],
    ],
  ],
  [
    'twenty five minutes',
    [
      ['quantity', 25],
      ['unit', 'minute'],
    ],
  ],
  [
    'one hundred and fifty sms',
    [
      ['quantity', 150],
      ['unit', 'SMS'],
    ],
  ],
  [
    'treinta y cinco megas',
    [
      ['quantity', 35],
      ['unit', 'MB'],
    ],
  ],
  [
    'cambiar veinticinco sesiones de insta a tiktok',
    [
      ['quantity', 25],
      ['unit', 'session'],
      ['app', 'instagram'],
      ['app', 'tiktok'],
    ],
  ],
  ['dos mil quinientos', [['quantity', 2500]]],
  ['a thousand', [['quantity', 1000]]],
  ['how many gigs left', [['unit', 'MB']]],
  ['my number is +1 555 010 0001', [['msisdn', '+15550100001']]],
  ['+15550100001', [['msisdn', '+15550100001']]],
  ['the code is 123456', [['otp', '123456']]],
  ['what is my balance', []],
  ['', []],
];

describe('nlu entities', () => {
  for (const [text, expected] of CASES) {
    it(`"${text}"`, () => {
      const got = extractEntities(text).map((e) => [e.type, e.value, e.currency]);
      const want = expected.map(([type, value, currency]) => [type, value, currency]);
      expect(got).to.deep.equal(want);
    });
  }

  it('keeps the written text and its offsets', () => {
    const text = 'swap 5 gb of insta';
    for (const e of extractEntities(text)) expect(text.slice(e.start, e.end)).to.equal(e.text);
  });

  it('records the unit a quantity is attached to, GB converted to MB', () => {
    const [quantity] = extractEntities('buy 1.5 GB');
    expect(quantity).to.include({ type: 'quantity', value: 1536, unit: 'MB' });
  });
});
