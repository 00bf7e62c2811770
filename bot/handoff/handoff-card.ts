/**
 * Builds the desk's context card of a handoff from its record and the charging core: who the customer is
 * (masked number), plan, balances, open bill, recent payments, a pending credit-limit request, why they were
 * escalated and the last turns. A customer without an account (or a core that is down) still gets a card.
 */
import type { ChargingService } from '../../charging/ports.js';
import type { Money, Subscriber } from '../../charging/model.js';
import type { HandoffCard } from './desk.port.js';
import type { HandoffRecord } from './handoff.model.js';
import { maskMsisdn } from './mask-msisdn.js';

/** Turns on the card: enough to see what went wrong, short enough to read at a glance. */
export const CARD_TURNS = 8;

export function formatMoney(money: Money): string {
  const sign = money.amount < 0 ? '-' : '';
  return `${sign}${(Math.abs(money.amount) / 100).toFixed(2)} ${money.currency}`;
}

export async function buildHandoffCard(
  record: HandoffRecord,
  charging: ChargingService,
  extra: { estimatedWaitMinutes?: number } = {},
): Promise<HandoffCard> {
  let subscriber: Subscriber | undefined;
  if (record.msisdn) {
    const found = await charging.getSubscriber(record.msisdn);
    if (found.ok) subscriber = found.value;
  }
  const catalog = await charging.getCatalog();
  const card: HandoffCard = {
    handoffId: record.id,
    state: record.state,
    channelId: record.channelId,
    customer: {
      name: subscriber?.name,
      maskedMsisdn: record.msisdn ? maskMsisdn(record.msisdn) : undefined,
      plan: subscriber?.plan,
      language: subscriber?.language,
    },
    buckets: [],
    recentPayments: [],
    reason: record.reason,
    sentiment: record.sentiment,
    lastTurns: record.turns.slice(-CARD_TURNS),
    agentId: record.agentId,
    queuedAt: record.createdAt,
    estimatedWaitMinutes: extra.estimatedWaitMinutes,
    callbackOffered: record.callbackOfferedAt !== undefined,
    callbackMessage: record.callbackMessage,
    resolvedBy: record.resolvedBy,
    rating: record.rating,
    grantableApps: catalog.ok ? catalog.value.apps.map((a) => ({ id: a.id, name: a.name })) : [],
    currency: subscriber?.account.balance.currency ?? (catalog.ok ? catalog.value.currency : undefined),
  };
  if (!subscriber) return card;

  card.balance = formatMoney(subscriber.account.balance);
  if (subscriber.account.creditLimit) card.creditLimit = formatMoney(subscriber.account.creditLimit);
  card.buckets = subscriber.buckets.map(
    (b) => `${b.name}: ${b.remainingValue} of ${b.initialValue} (until ${b.validFor.endDateTime.slice(0, 10)})`,
  );
  const open = [...subscriber.bills]
    .filter((b) => b.state !== 'settled')
    .sort((a, b) => b.billDate.localeCompare(a.billDate))[0];
  if (open) {
    card.openBill = {
      billNo: open.billNo,
      remaining: formatMoney(open.remainingAmount),
      dueDate: open.paymentDueDate.slice(0, 10),
      state: open.state,
    };
  }
  card.recentPayments = [...subscriber.payments]
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .slice(0, 3)
    .map((p) => `${formatMoney(p.amount)} ${p.status} on ${p.createdAt.slice(0, 10)}`);
  const pending = (subscriber.creditLimitRequests ?? []).filter((r) => r.status === 'pending');
  const request = pending.find((r) => r.id === record.creditLimitRequestId) ?? pending[pending.length - 1];
  if (request) {
    card.pendingCreditLimit = {
      requestId: request.id,
      requested: formatMoney(request.requested),
      previous: formatMoney(request.previous),
    };
  }
  return card;
}
