/**
 * What an alert says, in the subscriber's language (English or Spanish), and its one-tap next step: each
 * action's `value` is text the dialogs already understand (a menu entry, or an utterance the recogniser routes),
 * because a tap arrives as a message with that text. `templateParameters` fill the approved WhatsApp template
 * for the event type when the 24-hour window is closed (bot/care/README.md lists them). Pure functions.
 */
import type { Catalog, ChargingEvent, ChargingEventType } from '../../charging/model.js';

export type CareLocale = 'en' | 'es';

/** The event types proactive care tells about. Payment outcomes are told by bot/payments/payment-notifier.ts. */
export const CARE_EVENT_TYPES: readonly ChargingEventType[] = [
  'balance.low',
  'bucket.depleted',
  'bucket.expiring',
  'bill.dueSoon',
  'bill.overdue',
  'usage.zeroRated',
  'usage.pattern',
];

export interface CareAction {
  title: string;
  value: string;
}

export interface CareMessage {
  text: string;
  actions: CareAction[];
  templateParameters: string[];
}

export interface MessageContext {
  name: string;
  locale: CareLocale;
  plan: 'prepaid' | 'postpaid';
  timeZone: string;
  catalog?: Pick<Catalog, 'apps' | 'currency'>;
}

export function careLocaleOf(language: string | undefined): CareLocale {
  return (language ?? '').toLowerCase().startsWith('es') ? 'es' : 'en';
}

const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
const num = (v: unknown): number | undefined => (typeof v === 'number' && Number.isFinite(v) ? v : undefined);

function appName(app: string, ctx: MessageContext): string {
  return ctx.catalog?.apps.find((a) => a.id === app)?.name ?? app.charAt(0).toUpperCase() + app.slice(1);
}

function money(minor: number, currency: string, locale: CareLocale): string {
  try {
    return new Intl.NumberFormat(locale === 'es' ? 'es-ES' : 'en-US', {
      style: 'currency',
      currency,
      minimumFractionDigits: 2,
    }).format(minor / 100);
  } catch {
    return `${(minor / 100).toFixed(2)} ${currency}`;
  }
}

function date(iso: string | undefined, ctx: MessageContext): string {
  const at = iso ? new Date(iso) : undefined;
  if (!at || Number.isNaN(at.getTime())) return '';
  return new Intl.DateTimeFormat(ctx.locale === 'es' ? 'es-ES' : 'en-GB', {
    weekday: 'short',
    day: 'numeric',
    month: 'short',
    timeZone: ctx.timeZone,
  }).format(at);
}

/** "300 MB", "1.5 GB", "20 minutes", "5 SMS" (a unit allowance in words). */
function amountOf(unit: string, quantity: number, locale: CareLocale): string {
  if (unit === 'MB') return quantity >= 1024 ? `${Math.round((quantity / 1024) * 10) / 10} GB` : `${quantity} MB`;
  if (unit === 'minute') return locale === 'es' ? `${quantity} min` : `${quantity} minutes`;
  return `${quantity} ${unit}`;
}

/** Words for what ran low: the app's sessions, data, minutes, SMS or credit. */
interface Subject {
  kind: 'app' | 'credit' | 'data' | 'other';
  label: string;
  app?: string;
}

function subjectOf(what: string, ctx: MessageContext): Subject {
  const es = ctx.locale === 'es';
  if (what === 'credit' || what === 'money') return { kind: 'credit', label: es ? 'saldo' : 'credit' };
  if (what === 'MB') return { kind: 'data', label: es ? 'datos' : 'data' };
  if (what === 'minute') return { kind: 'other', label: es ? 'minutos' : 'minutes' };
  if (what === 'SMS') return { kind: 'other', label: 'SMS' };
  const app = appName(what, ctx);
  return { kind: 'app', label: es ? `sesiones de ${app}` : `${app} sessions`, app };
}

/** "YouTube sessions" -> "YouTube session", "sesiones de YouTube" -> "sesión de YouTube". */
function singular(label: string, locale: CareLocale): string {
  return locale === 'es' ? label.replace(/^sesiones/, 'sesión') : label.replace(/sessions$/, 'session');
}

const ACTIONS = {
  en: {
    swap: { title: 'Swap sessions', value: 'Swap sessions' },
    buyApp: (app: string) => ({ title: `Buy ${app} sessions`, value: `Buy ${app} sessions` }),
    buyData: { title: 'Buy data', value: 'Buy data 1 GB' },
    buyAddOn: { title: 'Buy an add-on', value: 'Buy an add-on' },
    topUp: { title: 'Top up', value: 'Top up' },
    pay: { title: 'Pay my bill', value: 'Pay my bill' },
    offers: { title: 'See offers', value: 'Offers for me' },
    balance: { title: 'My balance', value: 'My balance' },
  },
  es: {
    swap: { title: 'Cambiar sesiones', value: 'Cambiar sesiones' },
    buyApp: (app: string) => ({ title: `Comprar ${app}`, value: `Comprar sesiones de ${app}` }),
    buyData: { title: 'Comprar datos', value: 'Comprar datos 1 GB' },
    buyAddOn: { title: 'Comprar un extra', value: 'Comprar un extra' },
    topUp: { title: 'Recargar', value: 'Recargar' },
    pay: { title: 'Pagar mi factura', value: 'Pagar mi factura' },
    offers: { title: 'Ver ofertas', value: 'Ofertas para mí' },
    balance: { title: 'Mi saldo', value: 'Mi saldo' },
  },
} as const;

function buyFor(subject: Subject, locale: CareLocale): CareAction {
  const a = ACTIONS[locale];
  if (subject.kind === 'app' && subject.app) return a.buyApp(subject.app);
  if (subject.kind === 'data') return a.buyData;
  if (subject.kind === 'credit') return a.topUp;
  return a.buyAddOn;
}

/** The alert for `event`, or undefined for an event care does not tell (payments, expired buckets...). */
export function careMessage(event: ChargingEvent, ctx: MessageContext): CareMessage | undefined {
  const d = event.data;
  const es = ctx.locale === 'es';
  const a = ACTIONS[ctx.locale];
  const hi = es ? `Hola ${ctx.name}` : `Hi ${ctx.name}`;
  const currency = str(d.currency) ?? ctx.catalog?.currency ?? 'USD';
  switch (event.type) {
    case 'balance.low': {
      const subject = subjectOf(str(d.what) ?? 'credit', ctx);
      const remaining = num(d.remaining) ?? 0;
      if (subject.kind === 'credit') {
        const left = money(remaining, currency, ctx.locale);
        return {
          text: es
            ? `${hi}, tu saldo ha bajado a ${left}. Recarga ahora para seguir conectado.`
            : `${hi}, your credit is down to ${left}. Top up now to stay connected.`,
          actions: [a.topUp],
          templateParameters: [ctx.name, left],
        };
      }
      const left = subject.kind === 'app' ? String(remaining) : amountOf(str(d.what) ?? '', remaining, ctx.locale);
      const what =
        subject.kind === 'app'
          ? `${left} ${remaining === 1 ? singular(subject.label, ctx.locale) : subject.label}`
          : es
            ? `${left} de ${subject.label}`
            : `${left} of ${subject.label}`;
      return {
        text:
          subject.kind === 'app'
            ? es
              ? `${hi}, solo te ${remaining === 1 ? 'queda' : 'quedan'} ${what}. Cambia sesiones de otra app o compra más.`
              : `${hi}, you have only ${what} left. Swap sessions from another app, or buy more.`
            : es
              ? `${hi}, solo te quedan ${what}. Puedes comprar más cuando quieras.`
              : `${hi}, you have only ${what} left. You can buy more any time.`,
        actions: subject.kind === 'app' ? [a.swap, buyFor(subject, ctx.locale)] : [buyFor(subject, ctx.locale)],
        templateParameters: [ctx.name, what],
      };
    }
    case 'bucket.depleted': {
      const subject = subjectOf(str(d.what) ?? '', ctx);
      return {
        text: es
          ? `${hi}, has usado todas tus ${subject.label}.${subject.kind === 'app' ? ' Puedes cambiar sesiones de otra app o comprar más.' : ' Puedes comprar más ahora.'}`
          : `${hi}, you have used all your ${subject.label}.${subject.kind === 'app' ? ' You can swap sessions from another app, or buy more.' : ' You can buy more now.'}`,
        actions: subject.kind === 'app' ? [a.swap, buyFor(subject, ctx.locale)] : [buyFor(subject, ctx.locale)],
        templateParameters: [ctx.name, subject.label],
      };
    }
    case 'bucket.expiring': {
      const app = str(d.app);
      const unit = str(d.unit) ?? '';
      const remaining = num(d.remaining) ?? 0;
      const when = date(str(d.endDateTime), ctx);
      const what = app
        ? es
          ? `${remaining} sesiones de ${appName(app, ctx)}`
          : `${remaining} ${appName(app, ctx)} sessions`
        : amountOf(unit, remaining, ctx.locale);
      return {
        text: app
          ? es
            ? `${hi}, tus ${what} caducan el ${when}. Úsalas o cámbialas por sesiones de otra app antes.`
            : `${hi}, your ${what} expire on ${when}. Use them or swap them for another app before then.`
          : es
            ? `${hi}, tus ${what} (${str(d.name) ?? unit}) caducan el ${when}. ¡Aprovéchalos!`
            : `${hi}, your ${what} (${str(d.name) ?? unit}) expire on ${when}. Make the most of them!`,
        actions: app ? [a.swap] : [a.balance],
        templateParameters: [ctx.name, what, when],
      };
    }
    case 'bill.dueSoon':
    case 'bill.overdue': {
      const amount = money(num(d.remaining) ?? 0, currency, ctx.locale);
      const when = date(str(d.paymentDueDate), ctx);
      const billNo = str(d.billNo) ?? '';
      const overdue = event.type === 'bill.overdue';
      return {
        text: overdue
          ? es
            ? `${hi}, tu factura ${billNo} de ${amount} venció el ${when} y sigue pendiente. Págala ahora para evitar cortes.`
            : `${hi}, your bill ${billNo} of ${amount} was due on ${when} and is still open. Pay it now to avoid any interruption.`
          : es
            ? `${hi}, tu factura ${billNo} de ${amount} vence el ${when}. Puedes pagarla ahora en un momento.`
            : `${hi}, your bill ${billNo} of ${amount} is due on ${when}. You can pay it now in a moment.`,
        actions: [a.pay],
        templateParameters: [ctx.name, billNo, amount, when],
      };
    }
    case 'usage.zeroRated': {
      const app = appName(str(d.app) ?? '', ctx);
      return {
        text: es
          ? `Buenas noticias, ${ctx.name}: usar ${app} te sale gratis. No descuenta de tus paquetes ni de tu saldo.`
          : `Good news, ${ctx.name}: your ${app} use is free. It doesn't count against your bundles or credit.`,
        actions: [a.balance],
        templateParameters: [ctx.name, app],
      };
    }
    case 'usage.pattern': {
      const app = str(d.app);
      const subject = subjectOf(app ?? str(d.unit) ?? 'MB', ctx);
      const runOut = date(str(d.projectedRunOutAt), ctx);
      const renews = date(str(d.endDateTime), ctx);
      const charged =
        ctx.plan === 'postpaid'
          ? es
            ? ' Lo que uses de más se cobraría en tu factura.'
            : ' Anything extra would be charged on your bill.'
          : '';
      return {
        text: es
          ? `${hi}, a este ritmo tus ${subject.label} se acabarán hacia el ${runOut}, antes de renovarse el ${renews}.${charged} Tengo una oferta que te puede convenir.`
          : `${hi}, at this pace your ${subject.label} will run out around ${runOut}, before they renew on ${renews}.${charged} I have an offer that may suit you.`,
        actions: [a.offers],
        templateParameters: [ctx.name, subject.label, runOut],
      };
    }
    default:
      return undefined;
  }
}
