/**
 * Wall-clock times as numbers: a local date and time written as the epoch milliseconds of the
 * same date and time in UTC (`Date.UTC(y, m - 1, d, h, min)`), so that calendar arithmetic on
 * local times is plain arithmetic. A wall-clock number names a reading of a clock in some zone,
 * not an instant; `toWallClock` and `wallClockToInstant` convert.
 */

/** Milliseconds in a calendar day of wall-clock time. */
export const WALL_DAY = 86_400_000;

/** Days of the week as windows name them; index = JavaScript's `getUTCDay()` (0 = Sunday). */
export const WEEKDAYS = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'] as const;
/** A day of the week as a window names it. */
export type Weekday = (typeof WEEKDAYS)[number];

/** The day number (days since 1970-01-01) of a wall-clock time. */
export function wallDay(wall: number): number {
  return Math.floor(wall / WALL_DAY);
}

/** The weekday (0 = Sunday … 6 = Saturday) of a day number. */
export function weekdayOfDay(day: number): number {
  return (((day + 4) % 7) + 7) % 7;
}

/**
 * The date of a wall-clock time as `YYYY-MM-DD` (years 0–9999).
 *
 * @example formatWallDate(Date.UTC(2026, 2, 29, 12)) // '2026-03-29'
 */
export function formatWallDate(wall: number): string {
  // Civil date from a day number (H. Hinnant, "chrono-compatible low-level date algorithms").
  const z = wallDay(wall) + 719_468;
  const era = Math.floor(z / 146_097);
  const doe = z - era * 146_097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36_524) - Math.floor(doe / 146_096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}
