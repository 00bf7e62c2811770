/** What the classifier reads: placeholders for entities, shorthand spelled out, Spanish enclitics split off. */
import { expect } from 'chai';
import { normalizeForClassifier } from '../../nlu/normalize.js';

describe('nlu normalisation', () => {
  const cases: [string, string, string][] = [
    ['es', 'recárgale 15 dolares a mi cel', 'recárga le moneyamount a mi cel'],
    ['es', 'cambiame las de fb por yt', 'cambia me las de appname por appname'],
    ['es', 'cancelalo porfa', 'cancela lo por favor'],
    ['es', 'quiero cambiarme de plan', 'quiero cambiar me de plan'],
    // Words that only look like a verb with a pronoun stay whole.
    ['es', 'buenos dias, dame un paquete', 'buenos dias dame un paquete'],
    ['es', 'cancela el vuelo', 'cancela el vuelo'],
    // English has no enclitics: nothing is split.
    ['en', 'swap 10 fb to yt pls', 'swap numbervalue appname to appname please'],
  ];
  for (const [locale, text, expected] of cases) {
    it(`${locale}: "${text}"`, () => {
      expect(normalizeForClassifier(text, locale).text).to.equal(expected);
    });
  }
});
