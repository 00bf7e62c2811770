/**
 * What the customer reads in the chat when a payment ends: channel-neutral text plus an `openUrl` action for a
 * link (each channel renders it natively). Never contains card data. Pure functions.
 */
import type { Bill, Money } from '../../charging/model.js';

export function formatMoney(value: Money): string {
  try {
    return new Intl.NumberFormat('en', {
      style: 'currency',
      currency: value.currency,
      minimumFractionDigits: 2,
    }).format(value.amount / 100);
  } catch {
    return `${(value.amount / 100).toFixed(2)} ${value.currency}`;
  }
}

const REASONS: Record<string, string> = {
  card_declined: 'the card was declined',
  insufficient_funds: 'the card has insufficient funds',
  expired_card: 'the card has expired',
};

/** A customer-safe phrase for a provider's reason code; unknown codes get a neutral phrase, never the raw code. */
export function reasonInWords(reason: string | undefined): string {
  return REASONS[reason ?? ''] ?? 'the payment was not completed';
}

export function topUpSettledText(paid: Money, balance: Money | undefined): string {
  const head = `✅ Payment received: ${formatMoney(paid)} added to your credit.`;
  return balance ? `${head} Your new balance is ${formatMoney(balance)}.` : head;
}

export function billSettledText(paid: Money, bill: Bill | undefined): string {
  if (!bill) return `✅ Payment received: ${formatMoney(paid)} for your bill. Thank you!`;
  if (bill.remainingAmount.amount <= 0) {
    return `✅ Payment received: ${formatMoney(paid)}. Your bill ${bill.billNo} is now paid. Thank you!`;
  }
  return `✅ Payment received: ${formatMoney(paid)} towards bill ${bill.billNo}. ${formatMoney(bill.remainingAmount)} is still due.`;
}

export function failedText(amount: Money, reason: string | undefined, retryUrl: string | undefined): string {
  const head = `❌ Your payment of ${formatMoney(amount)} didn't go through: ${reasonInWords(reason)}. Nothing was charged.`;
  return retryUrl
    ? `${head} You can try again with another card on this secure page (valid for 30 minutes): ${retryUrl}`
    : `${head} Ask me again whenever you want to pay.`;
}
