/** Reading the recogniser's entities the way the dialogs need them. Pure functions. */
import type { Entity, Recognition } from '../nlu/recognizer.js';

export function entitiesOf(recognition: Recognition, type: Entity['type']): Entity[] {
  return recognition.entities.filter((e) => e.type === type).sort((a, b) => a.start - b.start);
}

export function firstNumber(recognition: Recognition, type: 'quantity' | 'money'): number | undefined {
  const e = entitiesOf(recognition, type)[0];
  const n = typeof e?.value === 'number' ? e.value : Number(e?.value);
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

const TO_WORDS = /(?:^|\s)(?:to|into|for|a|por|para|en)\s+(?:my\s+|mis\s+)?$/i;
const FROM_WORDS = /(?:^|\s)(?:from|de|desde|using|with|con)\s+(?:my\s+|mis\s+)?$/i;

/**
 * Which apps a swap request names as source and target. "swap 10 fb for yt", "give me youtube from my
 * facebook": a preposition right before an app decides its role; otherwise the first named app is the source.
 */
export function swapApps(recognition: Recognition): { from?: string; to?: string } {
  const apps = entitiesOf(recognition, 'app');
  let from: string | undefined;
  let to: string | undefined;
  const unassigned: string[] = [];
  for (const app of apps) {
    const before = recognition.text.slice(Math.max(0, app.start - 12), app.start);
    const value = String(app.value);
    if (!to && TO_WORDS.test(before)) to = value;
    else if (!from && FROM_WORDS.test(before)) from = value;
    else unassigned.push(value);
  }
  for (const value of unassigned) {
    // The same app twice stays as written, so the core answers SWAP.SAME_APP.
    if (!from) from = value;
    else if (!to) to = value;
  }
  return { from, to };
}
