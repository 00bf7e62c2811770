/**
 * The understanding port. The bot depends on this interface only; `nlu/nlpjs-recognizer.ts` implements it
 * with node-nlp. Intent names are those of CONTRACTS.md section 5 and are part of the external interface.
 */
export const INTENTS = [
  'balance.check',
  'bundle.swap',
  'bundle.buy',
  'credit.topup',
  'bill.status',
  'bill.explain',
  'bill.pay',
  'credit_limit.increase',
  'offers.recommend',
  'agent.handoff',
  'greeting',
  'goodbye',
  'thanks',
  'help',
  'cancel',
  'None',
] as const;

export type IntentName = (typeof INTENTS)[number];

/** Intents that start a transaction: never started from an utterance the recognizer is unsure of. */
export const TRANSACTIONAL_INTENTS: readonly IntentName[] = [
  'bundle.swap',
  'bundle.buy',
  'credit.topup',
  'bill.pay',
  'credit_limit.increase',
];

export type EntityType = 'app' | 'quantity' | 'money' | 'unit' | 'msisdn' | 'otp';

export interface Entity {
  type: EntityType;
  /** Normalised value: app id ('youtube'), integer quantity, money in minor units, unit ('MB','minute','SMS','session'), E.164 msisdn, 6-digit code. */
  value: string | number;
  /** The text as written. */
  text: string;
  start: number;
  end: number;
  /** For money: the currency when written ('USD', 'EUR', ...). For quantity: the unit it is attached to when written ('GB' converts to MB in value). */
  currency?: string;
  unit?: string;
}

export interface Sentiment {
  /** node-nlp's sentiment score; below 0 is negative. */
  score: number;
  vote: 'positive' | 'neutral' | 'negative';
}

export interface Recognition {
  text: string;
  locale: string;
  intent: IntentName;
  score: number;
  entities: Entity[];
  sentiment: Sentiment;
}

export interface Recognizer {
  /** `locale` when known (the subscriber's language); otherwise detected from the text. */
  recognize(text: string, locale?: string): Promise<Recognition>;
  /** Best guess of the language of a text among the supported locales ('en', 'es'). */
  detectLocale(text: string): string;
  readonly locales: readonly string[];
}
