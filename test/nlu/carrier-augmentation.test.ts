/** Carrier-phrase augmentation: deterministic, a share of every task intent and of None, never small talk. */
import { expect } from 'chai';
import { withCarriers } from '../../nlu/carrier-augmentation.js';

describe('nlu carrier augmentation', () => {
  const utterances = ['check my data', 'bal?', 'how many minutes', 'sms left', 'gigs left?', 'my bundles', 'usage'];

  it('adds wrapped copies of every third utterance, after the originals', () => {
    const out = withCarriers('balance.check', utterances, 'en');
    expect(out.slice(0, utterances.length)).to.deep.equal(utterances);
    expect(out.slice(utterances.length)).to.deep.equal([
      'hey check my data',
      'sms left please',
      'can you tell me usage',
    ]);
  });

  it('wraps None alike, so carriers are evidence of neither side', () => {
    expect(withCarriers('None', ['tell me a joke'], 'en')).to.deep.equal(['tell me a joke', 'hey tell me a joke']);
  });

  it('uses the carriers of the language and leaves conversational intents alone', () => {
    expect(withCarriers('balance.check', ['saldo'], 'es')).to.deep.equal(['saldo', 'oye saldo']);
    expect(withCarriers('greeting', ['hi'], 'en')).to.deep.equal(['hi']);
  });

  it('is deterministic', () => {
    expect(withCarriers('bundle.buy', utterances, 'es')).to.deep.equal(withCarriers('bundle.buy', utterances, 'es'));
  });
});
