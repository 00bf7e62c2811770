/**
 * The parts of the @nlpjs packages (node-nlp 4's engine; CommonJS without type declarations) this folder uses,
 * checked against their 4.25-4.27 sources. Kept minimal.
 */
declare module '@nlpjs/core' {
  import type { NlpContainer } from '@nlpjs/nlp';
  export function containerBootstrap(): NlpContainer;
}

declare module '@nlpjs/nlp' {
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

  /** The @nlpjs dependency-injection container. */
  export interface NlpContainer {
    get(name: string): unknown;
    use(plugin: unknown): void;
    register(name: string, value: unknown, isSingleton?: boolean): void;
    registerConfiguration(tag: string, config: Record<string, unknown>, overwrite?: boolean): void;
  }

  export interface NlpSettings {
    container?: NlpContainer;
    languages?: string[];
    autoSave?: boolean;
    autoLoad?: boolean;
    forceNER?: boolean;
    nlu?: Record<string, unknown>;
  }

  export class Nlp {
    constructor(settings?: NlpSettings);
    addDocument(locale: string, utterance: string, intent: string): void;
    train(): Promise<unknown>;
    /** The intent classifier only (no NER, no sentiment). */
    classify(locale: string, utterance: string): Promise<NlpClassifyResult>;
    toJSON(): object;
    fromJSON(model: object): void;
  }
}

declare module '@nlpjs/lang-en' {
  export const LangEn: unknown;
}

declare module '@nlpjs/lang-es' {
  export const LangEs: unknown;
}

declare module '@nlpjs/evaluator' {
  export const Evaluator: unknown;
  export const Template: unknown;
}

declare module '@nlpjs/request' {
  export const fs: unknown;
}

declare module '@nlpjs/nlu' {
  export const Nlu: unknown;
}

declare module '@nlpjs/sentiment' {
  import type { NlpContainer } from '@nlpjs/nlp';

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
    constructor(settings: Record<string, unknown>, container: NlpContainer);
    process(input: { utterance: string; locale: string }): Promise<{ sentiment: SentimentResult }>;
  }
}

declare module '@nlpjs/language' {
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
