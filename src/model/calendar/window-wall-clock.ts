import type { CompiledWindow } from './calendar-window.js';
import { WALL_DAY, wallDay, weekdayOfDay } from './wall-clock.js';

function startsOn(window: CompiledWindow, day: number): boolean {
  return (window.dayMask & (1 << weekdayOfDay(day))) !== 0;
}

/**
 * Whether a wall-clock time lies inside a window: on a listed day between `from` (inclusive) and
 * `to` (exclusive), or — for a window crossing midnight — after `from` on a listed day or before
 * `to` on the day after a listed day.
 */
export function isInWindow(wall: number, window: CompiledWindow): boolean {
  if (window.empty) return false;
  const day = wallDay(wall);
  const time = wall - day * WALL_DAY;
  if (!window.crossesMidnight) return time >= window.from && time < window.to && startsOn(window, day);
  return (time >= window.from && startsOn(window, day)) || (time < window.to && startsOn(window, day - 1));
}

/** The first wall-clock time after `wall` at which the window opens, or `null` if it never does. */
export function nextWindowStart(wall: number, window: CompiledWindow): number | null {
  if (window.empty) return null;
  const day = wallDay(wall);
  for (let d = day; d <= day + 7; d++) {
    const start = d * WALL_DAY + window.from;
    if (start > wall && startsOn(window, d)) return start;
  }
  return null;
}

/** The first wall-clock time after `wall` at which an opening of the window ends, or `null`. */
export function nextWindowEnd(wall: number, window: CompiledWindow): number | null {
  if (window.dayMask === 0) return null;
  const day = wallDay(wall);
  const length = window.crossesMidnight ? WALL_DAY : 0;
  for (let d = day - 1; d <= day + 7; d++) {
    const end = d * WALL_DAY + window.to + length;
    if (end > wall && startsOn(window, d)) return end;
  }
  return null;
}
