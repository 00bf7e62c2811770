/**
 * Local time of a subscriber, with dayjs's utc and timezone plugins: is it quiet there now, when does the
 * quiet end, and which local day is it (the daily cap counts per local day). Pure functions of an instant.
 */
import dayjs from 'dayjs';
import timezone from 'dayjs/plugin/timezone.js';
import utc from 'dayjs/plugin/utc.js';
import type { QuietHours } from '../config.js';

dayjs.extend(utc);
dayjs.extend(timezone);

/** `zone` when it is a time zone this runtime knows, else `fallback` (an account may hold anything). */
export function zoneOr(zone: string | undefined, fallback: string): string {
  if (!zone) return fallback;
  try {
    new Intl.DateTimeFormat('en', { timeZone: zone });
    return zone;
  } catch {
    return fallback;
  }
}

function minuteOfDay(now: Date, zone: string): number {
  const local = dayjs(now).tz(zone);
  return local.hour() * 60 + local.minute();
}

/** True when `now` falls inside the quiet hours in `zone` (a span may wrap midnight: 21-8). */
export function isQuiet(now: Date, zone: string, quiet: QuietHours | undefined): boolean {
  if (!quiet) return false;
  const m = minuteOfDay(now, zone);
  const { startMinute: start, endMinute: end } = quiet;
  return start < end ? m >= start && m < end : m >= start || m < end;
}

/** The next instant at which the quiet hours end in `zone` (DST-aware: built from the local wall time). */
export function quietEndsAt(now: Date, zone: string, quiet: QuietHours): Date {
  const local = dayjs(now).tz(zone);
  const hh = String(Math.floor(quiet.endMinute / 60)).padStart(2, '0');
  const mm = String(quiet.endMinute % 60).padStart(2, '0');
  for (let days = 0; days <= 2; days++) {
    const day = local.add(days, 'day').format('YYYY-MM-DD');
    const end = dayjs.tz(`${day} ${hh}:${mm}`, zone);
    if (end.valueOf() > now.getTime()) return end.toDate();
  }
  return new Date(now.getTime() + 24 * 3600 * 1000); // unreachable: some end lies within two days
}

/** The local calendar day in `zone`, `YYYY-MM-DD`. */
export function localDay(now: Date, zone: string): string {
  return dayjs(now).tz(zone).format('YYYY-MM-DD');
}
