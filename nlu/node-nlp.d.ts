/**
 * The part of node-nlp (a CommonJS package without type declarations) this folder uses. Kept minimal and
 * checked against node-nlp 4.27's sources: `NlpManager`, its inner `nlp.classify`, `SentimentAnalyzer`, `Language`.
 */
declare module 'node-nlp' {
  export interface NlpClassification {
    intent: string;
    score: number;
  }

  export interface NlpClassifyResult {
    locale: string;
    utterance: string;
    intent: string;
    score: number;
    classifications: NlpClassification[];
  }

  export interface NlpManagerSettings {
    languages?: string[];
    autoSave?: boolean;
    autoLoad?: boolean;
    modelFileName?: string;
    forceNER?: boolean;
    nlu?: Record<string, unknown>;
    ner?: Record<string, unknown>;
  }

  /** The inner `@nlpjs/nlp` instance: `classify` runs the intent classifier only (no NER, no sentiment). */
  export interface InnerNlp {
    classify(locale: string, utterance: string): Promise<NlpClassifyResult>;
  }

  export class NlpManager {
    constructor(settings?: NlpManagerSettings);
    readonly nlp: InnerNlp;
    /** The @nlpjs container; `get('stemmer-en')` returns the locale's stemmer. */
    readonly container: { get(name: string): unknown };
    addLanguage(locales: string | string[]): void;
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    export(minified?: boolean): string;
    import(data: string | object): void;
  }

  export interface SentimentResult {
    score: number;
    numWords: number;
    numHits: number;
    average: number;
    type: string;
    locale: string;
    vote: 'positive' | 'neutral' | 'negative';
  }

  export class SentimentAnalyzer {
    constructor(settings?: { language?: string });
    getSentiment(utterance: string, locale?: string): Promise<SentimentResult>;
  }

  export interface LanguageGuess {
    alpha3: string;
    alpha2: string;
    language: string;
    score: number;
  }

  export class Language {
    guess(utterance: string, allowList?: string[], limit?: number): LanguageGuess[];
    guessBest(utterance: string, allowList?: string[]): LanguageGuess;
  }
}
