import { expect } from 'chai';
import { createHarness, DIEGO, play, textOf } from '../helpers/bot-harness.js';

describe('dialogs in Spanish', () => {
  it('a Spanish-speaking subscriber is answered in Spanish in the main flows', async () => {
    const h = await createHarness({ channelId: 'whatsapp', msisdn: DIEGO });
    await play(h, [
      ['hola', /^¡Hola Diego!/],
      ['cuál es mi saldo', [/Saldo: 10,00/, /Sesiones de Facebook: te quedan 50, caducan en 27 días/]],
      [
        'quiero cambiar 10 sesiones de facebook por tiktok',
        /Cambiar 10 sesiones de Facebook por 5 sesiones de TikTok \(tasa 2:1\)/,
      ],
      ['sí', /Hecho: 10 de Facebook cambiadas por 5 de TikTok/],
      ['deshacer', /Deshecho/],
      ['quiero recargar', /¿Cuánto quieres recargar\?/],
      ['cancelar', /lo he cancelado/],
      ['ayuda', /Esto es lo que puedo hacer/],
      ['gracias', /De nada/],
    ]);
  });

  it('an unknown visitor writing Spanish is answered in Spanish, and the account language is then kept', async () => {
    const h = await createHarness({ channelId: 'messenger' });
    await play(h, [
      ['quiero ver mi saldo', /¿Cuál es tu número de móvil/],
      [DIEGO, /te llega un código de 6 cifras/],
    ]);
    const code = (await h.lastCode(DIEGO))!;
    expect((await h.outbox.list(DIEGO))[0].text).to.match(/^Tu código de verificación es \d{6}/);
    await play(h, [[code, [/Gracias, Diego, ya estás verificado/, /Saldo: 10,00/]]]);
    const r = await h.say('quiero pagar');
    expect(textOf(r)).to.match(/prepago|nada|pagad/i);
  });
});
