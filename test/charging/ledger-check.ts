import type { LedgerEntry, Subscriber } from '../../charging/model.js';

/**
 * Checks the ledger against the balances: per target, the deltas sum to the current value and each entry's
 * `after` is the running sum. Returns the mismatches (empty when all is right).
 */
export function ledgerMismatches(sub: Subscriber, ledger: LedgerEntry[]): string[] {
  const sums = new Map<string, number>();
  const problems: string[] = [];
  for (const e of ledger) {
    const s = (sums.get(e.target) ?? 0) + e.delta;
    sums.set(e.target, s);
    if (s !== e.after) problems.push(`${e.target}: entry ${e.id} after=${e.after} but running sum=${s}`);
  }
  const expect = (target: string, value: number) => {
    const s = sums.get(target) ?? 0;
    if (s !== value) problems.push(`${target}: ledger sums to ${s}, balance is ${value}`);
  };
  expect('account', sub.account.balance.amount);
  expect('creditLimit', sub.account.creditLimit?.amount ?? 0);
  for (const b of sub.buckets) expect(b.id, b.remainingValue);
  for (const b of sub.bills) expect(`bill:${b.id}`, b.remainingAmount.amount);
  for (const b of sub.buckets) if (b.remainingValue < 0) problems.push(`${b.id} is negative`);
  return problems;
}
