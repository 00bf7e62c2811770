/**
 * Carrier-phrase augmentation of the training utterances. People wrap requests in phrases that say nothing
 * about the request ("hey", "can you tell me", "i need to know", "please"). node-nlp's intents are one-vs-rest
 * perceptrons over words: when such carriers happen to appear mostly in `None` examples ("can you tell me a
 * joke") they become evidence against every intent, and "hey can you tell me how much data i got" reads as
 * None. Adding, for a fixed share of the utterances of every task intent and of `None` alike, a copy wrapped
 * in a carrier makes the carriers neutral. Deterministic: the carrier is picked by position, no randomness.
 */
import type { IntentName } from './recognizer.js';

const CARRIERS: Record<string, readonly string[]> = {
  en: [
    'hey {}',
    '{} please',
    'can you tell me {}',
    'i need to know {}',
    'quick question {}',
    'hi {}',
    'i would like to know {}',
    '{} thanks',
  ],
  es: [
    'oye {}',
    '{} por favor',
    'me puedes decir {}',
    'necesito saber {}',
    'una pregunta {}',
    'hola {}',
    'quisiera saber {}',
    '{} gracias',
  ],
};

/** Conversational intents are the carriers themselves ("hi", "thanks"): they are not wrapped. */
const UNWRAPPED: readonly IntentName[] = ['greeting', 'goodbye', 'thanks', 'help', 'cancel'];

/** One utterance in this many gets a wrapped copy. */
const EVERY = 3;

/** The utterances of one intent plus their carrier-wrapped copies. */
export function withCarriers(intent: IntentName, utterances: readonly string[], locale: string): string[] {
  if (UNWRAPPED.includes(intent)) return [...utterances];
  const carriers = CARRIERS[locale] ?? CARRIERS.en;
  const out = [...utterances];
  utterances.forEach((u, i) => {
    if (i % EVERY !== 0) return;
    const carrier = carriers[(i / EVERY) % carriers.length];
    out.push(carrier.replace('{}', u));
  });
  return out;
}
