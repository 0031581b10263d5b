import { firstOffsetChange } from './offset-change.js';
import { WALL_DAY } from './wall-clock.js';
import { zoneOffsetMs } from './zone-offset.js';

/**
 * What the clocks in `zone` read at `instant`, as a wall-clock number (see `wall-clock.ts`);
 * `NaN` for an invalid zone.
 *
 * @example toWallClock(Date.UTC(2026, 6, 1, 12), 'Asia/Kolkata') === Date.UTC(2026, 6, 1, 17, 30) // true
 */
export function toWallClock(instant: number, zone: string): number {
  return instant + zoneOffsetMs(instant, zone);
}

/**
 * The instant a wall-clock time in `zone` stands for: the earliest instant at which the clocks
 * read `wall` or later. So a time that exists once is that instant; a time that does not exist
 * (skipped when clocks spring forward) is the first instant after the gap, the moment of the
 * change; a time that exists twice (clocks fall back) is its first occurrence. `NaN` for an
 * invalid zone.
 *
 * (Temporal's `disambiguation: 'compatible'` agrees on repeated times; in a gap it instead
 * shifts the time forward by the length of the gap: 02:30 on a New York spring-forward night is
 * 03:30 there, 03:00 here.)
 *
 * @example
 * // New York springs forward at 02:00 on 2026-03-08: 02:30 does not exist.
 * wallClockToInstant(Date.UTC(2026, 2, 8, 2, 30), 'America/New_York') === Date.UTC(2026, 2, 8, 7) // 03:00 EDT
 */
export function wallClockToInstant(wall: number, zone: string): number {
  const before = zoneOffsetMs(wall - WALL_DAY, zone);
  const after = zoneOffsetMs(wall + WALL_DAY, zone);
  if (Number.isNaN(before) || Number.isNaN(after)) return Number.NaN;
  const early = wall - before;
  if (before === after || zoneOffsetMs(early, zone) === before) return early;
  const late = wall - after;
  if (zoneOffsetMs(late, zone) === after) return late;
  // Neither reading exists: a gap. Clocks jump from before `wall` to after it at the change.
  return firstOffsetChange(Math.min(early, late), Math.max(early, late), zone, zoneOffsetMs(Math.min(early, late), zone), zoneOffsetMs);
}
