import { compileWindow, type CompiledWindow, type WindowSpec } from './calendar-window.js';
import { firstInstantWhere, type WallClockRule } from './first-instant-where.js';
import { isInWindow, nextWindowEnd, nextWindowStart } from './window-wall-clock.js';

const compiled = new WeakMap<WindowSpec, CompiledWindow | null>();

function compiledOf(window: WindowSpec | CompiledWindow): CompiledWindow | null {
  if ('dayMask' in window) return window;
  let hit = compiled.get(window);
  if (hit === undefined) {
    hit = compileWindow(window);
    compiled.set(window, hit);
  }
  return hit;
}

const INSIDE: WallClockRule<CompiledWindow> = { holds: isInWindow, next: nextWindowStart };
const OUTSIDE: WallClockRule<CompiledWindow> = { holds: (wall, w) => !isInWindow(wall, w), next: nextWindowEnd };

/**
 * The first instant at or after `instant` whose local time in `zone` lies inside `window`
 * (`instant` itself when it already does); `null` when the window never opens (empty or
 * malformed) or the zone is invalid. Local times skipped by a spring-forward change never lie
 * inside; a window opening in the gap opens at the first instant after it; times repeated when
 * clocks fall back lie inside again if the window covers them.
 *
 * @example
 * const weekdays = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };
 * // Saturday 2026-03-07 12:00 in New York → Monday 2026-03-09 09:00 EDT (13:00Z)
 * nextInstantInWindow(Date.UTC(2026, 2, 7, 17), weekdays, 'America/New_York') === Date.UTC(2026, 2, 9, 13) // true
 */
export function nextInstantInWindow(instant: number, window: WindowSpec | CompiledWindow, zone: string): number | null {
  const w = compiledOf(window);
  return w === null ? null : firstInstantWhere(instant, zone, INSIDE, w);
}

/**
 * The first instant at or after `instant` whose local time in `zone` lies outside `window`: for
 * quiet hours `{ from: '21:00', to: '08:00' }`, the end of the quiet period (`instant` itself
 * when it is not quiet). `null` when the window covers all time (every day `'00:00'`→`'24:00'`),
 * is malformed, or the zone is invalid.
 *
 * @example
 * const quiet = { days: ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'], from: '21:00', to: '08:00' };
 * // 23:00 in Kolkata → 08:00 the next morning (02:30Z)
 * nextInstantOutsideWindow(Date.UTC(2026, 0, 1, 17, 30), quiet, 'Asia/Kolkata') === Date.UTC(2026, 0, 2, 2, 30) // true
 */
export function nextInstantOutsideWindow(instant: number, window: WindowSpec | CompiledWindow, zone: string): number | null {
  const w = compiledOf(window);
  return w === null ? null : firstInstantWhere(instant, zone, OUTSIDE, w);
}
