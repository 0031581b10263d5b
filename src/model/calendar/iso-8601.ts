import { WALL_DAY } from './wall-clock.js';

/** A parsed ISO 8601 date or date-time: its wall-clock reading and, when written, its UTC offset. */
export interface IsoDateTime {
  /** The date and time as written, as a wall-clock number (see `wall-clock.ts`). */
  readonly wall: number;
  /** The written offset in milliseconds (`Z` is 0), or `null` when none was written. */
  readonly offset: number | null;
  /** Whether a time of day was written (`false` for a date alone). */
  readonly hasTime: boolean;
}

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:\d{2})?)?$/;
const DAYS_IN_MONTH = [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
/** 400 Gregorian years, in ms: `Date.UTC` reads years 0–99 as 1900–1999, so shift past them. */
const FOUR_CENTURIES = 146_097 * WALL_DAY;

function daysIn(year: number, month: number): number {
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  return month === 2 && leap ? 29 : DAYS_IN_MONTH[month - 1]!;
}

/**
 * Parse `YYYY-MM-DD`, or that followed by `THH:MM`, optional `:SS` and fraction, and optional
 * `Z` or `±HH:MM` — strictly: upper-case `T` and `Z`, real calendar dates, hours 00–23, no leap
 * seconds, no other forms. Fractions beyond milliseconds are cut off. `null` for anything else.
 *
 * @example parseIsoDateTime('2026-12-24') // { wall: Date.UTC(2026, 11, 24), offset: null, hasTime: false }
 */
export function parseIsoDateTime(text: unknown): IsoDateTime | null {
  if (typeof text !== 'string' || text.length > 40) return null;
  const m = ISO.exec(text);
  if (m === null) return null;
  const [year, month, day] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const [hour, minute, second] = [Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0)];
  if (month < 1 || month > 12 || day < 1 || day > daysIn(year, month) || hour > 23 || minute > 59 || second > 59) return null;
  const ms = m[7] === undefined ? 0 : Number(m[7].slice(0, 3).padEnd(3, '0'));
  const wall = Date.UTC(year + 400, month - 1, day, hour, minute, second, ms) - FOUR_CENTURIES;
  let offset: number | null = null;
  if (m[8] !== undefined) {
    const oh = Number(m[8].slice(1, 3));
    const om = Number(m[8].slice(4, 6));
    if (oh > 23 || om > 59) return null;
    offset = (m[8] === 'Z' ? 0 : (m[8][0] === '-' ? -1 : 1) * (oh * 60 + om) * 60_000);
  }
  return { wall, offset, hasTime: m[4] !== undefined };
}

/**
 * Parse an ISO 8601 instant — a date-time with `Z` or an offset, such as `wait.until`'s
 * `"2026-12-24T09:00:00Z"` — into epoch milliseconds; `null` when it is malformed or has no
 * offset (a local time is not an instant).
 *
 * @example parseIsoInstant('2026-12-24T09:00:00+01:00') // Date.UTC(2026, 11, 24, 8)
 * @example parseIsoInstant('2026-12-24T09:00') // null
 */
export function parseIsoInstant(text: unknown): number | null {
  const parsed = parseIsoDateTime(text);
  return parsed === null || parsed.offset === null ? null : parsed.wall - parsed.offset;
}
