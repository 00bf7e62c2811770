/**
 * The out-of-scope guard on its own, with a small hand-made vocabulary: what counts as our account, what as
 * someone else's, and when a foreign word is only the means of the request.
 */
import { expect } from 'chai';
import { PLACEHOLDER } from '../../nlu/normalize.js';
import type { IntentName } from '../../nlu/recognizer.js';
import { type GuardInput, ScopeGuard } from '../../nlu/scope-guard.js';

const vocabulary = {
  domainStems: new Set(['balance', 'bill', 'pay', 'top', 'phone', 'credit', 'limit', 'card', 'bye', 'data', 'minute']),
  foreignStems: new Set(['sunset', 'shift']),
};
const guard = new ScopeGuard('en', vocabulary, { threshold: 0.5, transactionalThreshold: 0.65 });

/** Words as the recognizer hands them over; dropping a plural s stands in for the stemmer here. */
function input(text: string): GuardInput {
  const words = text.split(' ');
  return { words, stems: words.map((w) => w.replace(/s$/, '')), entities: [] };
}

function decide(intent: IntentName, text: string, score = 0.9) {
  return guard.decide({ intent, score }, input(text));
}

describe('nlu scope guard', () => {
  it("answers None when a message names another company's account and nothing of ours", () => {
    expect(decide('balance.check', 'what is the balance on my visa')).to.include({
      intent: 'None',
      reason: 'foreign-object',
    });
    expect(decide('bill.pay', 'pay my water bill')).to.include({ intent: 'None', reason: 'foreign-object' });
    expect(decide('credit_limit.increase', 'raise the limit on my credit card').intent).to.equal('None');
  });

  it('keeps a message about our account even when it names something foreign', () => {
    expect(decide('credit.topup', 'top up my phone from my bank account').intent).to.equal('credit.topup');
    expect(decide('bill.pay', 'pay my bill with my credit card').intent).to.equal('bill.pay');
    expect(decide('balance.check', 'data left on my card').intent).to.equal('balance.check');
  });

  it('treats words only out-of-scope training uses as foreign for account intents only', () => {
    expect(decide('balance.check', 'how many minutes until sunset').intent).to.equal('balance.check');
    expect(decide('balance.check', 'balance before sunset')).to.include({ reason: 'foreign-object' });
    expect(decide('goodbye', 'bye see you at sunset').intent).to.equal('goodbye');
  });

  it('does not take a number for our account', () => {
    const words = ['pay', PLACEHOLDER.quantity, 'to', 'my', 'bank'];
    const r = guard.decide({ intent: 'bill.pay', score: 0.9 }, { words, stems: words, entities: [] });
    expect(r).to.include({ intent: 'None', reason: 'foreign-object' });
  });

  it('still applies the thresholds and the transaction cue', () => {
    expect(decide('balance.check', 'balance', 0.4)).to.include({ intent: 'None', reason: 'low-score' });
    expect(decide('bill.pay', 'bill', 0.6)).to.include({ intent: 'None', reason: 'low-score' });
    expect(decide('credit.topup', 'phone balance', 0.9).intent).to.equal('credit.topup');
    expect(decide('bill.pay', 'phone data', 0.9)).to.include({ intent: 'None', reason: 'no-transaction-cue' });
  });

  it('answers None when no content word belongs to the domain', () => {
    expect(decide('help', 'weather tomorrow')).to.include({ intent: 'None', reason: 'no-domain-words' });
  });
});
