/**
 * Numbers written in words, English and Spanish ("twenty five", "one hundred and fifty", "treinta y cinco",
 * "doscientos", "mil"). Subscribers type amounts this way on WhatsApp as often as digits.
 */

const SMALL: Record<string, number> = {
  // English
  zero: 0,
  one: 1,
  two: 2,
  three: 3,
  four: 4,
  five: 5,
  six: 6,
  seven: 7,
  eight: 8,
  nine: 9,
  ten: 10,
  eleven: 11,
  twelve: 12,
  thirteen: 13,
  fourteen: 14,
  fifteen: 15,
  sixteen: 16,
  seventeen: 17,
  eighteen: 18,
  nineteen: 19,
  twenty: 20,
  thirty: 30,
  forty: 40,
  fourty: 40,
  fifty: 50,
  sixty: 60,
  seventy: 70,
  eighty: 80,
  ninety: 90,
  // Spanish ("un"/"una" are articles far more often than numbers, so they only count inside a longer number)
  cero: 0,
  uno: 1,
  dos: 2,
  tres: 3,
  cuatro: 4,
  cinco: 5,
  seis: 6,
  siete: 7,
  ocho: 8,
  nueve: 9,
  diez: 10,
  once: 11,
  doce: 12,
  trece: 13,
  catorce: 14,
  quince: 15,
  dieciseis: 16,
  diecisiete: 17,
  dieciocho: 18,
  diecinueve: 19,
  veinte: 20,
  veintiuno: 21,
  veintiun: 21,
  veintidos: 22,
  veintitres: 23,
  veinticuatro: 24,
  veinticinco: 25,
  veintiseis: 26,
  veintisiete: 27,
  veintiocho: 28,
  veintinueve: 29,
  treinta: 30,
  cuarenta: 40,
  cincuenta: 50,
  sesenta: 60,
  setenta: 70,
  ochenta: 80,
  noventa: 90,
  cien: 100,
  ciento: 100,
  doscientos: 200,
  doscientas: 200,
  trescientos: 300,
  trescientas: 300,
  cuatrocientos: 400,
  cuatrocientas: 400,
  quinientos: 500,
  quinientas: 500,
  seiscientos: 600,
  seiscientas: 600,
  setecientos: 700,
  setecientas: 700,
  ochocientos: 800,
  ochocientas: 800,
  novecientos: 900,
  novecientas: 900,
};

/** Words that only continue a number already started ("un mil" is not written, but "veintiún mil" is). */
const INNER_ONLY: Record<string, number> = { un: 1, una: 1, a: 1 };

const MULTIPLIERS: Record<string, number> = { hundred: 100, thousand: 1000, mil: 1000 };
const JOINERS = new Set(['and', 'y']);

/** Lower-cases and strips accents so "dieciséis" and "DIECISEIS" read the same. */
export function foldWord(word: string): string {
  return word
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '');
}

/** True when the word starts a number on its own. */
export function isNumberWord(word: string): boolean {
  const w = foldWord(word);
  return w in SMALL || w === 'hundred' || w === 'thousand' || w === 'mil';
}

/** A run of words that reads as one number, with its position in the word list. */
export interface NumberWordRun {
  value: number;
  /** Index of the first and one past the last word used. */
  from: number;
  to: number;
}

/**
 * Finds maximal runs of number words in a list of words. Hyphenated forms ("twenty-five") must be split into
 * words by the caller. "and"/"y" join only where they do in writing: "one hundred and five", "treinta y cinco".
 */
export function findNumberWordRuns(words: readonly string[]): NumberWordRun[] {
  const runs: NumberWordRun[] = [];
  let i = 0;
  while (i < words.length) {
    const first = foldWord(words[i]);
    if (!(first in SMALL) && !(first in MULTIPLIERS) && !(first in INNER_ONLY && nextIsMultiplier(words, i))) {
      i += 1;
      continue;
    }
    let total = 0;
    let current = 0;
    let last = -1;
    let lastValue = -1;
    let j = i;
    while (j < words.length) {
      const w = foldWord(words[j]);
      if (w in MULTIPLIERS) {
        const m = MULTIPLIERS[w];
        if (m === 100) current = (current || 1) * 100;
        else {
          total += (current || 1) * m;
          current = 0;
        }
        last = j;
        lastValue = m;
      } else if (w in SMALL) {
        const v = SMALL[w];
        // "five ten" is two numbers; "twenty five" and "ciento veinte" are one.
        if (last >= 0 && !canFollow(lastValue, v)) break;
        current += v;
        last = j;
        lastValue = v;
      } else if (w in INNER_ONLY && j === i && nextIsMultiplier(words, j)) {
        current += INNER_ONLY[w];
        last = j;
        lastValue = 1;
      } else if (JOINERS.has(w) && last === j - 1 && j + 1 < words.length) {
        const next = foldWord(words[j + 1]);
        const nextValue = SMALL[next];
        const joins =
          nextValue !== undefined &&
          ((w === 'y' && lastValue >= 20 && lastValue % 10 === 0 && lastValue < 100 && nextValue < 10) ||
            (w === 'and' && lastValue >= 100 && nextValue < 100));
        if (!joins) break;
      } else break;
      j += 1;
    }
    if (last >= i) {
      runs.push({ value: total + current, from: i, to: last + 1 });
      i = last + 1;
    } else i += 1;
  }
  return runs;
}

function nextIsMultiplier(words: readonly string[], i: number): boolean {
  return i + 1 < words.length && foldWord(words[i + 1]) in MULTIPLIERS;
}

/** Whether a small number may directly follow the previous number word inside one number. */
function canFollow(previous: number, next: number): boolean {
  if (previous >= 100) return next < previous;
  if (previous >= 20 && previous % 10 === 0) return next < 10 && next > 0;
  return false;
}
