/**
 * Sentiment of one message with node-nlp's analyzer (lexicon based: ~10 µs a message). The dialogs offer a
 * human when a message is strongly negative.
 */
import { SentimentAnalyzer } from 'node-nlp';
import type { Sentiment } from './recognizer.js';

export class SentimentReader {
  private readonly analyzers = new Map<string, SentimentAnalyzer>();

  constructor(locales: readonly string[]) {
    for (const locale of locales) this.analyzers.set(locale, new SentimentAnalyzer({ language: locale }));
  }

  async read(text: string, locale: string): Promise<Sentiment> {
    const analyzer = this.analyzers.get(locale);
    if (!analyzer || !/[\p{L}]/u.test(text)) return { score: 0, vote: 'neutral' };
    const result = await analyzer.getSentiment(text, locale);
    const score = Number.isFinite(result.score) ? result.score : 0;
    return { score, vote: result.vote ?? 'neutral' };
  }
}
