/**
 * Sentiment of one message with node-nlp's analyzer (lexicon based: ~10 µs a message). The dialogs offer a
 * human when a message is strongly negative.
 */
import { SentimentAnalyzer } from './nlpjs-engine.js';
import type { Sentiment } from './recognizer.js';

/**
 * Chat complaints node-nlp's lexicon misses or scores as neutral ("you are useless and your service is awful"
 * scores 0). Each hit lowers the score by 0.5: the handoff trigger must not miss an angry subscriber.
 */
const COMPLAINTS: Record<string, ReadonlySet<string>> = {
  en: new Set([
    'useless',
    'awful',
    'terrible',
    'worst',
    'hate',
    'scam',
    'rubbish',
    'garbage',
    'ridiculous',
    'pathetic',
    'horrible',
    'stupid',
    'disgusting',
    'furious',
    'angry',
    'wtf',
    'sucks',
    'crap',
    'joke',
    'robbery',
    'thieves',
    'unacceptable',
  ]),
  es: new Set([
    'inutil',
    'pesimo',
    'pesima',
    'horrible',
    'terrible',
    'odio',
    'estafa',
    'basura',
    'ridiculo',
    'patetico',
    'estupido',
    'asco',
    'mierda',
    'ladrones',
    'robo',
    'harto',
    'harta',
    'furioso',
    'enojado',
    'inaceptable',
    'peor',
    'porqueria',
  ]),
};

export class SentimentReader {
  private readonly analyzers = new Map<string, SentimentAnalyzer>();

  constructor(locales: readonly string[]) {
    for (const locale of locales) this.analyzers.set(locale, new SentimentAnalyzer(locale));
  }

  async read(text: string, locale: string): Promise<Sentiment> {
    const analyzer = this.analyzers.get(locale);
    if (!analyzer || !/[\p{L}]/u.test(text)) return { score: 0, vote: 'neutral' };
    const result = await analyzer.getSentiment(text, locale);
    const complaints = COMPLAINTS[locale] ?? COMPLAINTS.en;
    const words =
      text
        .toLowerCase()
        .normalize('NFD')
        .replace(/[\u0300-\u036f]/g, '')
        .match(/[\p{L}]+/gu) ?? [];
    const hits = words.filter((w) => complaints.has(w)).length;
    const score = (Number.isFinite(result.score) ? result.score : 0) - 0.5 * hits;
    return { score, vote: score < 0 ? 'negative' : score > 0 ? 'positive' : 'neutral' };
  }
}
