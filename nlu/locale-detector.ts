/**
 * Picks 'en' or 'es' for a message. node-nlp's trigram guesser is good on sentences and poor on the two-word
 * messages of a chat ("saldo", "cambiar fb por yt"), so the words each corpus uses decide first, marks only
 * Spanish has (ñ, ¿, ¡, accents) next, and the guesser breaks ties.
 */
import { Language } from './nlpjs-engine.js';
import { foldWord } from './number-words.js';

/** Frequent words of each language, for messages whose words are in neither corpus. */
const COMMON: Record<string, readonly string[]> = {
  en: [
    'the',
    'is',
    'are',
    'what',
    'how',
    'my',
    'i',
    'you',
    'to',
    'and',
    'of',
    'do',
    'have',
    'want',
    'can',
    'please',
    'hi',
    'hello',
    'thanks',
    'with',
    'for',
    'much',
    'many',
    'left',
    'need',
  ],
  es: [
    'el',
    'la',
    'los',
    'las',
    'que',
    'de',
    'mi',
    'yo',
    'tu',
    'es',
    'y',
    'por',
    'para',
    'con',
    'como',
    'cuanto',
    'quiero',
    'tengo',
    'hola',
    'gracias',
    'necesito',
    'favor',
    'me',
    'una',
    'un',
  ],
};

export class LocaleDetector {
  private readonly guesser = new Language();
  private readonly markers: Map<string, Set<string>>;

  /** `vocabularies`: the folded words each locale's corpus uses; words both use say nothing and are dropped. */
  constructor(
    readonly locales: readonly string[],
    vocabularies: Record<string, Iterable<string>>,
  ) {
    this.markers = new Map();
    const sets = locales.map((l) => new Set([...(vocabularies[l] ?? []), ...(COMMON[l] ?? [])]));
    locales.forEach((locale, i) => {
      const own = new Set<string>();
      for (const w of sets[i]) if (sets.every((s, k) => k === i || !s.has(w))) own.add(w);
      this.markers.set(locale, own);
    });
  }

  detect(text: string): string {
    const fallback = this.locales[0];
    const words = (text.match(/[\p{L}]+/gu) ?? []).map(foldWord);
    if (words.length === 0) return fallback;
    const counts = this.locales.map((l) => words.filter((w) => this.markers.get(l)?.has(w)).length);
    if (this.locales.includes('es') && /[ñ¿¡]/i.test(text)) counts[this.locales.indexOf('es')] += 2;
    const best = Math.max(...counts);
    const leaders = this.locales.filter((_, i) => counts[i] === best);
    if (leaders.length === 1) return leaders[0];
    const guess = this.guesser.guess(text, [...leaders], 1)[0];
    return guess && leaders.includes(guess.alpha2) ? guess.alpha2 : fallback;
  }
}
