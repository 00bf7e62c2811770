/**
 * node-nlp's engine, loaded piece by piece. node-nlp 4 is a facade over the @nlpjs packages: its `NlpManager`
 * builds an `@nlpjs/nlp` instance on a container that it fills with the resources of some 40 languages
 * (`@nlpjs/lang-all`), Microsoft's built-in entity recognizers and an Excel reader. Loading all that took about
 * 1 s of every start (more than botbuilder and restify together) and tens of MB of memory, for a bot that speaks
 * English and Spanish and extracts its entities itself (`entities.ts`).
 *
 * `NlpEngine` builds the same engine as `NlpManager` does (same plugins, same `Nlp` settings, so the same training
 * and the same model JSON: checked against node-nlp 4.27, byte for byte on our corpora), with only the languages
 * we speak. Its container comes from `@nlpjs/core`, not `@nlpjs/core-loader` as NlpManager's did: the latter also
 * reads `.env`, `conf.json` and pipeline files from the working directory into the engine and `process.env`.
 * The same goes for the sentiment analyzer and the language guesser.
 */
import { containerBootstrap } from '@nlpjs/core';
import { Evaluator, Template } from '@nlpjs/evaluator';
import { LangEn } from '@nlpjs/lang-en';
import { LangEs } from '@nlpjs/lang-es';
import { Language } from '@nlpjs/language';
import { Nlp, type NlpClassifyResult, type NlpContainer, type NlpSettings } from '@nlpjs/nlp';
import { Nlu } from '@nlpjs/nlu';
import { fs as requestFs } from '@nlpjs/request';
import { SentimentAnalyzer as SentimentAnalyzerBase, type SentimentResult } from '@nlpjs/sentiment';

/** The languages the engine is built with (each one's tokenizer, stemmer, stopwords and sentiment lexicon). */
const LANGUAGE_PLUGINS = { en: LangEn, es: LangEs } as const;
export type EngineLocale = keyof typeof LANGUAGE_PLUGINS;

export function isEngineLocale(locale: string): locale is EngineLocale {
  return Object.hasOwn(LANGUAGE_PLUGINS, locale);
}

function useLanguages(container: NlpContainer, locales: readonly string[]): void {
  for (const locale of locales) {
    if (!isEngineLocale(locale)) throw new Error(`nlu: no language resources for locale "${locale}"`);
    container.use(LANGUAGE_PLUGINS[locale]);
  }
}

/** What `NlpManager` did for us: an `Nlp` on a configured container, with node-nlp's export/import format. */
export class NlpEngine {
  readonly container: NlpContainer;
  readonly nlp: Nlp;

  constructor(settings: Omit<NlpSettings, 'container'> & { languages: string[] }) {
    // As NlpManager's constructor, minus the languages we do not speak and the built-in entity extractors
    // (only `process` with NER uses them; we call `classify`).
    const container = containerBootstrap();
    container.registerConfiguration('ner', { entityPreffix: '%', entitySuffix: '%' });
    container.register('fs', requestFs);
    container.register('Language', Language, false);
    useLanguages(container, settings.languages);
    container.use(Evaluator);
    container.use(Template);
    this.container = container;
    this.nlp = new Nlp({ ...settings, container });
  }

  addDocument(locale: string, utterance: string, intent: string): void {
    this.nlp.addDocument(locale, utterance, intent);
  }

  train(): Promise<unknown> {
    return this.nlp.train();
  }

  classify(locale: string, utterance: string): Promise<NlpClassifyResult> {
    return this.nlp.classify(locale, utterance);
  }

  /** The trained model as JSON text (NlpManager's `export`). */
  export(minified = false): string {
    const model = this.nlp.toJSON();
    return minified ? JSON.stringify(model) : JSON.stringify(model, null, 2);
  }

  /** Loads a model written by `export` (or by NlpManager's). */
  import(data: string | object): void {
    this.nlp.fromJSON(typeof data === 'string' ? (JSON.parse(data) as object) : data);
  }
}

/** node-nlp's `SentimentAnalyzer` for one language, on its own container with only that language's lexicon. */
export class SentimentAnalyzer {
  readonly #base: SentimentAnalyzerBase;

  constructor(locale: string) {
    const container = containerBootstrap();
    useLanguages(container, [locale]);
    container.use(Nlu);
    this.#base = new SentimentAnalyzerBase({}, container);
  }

  async getSentiment(utterance: string, locale: string): Promise<SentimentResult> {
    const result = await this.#base.process({ utterance, locale });
    return result.sentiment;
  }
}

export { Language };
