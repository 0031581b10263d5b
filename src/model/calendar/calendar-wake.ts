import type { CompiledWindow, WindowSpec } from './calendar-window.js';
import { nextInstantInWindow } from './next-in-window.js';

/** When a calendar wait wakes, and whether its target had already passed. */
export interface CalendarWake {
  /** The instant to wake at: never before `now`. */
  readonly wakeAt: number;
  /** Whether the target was already in the past, so the wait continues at once (the timeline says why). */
  readonly past: boolean;
}

/**
 * Compute a calendar wait's wake-up once, from the injected clock's `now` and the target instant
 * its form gives (`now + duration`, `until`, or an attribute's instant plus offset): a target
 * already past continues at once; then, with a window, the first instant at or after that which
 * lies inside the window in `zone`. A window that never opens (the validator rejects one) does
 * not hold the customer.
 *
 * @example
 * calendarWakeAt(Date.UTC(2026, 0, 1), Date.UTC(2025, 0, 1)) // { wakeAt: Date.UTC(2026, 0, 1), past: true }
 */
export function calendarWakeAt(
  now: number,
  target: number,
  window?: WindowSpec | CompiledWindow,
  zone = 'UTC',
): CalendarWake {
  const base = target > now ? target : now;
  const wakeAt = window === undefined ? base : (nextInstantInWindow(base, window, zone) ?? base);
  return { wakeAt, past: target < now };
}
