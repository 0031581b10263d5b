import { firstInstantWhere, type WallClockRule } from './first-instant-where.js';
import { wallClockToInstant, toWallClock } from './local-time.js';
import { formatWallDate, WALL_DAY, wallDay } from './wall-clock.js';

/** The instants a local calendar day occupies: `[start, end)`. */
export interface LocalDay {
  /** The first instant of the day: when the clocks first read its 00:00 or later. */
  readonly start: number;
  /** The first instant after `instant` at which the clocks read the next day (exclusive end); 23, 24 or 25 hours after `start` around DST. */
  readonly end: number;
  /** The day as `YYYY-MM-DD`. */
  readonly date: string;
}

const REACHED: WallClockRule<number> = {
  holds: (wall, target) => wall >= target,
  next: (wall, target) => (wall < target ? target : null),
};

/**
 * The local calendar day of `zone` that contains `instant` — its first instant, the first instant
 * of the next day, and its date — for daily caps and "once a day" rules in the customer's own
 * day. `null` for an invalid zone. A midnight skipped by a spring-forward change starts the day
 * at the change. Where clocks fall back across midnight (St. John's until 2011: 00:01 → 23:01),
 * an instant in the repeated hour still belongs to the earlier date, and its day ends when the
 * clocks reach midnight again — so `start <= instant < end` always holds.
 *
 * @example
 * // London's 2026-03-29 (clocks spring forward at 01:00) is 23 hours long.
 * localDayOf(Date.UTC(2026, 2, 29, 12), 'Europe/London') // { start: Date.UTC(2026, 2, 29), end: Date.UTC(2026, 2, 29, 23), date: '2026-03-29' }
 */
export function localDayOf(instant: number, zone: string): LocalDay | null {
  const wall = toWallClock(instant, zone);
  if (Number.isNaN(wall)) return null;
  const day = wallDay(wall);
  const end = firstInstantWhere(instant, zone, REACHED, (day + 1) * WALL_DAY);
  if (end === null) return null;
  return { start: wallClockToInstant(day * WALL_DAY, zone), end, date: formatWallDate(day * WALL_DAY) };
}
