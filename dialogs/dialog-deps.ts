/**
 * What the dialogs need from the outside, as small ports declared here (dialogs import no bot/ code).
 * `bot/` implements them: one-time codes over the SMS port, the handoff hook, the clock.
 */
import type { TurnContext } from 'botbuilder';
import type { ChargingService, Clock } from '../charging/ports.js';

export type CheckCodeOutcome =
  | { status: 'verified' }
  | { status: 'wrong'; attemptsLeft: number }
  | { status: 'expired' }
  | { status: 'too_many_attempts' }
  | { status: 'no_code' };

/**
 * Proves that the person in a conversation owns an MSISDN, with a 6-digit one-time code sent by SMS.
 * `requester` identifies the channel user asking (so two people cannot consume each other's codes).
 */
export interface IdentityVerifier {
  /** Sends a fresh code (replacing any earlier one). `message` renders the SMS text around the code. */
  sendCode(requester: string, msisdn: string, message: (code: string) => string): Promise<'sent' | 'rate_limited'>;
  checkCode(requester: string, msisdn: string, code: string): Promise<CheckCodeOutcome>;
}

export type HandoffReason = 'customer_request' | 'misunderstood' | 'credit_limit_review' | 'negative_sentiment';

export interface HandoffRequest {
  reason: HandoffReason;
  note?: string;
  announce?: boolean;
}

/** Asks for a human. The default emits Bot Framework's `handoff.initiate` event; the agent desk replaces it. */
export interface HandoffRequester {
  /**
   * `note`: safe context for the agent (e.g. a credit-limit request id). `announce` (default true): tell the
   * customer a person is being asked; false when the dialog already told them what happens next.
   */
  initiate(context: TurnContext, request: HandoffRequest): Promise<void>;
}

export interface DialogDeps {
  charging: ChargingService;
  verifier: IdentityVerifier;
  handoff: HandoffRequester;
  clock: Clock;
  /** Base of the payment links `{publicUrl}/pay/{paymentId}` (CONTRACTS.md 3.6). */
  publicUrl: string;
}
