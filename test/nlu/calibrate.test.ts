/** Threshold selection of `nlu calibrate` on made-up validation observations. */
import { expect } from 'chai';
import { type Observation, pickThresholds } from '../../nlu/calibrate.js';

/** `n` copies of one observation. */
function times(n: number, o: Observation): Observation[] {
  return Array.from({ length: n }, () => o);
}

describe('nlu calibration', () => {
  it('keeps thresholds as low as the out-of-scope targets allow', () => {
    // In-scope answers are confident (0.8); out-of-scope mistakes score 0.45: a threshold above 0.45 turns
    // them into None, and anything up to 0.8 costs no in-scope answer.
    const observations = [
      ...times(90, { expected: 'balance.check', got: 'balance.check', score: 0.8 }),
      ...times(80, { expected: 'None', got: 'None', score: 0.9 }),
      ...times(20, { expected: 'None', got: 'help', score: 0.45 }),
    ];
    const picked = pickThresholds(observations);
    expect(picked.threshold).to.be.within(0.5, 0.8);
    expect(picked.validationNoneRecall).to.equal(1);
    expect(picked.validationInScopeAccuracy).to.equal(1);
  });

  it('raises the transactional threshold to keep false starts under the limit', () => {
    const observations = [
      ...times(90, { expected: 'bundle.buy', got: 'bundle.buy', score: 0.9 }),
      ...times(90, { expected: 'None', got: 'None', score: 0.9 }),
      ...times(10, { expected: 'None', got: 'bundle.buy', score: 0.6 }),
    ];
    const picked = pickThresholds(observations);
    expect(picked.transactionalThreshold).to.be.above(0.6);
    expect(picked.validationOutOfScopeTransactional).to.equal(0);
  });

  it('stays inside its bounds when the targets cannot be met', () => {
    const observations = [
      ...times(50, { expected: 'balance.check', got: 'balance.check', score: 0.99 }),
      ...times(50, { expected: 'None', got: 'balance.check', score: 0.99 }),
    ];
    const picked = pickThresholds(observations);
    expect(picked.threshold).to.be.within(0.3, 0.7);
    expect(picked.transactionalThreshold).to.be.within(picked.threshold, 0.85);
  });
});
