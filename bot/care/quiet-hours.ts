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

/** Zone names already checked (an `Intl.DateTimeFormat` per alert was a measurable cost of a burst). */
const knownZones = new Map<string, boolean>();
const KNOWN_ZONES_MAX = 2048;

/** `zone` when it is a time zone this runtime knows, else `fallback` (an account may hold anything). */
export function zoneOr(zone: string | undefined, fallback: string): string {
  if (!zone) return fallback;
  let known = knownZones.get(zone);
  if (known === undefined) {
    try {
      new Intl.DateTimeFormat('en', { timeZone: zone });
      known = true;
    } catch {
      known = false;
    }
    // Account data may hold any string: bound what is remembered.
    if (knownZones.size >= KNOWN_ZONES_MAX) knownZones.clear();
    knownZones.set(zone, known);
  }
  return known ? zone : fallback;
}

interface LocalMinute {
  /** Minutes since the epoch (UTC) this entry is for. */
  epochMinute: number;
  minuteOfDay: number;
  day: string;
}

/**
 * The local wall time of the current minute, per zone. Every zone's offset is a whole number of minutes, so the
 * local minute and day are the same for every instant of one UTC minute: a burst of alerts converts once per
 * zone and minute instead of once per alert (dayjs' `tz` was the largest single cost of an alert).
 */
const localMinutes = new Map<string, LocalMinute>();

function localMinuteOf(now: Date, zone: string): LocalMinute {
  const epochMinute = Math.floor(now.getTime() / 60_000);
  const hit = localMinutes.get(zone);
  if (hit?.epochMinute === epochMinute) return hit;
  const local = dayjs(now).tz(zone);
  const entry = { epochMinute, minuteOfDay: local.hour() * 60 + local.minute(), day: local.format('YYYY-MM-DD') };
  localMinutes.set(zone, entry); // one entry per known zone (zoneOr bounds the names)
  return entry;
}

/** True when `now` falls inside the quiet hours in `zone` (a span may wrap midnight: 21-8). */
export function isQuiet(now: Date, zone: string, quiet: QuietHours | undefined): boolean {
  if (!quiet) return false;
  const m = localMinuteOf(now, zone).minuteOfDay;
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
  return localMinuteOf(now, zone).day;
}
