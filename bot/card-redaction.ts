/**
 * Card numbers typed into the chat are never stored, logged, mirrored or echoed: every channel adapter
 * passes inbound text through `redactCardNumbers` before anything else sees it.
 * A card number here is 13 to 19 digits, optionally separated by single spaces or dashes, passing Luhn.
 */
const CANDIDATE = /(?<![\d])(?:\d[ -]?){12,18}\d(?![\d])/g;

export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum % 10 === 0;
}

export const CARD_PLACEHOLDER = '[card number removed]';

/** Returns the text with card numbers replaced, and whether any was found. */
export function redactCardNumbers(text: string): { text: string; found: boolean } {
  let found = false;
  const out = text.replace(CANDIDATE, (match) => {
    const digits = match.replace(/[ -]/g, '');
    if (digits.length < 13 || digits.length > 19 || !luhnValid(digits)) return match;
    found = true;
    return CARD_PLACEHOLDER;
  });
  return { text: out, found };
}
