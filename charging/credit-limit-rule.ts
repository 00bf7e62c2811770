import type { Subscriber } from './model.js';

export interface CreditLimitDecision {
  approve: boolean;
  reason: string;
}

/**
 * The rule that decides a credit-limit increase without an agent (documented in charging/README.md too):
 *
 * A request is **approved automatically** when all of these hold:
 * 1. the new limit is at most 50% above the current limit (e.g. 100.00 -> up to 150.00), and
 * 2. no bill of the subscriber is overdue (due date passed with money still owed), and
 * 3. the subscriber has been a customer for at least 30 days.
 *
 * Otherwise it is left **pending** for an agent, who decides with `decideCreditLimit`. Nothing is declined
 * automatically: a "no" is always a person's decision.
 */
export function autoDecideCreditLimit(sub: Subscriber, requested: number, now: Date): CreditLimitDecision {
  const current = sub.account.creditLimit?.amount ?? 0;
  const overdue = sub.bills.some((b) => b.remainingAmount.amount > 0 && Date.parse(b.paymentDueDate) < now.getTime());
  const tenureDays = (now.getTime() - Date.parse(sub.createdAt)) / 86_400_000;
  if (requested > current * 1.5) {
    return { approve: false, reason: 'increase above 50% of the current limit needs an agent' };
  }
  if (overdue) return { approve: false, reason: 'an overdue bill needs an agent to review' };
  if (tenureDays < 30) return { approve: false, reason: 'customers of less than 30 days need an agent to review' };
  return {
    approve: true,
    reason: 'auto-approved: at most 50% above the current limit, no overdue bill, tenure >= 30 days',
  };
}
