/**
 * "stop alerts" / "start alerts" (and Spanish) as the customer types them: recognised by phrase, not by the
 * recogniser (which would call "stop alerts" a cancel), and answered in the language of the phrase. Pure.
 */
import type { CareLocale } from './care-messages.js';

export type AlertCommand = { optIn: boolean; locale: CareLocale };

const PHRASES: Record<string, AlertCommand> = {};
function add(locale: CareLocale, optIn: boolean, phrases: string[]): void {
  for (const p of phrases) PHRASES[p] = { optIn, locale };
}
add('en', false, [
  'stop alerts',
  'stop alert',
  'stop the alerts',
  'stop notifications',
  'alerts off',
  'turn off alerts',
  'turn alerts off',
  'no more alerts',
  'unsubscribe alerts',
  'unsubscribe from alerts',
  'disable alerts',
  'mute alerts',
]);
add('en', true, [
  'start alerts',
  'start alert',
  'start the alerts',
  'start notifications',
  'alerts on',
  'turn on alerts',
  'turn alerts on',
  'resume alerts',
  'enable alerts',
  'subscribe to alerts',
  'unmute alerts',
]);
add('es', false, [
  'parar alertas',
  'para las alertas',
  'para alertas',
  'detener alertas',
  'desactivar alertas',
  'desactiva las alertas',
  'desactiva alertas',
  'no mas alertas',
  'sin alertas',
  'stop alertas',
  'quitar alertas',
  'cancelar alertas',
]);
add('es', true, [
  'activar alertas',
  'activa las alertas',
  'activa alertas',
  'reanudar alertas',
  'iniciar alertas',
  'quiero alertas',
  'volver a recibir alertas',
  'start alertas',
]);

/** Lower case, no accents, no punctuation, single spaces: "¡Stop   Alerts!" -> "stop alerts". */
function normalise(text: string): string {
  return text
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}\s]/gu, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .replace(/^(please|por favor) /, '')
    .replace(/ (please|por favor)$/, '');
}

/** The command this message is, if it is one (the whole message, not a sentence that mentions alerts). */
export function alertCommandOf(text: string | undefined): AlertCommand | undefined {
  if (!text || text.length > 60) return undefined;
  return PHRASES[normalise(text)];
}

export const CONFIRMATIONS: Record<CareLocale, { stopped: string; started: string; unknown: string }> = {
  en: {
    stopped: 'Done: I won\'t send you alerts any more. Say "start alerts" whenever you want them back.',
    started:
      'Done: I\'ll let you know when something needs your attention (low balance, bills due, bundles expiring). Say "stop alerts" to stop them.',
    unknown:
      'Alerts go to customers I know. Tell me what you need first (for example "my balance") so I can verify you, then say it again.',
  },
  es: {
    stopped: 'Hecho: ya no te enviaré alertas. Escribe "activar alertas" cuando quieras recibirlas de nuevo.',
    started:
      'Hecho: te avisaré cuando algo necesite tu atención (saldo bajo, facturas por vencer, paquetes que caducan). Escribe "parar alertas" para dejar de recibirlas.',
    unknown:
      'Las alertas son para clientes que conozco. Dime primero qué necesitas (por ejemplo "mi saldo") para verificarte y vuelve a escribirlo.',
  },
};
