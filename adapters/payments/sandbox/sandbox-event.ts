/**
 * The notification the sandbox processor sends to `POST /payments/webhooks/sandbox`, in the shape card
 * processors use (an event with an id, a type and the charge). Only the brand and last 4 digits of the card
 * travel: the card number never leaves the processor's request handler.
 */
export interface SandboxChargeEvent {
  /** Stable per charge outcome: a redelivery carries the same id. */
  id: string;
  type: 'charge.succeeded' | 'charge.failed';
  /** Unix seconds. */
  created: number;
  data: {
    paymentId: string;
    chargeId: string;
    amount: number;
    currency: string;
    card: { brand: string; last4: string };
    /** `charge.failed` only: a customer-safe reason code (`card_declined`). */
    failureCode?: string;
  };
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const isText = (v: unknown, max = 200): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;

/** Parses a verified body; `undefined` when it is not a sandbox charge event. */
export function parseSandboxChargeEvent(raw: Uint8Array): SandboxChargeEvent | undefined {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(raw).toString('utf8'));
  } catch {
    return undefined;
  }
  if (!isRecord(value) || !isRecord(value.data) || !isRecord(value.data.card)) return undefined;
  const { id, type, created, data } = value;
  const card = data.card as Record<string, unknown>;
  if (!isText(id) || (type !== 'charge.succeeded' && type !== 'charge.failed')) return undefined;
  if (typeof created !== 'number' || !Number.isInteger(created)) return undefined;
  if (!isText(data.paymentId) || !isText(data.chargeId) || !isText(data.currency, 3)) return undefined;
  if (typeof data.amount !== 'number' || !Number.isInteger(data.amount) || data.amount <= 0) return undefined;
  if (!isText(card.brand, 20) || typeof card.last4 !== 'string' || !/^\d{4}$/.test(card.last4)) return undefined;
  if (type === 'charge.failed' && !isText(data.failureCode, 60)) return undefined;
  return {
    id,
    type,
    created,
    data: {
      paymentId: data.paymentId,
      chargeId: data.chargeId,
      amount: data.amount,
      currency: data.currency,
      card: { brand: card.brand, last4: card.last4 },
      ...(type === 'charge.failed' ? { failureCode: data.failureCode as string } : {}),
    },
  };
}
