/**
 * The sandbox processor's card rules (CONTRACTS.md 3.6): `4242424242424242` succeeds, `4000000000000002` is
 * declined, any future expiry, any 3-digit CVC. Malformed input is a form error and charges nothing. Only the
 * brand and the last 4 digits leave this function; the number itself is never returned, stored or logged.
 */
import { luhnValid } from '../../../bot/card-redaction.js';

export const TEST_CARD_SUCCEEDS = '4242424242424242';
export const TEST_CARD_DECLINED = '4000000000000002';

export interface CardForm {
  cardNumber: string;
  expiry: string;
  cvc: string;
}

export type CardField = keyof CardForm;

export interface CardSummary {
  brand: string;
  last4: string;
}

export type CardCheck =
  | { ok: true; outcome: 'succeeds' | 'declined'; card: CardSummary }
  | { ok: false; field: CardField; message: string };

function brandOf(digits: string): string {
  if (digits.startsWith('4')) return 'Visa';
  if (/^(5[1-5]|2[2-7])/.test(digits)) return 'Mastercard';
  if (/^3[47]/.test(digits)) return 'American Express';
  return 'Card';
}

/** `MM/YY`, `MM / YY`, `MM/YYYY` or `MMYY` (what browsers autofill for cc-exp varies). */
function parseExpiry(text: string): { month: number; year: number } | undefined {
  const m = /^\s*(\d{1,2})\s*[/\-.]?\s*(\d{2}|\d{4})\s*$/.exec(text);
  if (!m) return undefined;
  const month = Number(m[1]);
  const year = m[2].length === 2 ? 2000 + Number(m[2]) : Number(m[2]);
  if (month < 1 || month > 12) return undefined;
  return { month, year };
}

export function checkCardForm(form: CardForm, now: Date): CardCheck {
  const digits = form.cardNumber.replace(/[\s-]/g, '');
  if (!/^\d{13,19}$/.test(digits) || !luhnValid(digits)) {
    return { ok: false, field: 'cardNumber', message: 'Enter a valid card number.' };
  }
  const expiry = parseExpiry(form.expiry);
  if (!expiry) return { ok: false, field: 'expiry', message: 'Enter the expiry date as MM/YY.' };
  // A card is valid through the last day of its expiry month.
  const endOfMonth = Date.UTC(expiry.year, expiry.month, 1);
  if (endOfMonth <= now.getTime()) return { ok: false, field: 'expiry', message: 'This card has expired.' };
  if (expiry.year > now.getUTCFullYear() + 25) {
    return { ok: false, field: 'expiry', message: 'Enter the expiry date as MM/YY.' };
  }
  if (!/^\d{3}$/.test(form.cvc.trim())) {
    return { ok: false, field: 'cvc', message: 'Enter the 3-digit security code (CVC).' };
  }
  const card = { brand: brandOf(digits), last4: digits.slice(-4) };
  if (digits === TEST_CARD_SUCCEEDS) return { ok: true, outcome: 'succeeds', card };
  if (digits === TEST_CARD_DECLINED) return { ok: true, outcome: 'declined', card };
  return {
    ok: false,
    field: 'cardNumber',
    message: 'This is a test checkout: use the test card 4242 4242 4242 4242. No real card is charged here.',
  };
}
