import type { Texts } from './texts.js';

const plural = (n: number, one: string, many: string) => (n === 1 ? one : many);
const capitalize = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/** Spanish wording. */
export const es: Texts = {
  locale: 'es',
  dayjsLocale: 'es',
  intlLocale: 'es-ES',

  yes: 'Sí',
  no: 'No',
  yesSynonyms: ['si', 'sí', 's', 'vale', 'ok', 'claro', 'confirmo', 'confirmar', 'dale', 'de acuerdo', 'yes'],
  noSynonyms: ['no', 'n', 'ahora no', 'no gracias', 'para'],
  undoWords: ['deshacer', 'deshazlo', 'deshaz el cambio', 'revertir', 'undo'],
  newCodeWords: ['nuevo codigo', 'nuevo código', 'otro codigo', 'otro código', 'reenviar', 'new code'],

  greeting: (name) => (name ? `¡Hola ${name}! ¿En qué te puedo ayudar?` : '¡Hola! ¿En qué te puedo ayudar?'),
  greetingAnonymous: '¡Hola! Soy el asistente de autoservicio.',
  helpIntro: 'Esto es lo que puedo hacer:',
  menu: [
    { title: 'Mi saldo', value: 'Mi saldo', intent: 'balance.check' },
    { title: 'Cambiar sesiones', value: 'Cambiar sesiones', intent: 'bundle.swap' },
    { title: 'Comprar un extra', value: 'Comprar un extra', intent: 'bundle.buy' },
    { title: 'Ofertas para mí', value: 'Ofertas para mí', intent: 'offers.recommend' },
    { title: 'Mi factura', value: 'Mi factura', intent: 'bill.status' },
    { title: 'Recargar', value: 'Recargar', intent: 'credit.topup' },
    { title: 'Hablar con una persona', value: 'Hablar con una persona', intent: 'agent.handoff' },
  ],
  menuNoAccount: [{ title: 'Hablar con una persona', value: 'Hablar con una persona', intent: 'agent.handoff' }],
  billMenu: [
    { title: 'Pagar ahora', value: 'Pagar mi factura', intent: 'bill.pay' },
    { title: 'Explícamela', value: 'Explícame la factura', intent: 'bill.explain' },
  ],
  topUpAmounts: [5, 10, 20, 50],
  thanks: '¡De nada!',
  goodbye: '¡Adiós, que tengas un buen día!',
  cancelled: 'Vale, lo he cancelado.',
  nothingToCancel: 'No hay nada que cancelar. ¿Qué más puedo hacer por ti?',
  fallback: 'Perdona, no te he entendido. ¿Puedes decirlo de otra forma?',
  fallbackSuggestions: 'Por ejemplo:',
  offerHuman: 'Sigo sin entenderte, perdona. ¿Quieres que le pida ayuda a una persona?',
  humanDeclined: 'Vale. Esto es lo que puedo hacer:',
  handoffStarted: 'Le pido a una persona de nuestro equipo que se una al chat. Verá lo que hemos hablado.',
  emptyMessage: 'No he recibido texto. ¿Qué puedo hacer por ti?',
  attachmentOnly: 'Solo puedo leer mensajes de texto. Dime con palabras qué necesitas.',
  tooLong: 'Ese mensaje es muy largo. Dime en una frase qué necesitas.',
  alreadyDone: 'Eso ya está hecho, no he cambiado nada más.',
  errorApology: 'Perdona, algo ha fallado por mi parte. Inténtalo de nuevo en un momento.',
  coreUnavailable: 'Perdona, ahora no puedo acceder a tu cuenta. Inténtalo de nuevo en unos minutos.',
  cardNumberChoices: [
    { title: 'Recargar saldo', value: 'recargar saldo' },
    { title: 'Pagar mi factura', value: 'pagar mi factura' },
  ],
  cardNumberWarning:
    'Por favor, nunca envíes datos de tarjeta por el chat. Los he borrado. Para pagar usa el enlace seguro que te envío.',

  askNumber: 'Primero necesito saber quién eres. ¿Cuál es tu número de móvil (con prefijo, p. ej. +15550100004)?',
  askNumberRetry: 'Envíame tu número de móvil con el prefijo del país, por ejemplo +15550100004.',
  codeSentIfSubscriber: 'Si ese número es nuestro, te llega un código de 6 cifras por SMS.',
  askCode: 'Escribe el código de 6 cifras (o "nuevo código" para recibir otro).',
  askCodeRetry: 'Escribe las 6 cifras del código, o "nuevo código".',
  codeWrong: (left) =>
    `Ese código no es correcto. Te ${plural(left, 'queda', 'quedan')} ${left} ${plural(left, 'intento', 'intentos')}.`,
  codeExpired: 'Ese código ha caducado. Di "nuevo código" y te envío otro.',
  codeTooManyAttempts: 'Demasiados intentos fallidos. Di "nuevo código" y te envío otro.',
  codeResent: 'Te he enviado un código nuevo.',
  codeRateLimited: 'Ya te he enviado varios códigos. Espera unos minutos antes de pedir otro.',
  smsCode: (code) => `Tu código de verificación es ${code}. Caduca en 5 minutos. No lo compartas con nadie.`,
  verified: (name) => `Gracias, ${name}, ya estás verificado.`,
  notSubscriber:
    'Este número no es de nuestros clientes, así que no puedo mostrar datos de ninguna cuenta. Sí puedo ponerte en contacto con una persona.',
  identityLost: 'Ya no encuentro tu cuenta. Verifiquemos tu número otra vez.',

  balancesHeader: 'Esto es lo que tienes:',
  moneyBalance: (amount) => `Saldo: ${amount}`,
  creditLimit: (amount) => `Límite de crédito: ${amount}`,
  bucketLine: (q, what, expires) => `${capitalize(what)}: te quedan ${q}, caducan ${expires}`,
  bucketExpired: (what) => `${what}: caducado`,
  noBucketFor: (what) => `Ahora mismo no tienes ${what}.`,
  runningOut: (what) => `Atención: se te están acabando las ${what}.`,
  expiringSoon: (what, inWords) => `Atención: tus ${what} caducan ${inWords}.`,
  bucketName: (unitWord, app) => (app ? `${unitWord} de ${app}` : unitWord),
  unitName: (unit, q) => {
    switch (unit) {
      case 'session':
        return plural(q, 'sesión', 'sesiones');
      case 'minute':
        return plural(q, 'minuto', 'minutos');
      case 'SMS':
        return 'SMS';
      case 'MB':
        return 'datos';
      default:
        return unit;
    }
  },

  askSwapFrom: '¿Qué sesiones quieres ceder?',
  askSwapTo: '¿Para qué app quieres sesiones?',
  askSwapQuantity: (from) => `¿Cuántas sesiones de ${from} quieres cambiar?`,
  askSwapQuantityRetry: 'Dime un número entero, por ejemplo 10.',
  swapQuote: (debit, from, credit, to, rate) =>
    `Cambiar ${debit} ${plural(debit, 'sesión', 'sesiones')} de ${from} por ${credit} ${plural(credit, 'sesión', 'sesiones')} de ${to} (tasa ${rate}).`,
  swapConfirm: '¿Lo hago?',
  swapDone: (debit, from, credit, to, fromLeft, toNow, undoIn) =>
    `Hecho: ${debit} de ${from} cambiadas por ${credit} de ${to}. Ahora tienes ${fromLeft} de ${from} y ${toNow} de ${to}. ¿Te lo has pensado mejor? Di "deshacer" ${undoIn}.`,
  swapNotConfirmed: 'Vale, no he cambiado nada.',
  swapInsufficient: (from, available) => `Solo tienes ${available} sesiones de ${from}, no llega.`,
  swapOfferMax: (max, from) => `Lo máximo que puedes cambiar son ${max} sesiones de ${from}. ¿Te lo calculo?`,
  swapNothingToSwap: (from) => `No te quedan sesiones de ${from} para cambiar.`,
  swapQuoteExpired: 'Ese precio ha caducado, aquí tienes uno nuevo.',
  swapSameApp: 'Es la misma app. Elige dos apps distintas.',
  swapNoRate: (from, to) => `Perdona, las sesiones de ${from} no se pueden cambiar por sesiones de ${to}.`,
  swapTooSmall: 'Son muy pocas sesiones para esta tasa. Prueba con un número mayor.',
  undoDone: (from, to) => `Deshecho: tus sesiones de ${from} y ${to} están como antes.`,
  undoNothing: 'No hay ningún cambio reciente que deshacer.',
  undoWindowClosed: 'Perdona, ese cambio ya no se puede deshacer.',
  undoCreditUsed: 'Perdona, ese cambio no se puede deshacer porque ya usaste parte de las sesiones nuevas.',

  askAddOn: '¿Qué extra quieres?',
  addOnLine: (name, price, days, description) => `${name}: ${price}, válido ${days} días. ${description}`,
  addOnConfirm: (name, price, days) => `${name} cuesta ${price} y es válido ${days} días. ¿Lo compro?`,
  addOnBought: (name, balance) => `Hecho, ${name} está activo.${balance ? ` Tu saldo ahora es ${balance}.` : ''}`,
  addOnBoughtPostpaid: (name) => `Hecho, ${name} está activo. Aparecerá en tu próxima factura.`,
  addOnNotBought: 'Vale, no he comprado nada.',
  noAddOns: 'Ahora mismo no hay extras disponibles.',
  insufficientCredit: 'No tienes saldo suficiente. Puedes recargar primero.',
  offersIntro: 'Según cómo usas tu plan, esto te vendría bien:',
  offerStreaming: (app, price) =>
    `Ves mucho ${app}: a este ritmo tu plan te cobrará de más. El extra de streaming (${price}) lo cubre.`,
  offerRunningOut: (what) => `Tus ${what} se acabarán antes de renovarse.`,
  offerButton: (name) => `Comprar ${name}`,
  noThanks: 'No, gracias',
  noOffers: 'Tu plan se ajusta a cómo lo usas, ahora no necesitas extras.',

  noBills: 'Todavía no tienes facturas.',
  billStatus: (amount, due, dueInWords, state, remaining) =>
    state === 'settled'
      ? `Tu última factura de ${amount} está pagada. ¡Gracias!`
      : state === 'partiallyPaid'
        ? `Tu factura de ${amount} está pagada en parte: quedan ${remaining} que vencen el ${due} (${dueInWords}).`
        : `Tu factura es de ${amount} y vence el ${due} (${dueInWords}). Aún no está pagada.`,
  billExplainHeader: (current, previous) =>
    `Tu factura es de ${current}; la anterior fue de ${previous}. Línea a línea:`,
  billExplainFirst: (current) => `Es tu primera factura, de ${current}. Línea a línea:`,
  billLineChanged: (d, before, now) => `- ${d}: ${now} (antes ${before})`,
  billLineNew: (d, now) => `- ${d}: ${now} (nuevo)`,
  billLineGone: (d, before) => `- ${d}: nada esta vez (antes ${before})`,
  billLineSame: (d, now) => `- ${d}: ${now} (igual)`,
  billLine: (d, now) => `- ${d}: ${now}`,
  billNothingDue: 'Tus facturas están pagadas, no debes nada.',
  payLink: (amount, url, minutes) =>
    `Este es tu enlace de pago seguro por ${amount} (válido ${minutes} minutos): ${url}`,
  payButton: (amount) => `Pagar ${amount}`,
  paymentStillOpen: (url) => `Tu enlace de pago sigue abierto: ${url}`,
  paymentPendingReminder: 'Tu pago aún está pendiente; te avisaré aquí cuando llegue.',
  notPostpaidBills: 'Tienes un plan de prepago, así que no tienes facturas. Puedes consultar tu saldo o recargar.',

  askTopUpAmount: '¿Cuánto quieres recargar?',
  askTopUpAmountRetry: 'Elige una cantidad o escríbela, por ejemplo 10.',
  topUpNotPrepaid: 'Las recargas son para planes de prepago. Tu consumo va en la factura mensual.',
  topUpAmountInvalid: 'Esa cantidad no es válida. Elige otra.',

  askCreditLimitAmount: (current) => `Tu límite de crédito es ${current}. ¿Qué límite quieres?`,
  askCreditLimitAmountRetry: 'Escribe el nuevo límite como una cantidad, por ejemplo 150.',
  creditLimitApproved: (amount) => `Buenas noticias: tu límite de crédito ahora es ${amount}.`,
  creditLimitPending: (amount) => `He pedido un límite de ${amount}. Un agente lo decidirá y te avisaremos aquí.`,
  creditLimitDeclined: (reason) => `Perdona, ahora no podemos subir tu límite de crédito (${reason}).`,
  creditLimitNotPostpaid:
    'Los límites de crédito son para planes de pospago. En prepago puedes recargar cuando quieras.',
};
