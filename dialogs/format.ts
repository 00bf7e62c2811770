/** Money, dates and names in words, per locale. Pure functions. */
import dayjs from 'dayjs';
import relativeTime from 'dayjs/plugin/relativeTime.js';
import 'dayjs/locale/es.js';
import type { Bucket, Catalog, Money } from '../charging/model.js';
import type { Texts } from './texts/index.js';

// Days are counted up to 45 ("expires in 27 days", not "in a month"): allowances last about a month and the
// exact number of days is what a customer plans with. Otherwise dayjs's default thresholds.
dayjs.extend(relativeTime, {
  thresholds: [
    { l: 's', r: 44, d: 'second' },
    { l: 'm', r: 89 },
    { l: 'mm', r: 44, d: 'minute' },
    { l: 'h', r: 89 },
    { l: 'hh', r: 21, d: 'hour' },
    { l: 'd', r: 35 },
    { l: 'dd', r: 45, d: 'day' },
    { l: 'M', r: 45 },
    { l: 'MM', r: 10, d: 'month' },
    { l: 'y', r: 17 },
    { l: 'yy', d: 'year' },
  ],
});

// Building an Intl formatter costs far more than formatting with one, and a balance answer formats several
// amounts and dates: one formatter per locale (and currency), made on first use.
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function money(value: Money, texts: Texts): string {
  const key = `${texts.intlLocale}|${value.currency}`;
  let format = moneyFormats.get(key);
  if (!format) {
    format = new Intl.NumberFormat(texts.intlLocale, { style: 'currency', currency: value.currency });
    moneyFormats.set(key, format);
  }
  return format.format(value.amount / 100);
}

/** "in 3 days", "en 3 días", "3 days ago". */
export function inWords(when: string | Date, now: Date, texts: Texts): string {
  return dayjs(when).locale(texts.dayjsLocale).from(dayjs(now));
}

export function dateInWords(when: string | Date, texts: Texts): string {
  let format = dateFormats.get(texts.intlLocale);
  if (!format) {
    format = new Intl.DateTimeFormat(texts.intlLocale, { day: 'numeric', month: 'long', timeZone: 'UTC' });
    dateFormats.set(texts.intlLocale, format);
  }
  return format.format(new Date(when));
}

export function appName(appId: string, catalog: Catalog | undefined): string {
  const app = catalog?.apps.find((a) => a.id === appId);
  return app?.name ?? appId.charAt(0).toUpperCase() + appId.slice(1);
}

/** Data in the unit people use: '300 MB', '1.5 GB', '6 GB'. */
export function dataAmount(mb: number): string {
  if (mb < 1024) return `${mb} MB`;
  const gb = Math.round((mb / 1024) * 10) / 10;
  return `${gb} GB`;
}

/** "YouTube sessions", "data", "minutes". */
export function bucketWhat(bucket: Pick<Bucket, 'unit' | 'app'>, catalog: Catalog | undefined, texts: Texts): string {
  const unit = texts.unitName(bucket.unit, 2);
  return texts.bucketName(unit, bucket.app ? appName(bucket.app, catalog) : undefined);
}

/** Finds an app id among the catalog's apps and their aliases, as a whole word of the text. */
export function findApp(text: string, catalog: Catalog | undefined): string | undefined {
  const lower = ` ${text.toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ')} `;
  for (const app of catalog?.apps ?? []) {
    for (const name of [app.id, app.name, ...app.aliases]) {
      if (lower.includes(` ${name.toLowerCase()} `)) return app.id;
    }
  }
  return undefined;
}

/**
 * Reads an amount of money typed by a person ("10", "10.50", "$20", "20 dollars", "15,5 €") into minor units.
 * Returns undefined when the text holds no single positive amount.
 */
export function parseMoney(text: string): number | undefined {
  const m = text.replace(/\s/g, '').match(/(\d+)(?:[.,](\d{1,2}))?/);
  if (!m) return undefined;
  const major = Number(m[1]);
  const minor = m[2] ? Number(m[2].padEnd(2, '0')) : 0;
  const amount = major * 100 + minor;
  return amount > 0 && Number.isSafeInteger(amount) ? amount : undefined;
}

/** Normalises a phone number typed by a person to E.164 ('+15550100001'), or undefined. */
export function parseMsisdn(text: string): string | undefined {
  const compact = text.replace(/[\s().-]/g, '');
  const m = compact.match(/^(?:\+|00)?(\d{8,15})$/);
  return m ? `+${m[1]}` : undefined;
}
