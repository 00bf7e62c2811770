/**
 * Payments are created in the core and paid on the checkout page `{PUBLIC_URL}/pay/{paymentId}`
 * (CONTRACTS.md 3.6): the bot only ever sends that link, never asks for card details.
 */
import type { TurnContext } from 'botbuilder';
import type { Payment } from '../charging/model.js';
import type { DialogDeps } from './dialog-deps.js';
import { money } from './format.js';
import { paymentLink } from './replies.js';
import { sessionOf } from './session.js';

export function paymentUrl(publicUrl: string, paymentId: string): string {
  return `${publicUrl}/pay/${encodeURIComponent(paymentId)}`;
}

/** Sends the link (as text and as an `openUrl` action) and remembers it as this conversation's open payment. */
export async function sendPaymentLink(context: TurnContext, deps: DialogDeps, payment: Payment): Promise<void> {
  const session = sessionOf(context);
  const { texts } = session;
  const url = paymentUrl(deps.publicUrl, payment.id);
  const minutes = Math.max(1, Math.round((Date.parse(payment.expiresAt) - deps.clock.now().getTime()) / 60_000));
  const amount = money(payment.amount, texts);
  await context.sendActivity(paymentLink(texts.payLink(amount, url, minutes), texts.payButton(amount), url));
  session.data.pendingPayment = { id: payment.id, url, expiresAt: payment.expiresAt };
}

/**
 * The conversation's payment that can still be paid, if any (checked with the core, so a settled, failed or
 * expired one is forgotten).
 */
export async function openPayment(context: TurnContext, deps: DialogDeps): Promise<Payment | undefined> {
  const session = sessionOf(context);
  const pending = session.data.pendingPayment;
  if (!pending) return undefined;
  const found = await deps.charging.getPayment(pending.id);
  if (!found.ok) {
    if (found.error.code !== 'CHARGING.UNAVAILABLE') session.data.pendingPayment = undefined;
    return undefined;
  }
  const p = found.value;
  const open =
    (p.status === 'created' || p.status === 'pending') && Date.parse(p.expiresAt) > deps.clock.now().getTime();
  if (!open) session.data.pendingPayment = undefined;
  return open ? p : undefined;
}
