import { WALL_DAY, WEEKDAYS, type Weekday } from './wall-clock.js';

/**
 * A recurring window of local time, as a journey document writes it:
 * `{ days: ['mon', …], from: 'HH:MM', to: 'HH:MM' }` (plus the zone fields, read elsewhere).
 *
 * - `from` is inclusive, `to` exclusive; `to` may be `'24:00'` (until midnight).
 * - `from > to` crosses midnight: `{ days: ['fri'], from: '21:00', to: '08:00' }` is Friday 21:00
 *   to Saturday 08:00. `days` names the day a window *starts*.
 * - `from == to`, or no days, is an empty window (the validator's `empty-window`): it never opens.
 */
export interface WindowSpec {
  readonly days: readonly string[];
  readonly from: string;
  readonly to: string;
}

/** A window checked and turned into numbers, ready for the calendar functions. */
export interface CompiledWindow {
  /** Bit `d` set when the window starts on weekday `d` (0 = Sunday). */
  readonly dayMask: number;
  /** Start, milliseconds after local midnight. */
  readonly from: number;
  /** End, milliseconds after local midnight of the start day (`to < from`: of the next day). */
  readonly to: number;
  /** Whether the window crosses midnight (`to < from`). */
  readonly crossesMidnight: boolean;
  /** Whether it never opens (no days, or `from == to`). */
  readonly empty: boolean;
}

const CLOCK_TIME = /^([01]\d|2[0-3]):([0-5]\d)$/;

/**
 * Milliseconds after midnight of an `HH:MM` clock time (`'00:00'`–`'23:59'`; `'24:00'` too when
 * `end` is set), or `null` when malformed.
 *
 * @example parseClockTime('09:30') // 34200000
 */
export function parseClockTime(text: unknown, end = false): number | null {
  if (typeof text !== 'string') return null;
  if (end && text === '24:00') return WALL_DAY;
  const match = CLOCK_TIME.exec(text);
  return match ? (Number(match[1]) * 60 + Number(match[2])) * 60_000 : null;
}

/** The index (0 = Sunday) of a weekday name, or `-1`. */
function weekdayIndex(name: unknown): number {
  return WEEKDAYS.indexOf(name as Weekday);
}

/**
 * Check a window and turn it into numbers; `null` when `days` holds something other than
 * `'sun'`…`'sat'` or a time is not `HH:MM`. An empty window compiles (with `empty: true`).
 */
export function compileWindow(spec: WindowSpec): CompiledWindow | null {
  const from = parseClockTime(spec.from);
  const to = parseClockTime(spec.to, true);
  if (from === null || to === null || !Array.isArray(spec.days)) return null;
  let dayMask = 0;
  for (const name of spec.days) {
    const index = weekdayIndex(name);
    if (index < 0) return null;
    dayMask |= 1 << index;
  }
  return Object.freeze({ dayMask, from, to, crossesMidnight: to < from, empty: dayMask === 0 || from === to });
}

/**
 * Whether a window never opens: no days, or `from == to` (an empty window, not a full day —
 * write `'00:00'`→`'24:00'` for that). Malformed windows are not empty (they are invalid).
 *
 * @example isEmptyWindow({ days: ['mon'], from: '09:00', to: '09:00' }) // true
 */
export function isEmptyWindow(spec: WindowSpec): boolean {
  return compileWindow(spec)?.empty ?? false;
}
