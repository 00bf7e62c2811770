/**
 * The agent desk as the handoff service sees it: where cases open, where the customer's words go, and where the
 * case's state is shown. Slack (`adapters/desk/slack/`) is one implementation; tests may use a recording one.
 */
import type { HandoffReason, HandoffState, TranscriptTurn } from './handoff.model.js';

/** Everything an agent needs at a glance. Channel-neutral: each desk renders it in its own way. */
export interface HandoffCard {
  handoffId: string;
  state: HandoffState;
  channelId: string;
  customer: {
    name?: string;
    /** Masked for display, e.g. `+1555•••0001`; the full number never reaches the desk. */
    maskedMsisdn?: string;
    plan?: string;
    language?: string;
  };
  /** Monetary balance and credit limit, already formatted (`12.50 USD`). */
  balance?: string;
  creditLimit?: string;
  /** One line per bucket, e.g. `YouTube sessions: 8 of 10 (until 2025-02-14)`. */
  buckets: string[];
  openBill?: { billNo: string; remaining: string; dueDate: string; state: string };
  recentPayments: string[];
  pendingCreditLimit?: { requestId: string; requested: string; previous: string };
  reason: HandoffReason;
  sentiment?: number;
  lastTurns: TranscriptTurn[];
  agentId?: string;
  queuedAt: string;
  /** Minutes the customer was told to expect. */
  estimatedWaitMinutes?: number;
  callbackOffered: boolean;
  callbackMessage?: string;
  resolvedBy?: string;
  rating?: number;
  /** Apps whose sessions an agent may grant, for the goodwill form (`youtube`, `facebook`...). */
  grantableApps: { id: string; name: string }[];
  currency?: string;
}

/** The desk port: 3 methods. Every method may be retried by the caller, so implementations avoid side effects beyond the post. */
export interface Desk {
  /** Opens a case for a new handoff; returns an opaque case reference (Slack: `channel/ts`). */
  openCase(card: HandoffCard): Promise<string>;
  /** Posts into the case's conversation: a customer message (`from: 'customer'`) or a note. */
  post(caseRef: string, message: { from: 'customer' | 'system'; text: string }): Promise<void>;
  /** Re-renders the case's card after a state change (claimed, timed out, resolved, account changed). */
  updateCase(caseRef: string, card: HandoffCard): Promise<void>;
}
