/**
 * The test oracle for the calendar functions: `temporal-polyfill` (a devDependency; src never
 * imports it), plus readable instants and wall-clock times and the zones the properties draw on.
 */
import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';

/** ~30 real zones: every kind of offset and rule, including the five of issue 9. */
export const ZONES = [
  'UTC', 'America/New_York', 'Europe/London', 'Australia/Lord_Howe', 'Asia/Kolkata', 'Pacific/Chatham',
  'America/Chicago', 'America/Denver', 'America/Phoenix', 'America/Los_Angeles', 'America/Anchorage',
  'Pacific/Honolulu', 'America/St_Johns', 'America/Sao_Paulo', 'America/Santiago', 'America/Havana',
  'America/Asuncion', 'Europe/Dublin', 'Europe/Paris', 'Europe/Moscow', 'Africa/Casablanca', 'Africa/Cairo',
  'Asia/Tehran', 'Asia/Kathmandu', 'Asia/Beirut', 'Asia/Tokyo', 'Australia/Adelaide', 'Australia/Sydney',
  'Pacific/Auckland', 'Pacific/Kiritimati', 'Pacific/Apia',
] as const;

/** An instant written as ISO text with its offset: `instant('2026-03-08T07:00Z')`. */
export function instant(text: string): number {
  return Temporal.Instant.from(text).epochMilliseconds;
}

/** A wall-clock time written as ISO text without offset: `wall('2026-03-08T02:30')`. */
export function wall(text: string): number {
  return Temporal.Instant.from(`${text}Z`).epochMilliseconds;
}

function zoned(at: number, zone: string): Temporal.ZonedDateTime {
  return Temporal.Instant.fromEpochMilliseconds(at).toZonedDateTimeISO(zone);
}

function plain(wallMs: number): Temporal.PlainDateTime {
  return Temporal.Instant.fromEpochMilliseconds(wallMs).toZonedDateTimeISO('UTC').toPlainDateTime();
}

/** What the oracle says the clocks of `zone` read at `at`, as a wall-clock number. */
export function oracleWall(at: number, zone: string): number {
  return zoned(at, zone).toPlainDateTime().toZonedDateTime('UTC').epochMilliseconds;
}

/** The oracle's local weekday (1 = Monday … 7 = Sunday) and minute of the day at `at`. */
export function oracleLocal(at: number, zone: string): { dayOfWeek: number; minute: number } {
  const z = zoned(at, zone);
  return { dayOfWeek: z.dayOfWeek, minute: z.hour * 60 + z.minute };
}

/** The instants at which `zone`'s wall clock reads `wallMs` (none in a gap, two in an overlap). */
export function oraclePossibleInstants(wallMs: number, zone: string): number[] {
  const p = plain(wallMs);
  const early = p.toZonedDateTime(zone, { disambiguation: 'earlier' });
  const late = p.toZonedDateTime(zone, { disambiguation: 'later' });
  return [early, late].filter((z) => z.toPlainDateTime().equals(p)).map((z) => z.epochMilliseconds);
}

/** Temporal's `'compatible'` reading of a wall-clock time. */
export function oracleCompatible(wallMs: number, zone: string): number {
  return plain(wallMs).toZonedDateTime(zone, { disambiguation: 'compatible' }).epochMilliseconds;
}

/**
 * The rule of issue 9 built from Temporal: the first occurrence of a time that exists, and for a
 * time in a gap the moment of the change that skips it.
 */
export function oracleWallToInstant(wallMs: number, zone: string): number {
  const possible = oraclePossibleInstants(wallMs, zone);
  if (possible.length > 0) return Math.min(...possible);
  const before = plain(wallMs).toZonedDateTime(zone, { disambiguation: 'earlier' });
  return before.getTimeZoneTransition('next')!.epochMilliseconds;
}

/** The offset changes of `zone` in `[from, to]`. */
export function oracleTransitions(from: number, to: number, zone: string): number[] {
  const out: number[] = [];
  let z: Temporal.ZonedDateTime | null = zoned(from - 1, zone);
  for (;;) {
    z = z.getTimeZoneTransition('next');
    if (z === null || z.epochMilliseconds > to) return out;
    out.push(z.epochMilliseconds);
  }
}

/** The oracle's first instant of the local day containing `at`, and of the day after. */
export function oracleDay(at: number, zone: string): { start: number; end: number; date: string } {
  const date = zoned(at, zone).toPlainDate();
  return {
    start: date.toZonedDateTime({ timeZone: zone }).epochMilliseconds,
    end: date.add({ days: 1 }).toZonedDateTime({ timeZone: zone }).epochMilliseconds,
    date: date.toString(),
  };
}

/** Instants from 1990 to 2037, where tzdb's rules are modern and Intl and Temporal agree. */
export const instantArb = fc.integer({ min: instant('1990-01-01T00:00Z'), max: instant('2037-12-31T00:00Z') });
/** One of `ZONES`. */
export const zoneArb = fc.constantFrom(...ZONES);

/** The first offset change of `zone` after `at`, shifted by `shiftMinutes`; `at` itself when there is none. */
export function nearTransition(at: number, zone: string, shiftMinutes: number): number {
  const next = zoned(at, zone).getTimeZoneTransition('next');
  return next === null ? at : next.epochMilliseconds + shiftMinutes * 60_000;
}
