import { en } from './en.js';
import { es } from './es.js';
import type { Texts } from './texts.js';

export type { MenuEntry, Texts } from './texts.js';

const BY_LOCALE: Record<string, Texts> = { en, es };

/** Wording for a locale ('es', 'es-ES', 'en-US'...); English when the language is not supported. */
export function textsFor(locale: string | undefined): Texts {
  const lang = (locale ?? 'en').toLowerCase().split(/[-_]/)[0];
  return BY_LOCALE[lang] ?? en;
}

export const SUPPORTED_LOCALES = Object.keys(BY_LOCALE);
export const ALL_TEXTS: readonly Texts[] = [en, es];
