import { parseDuration } from '../../model/duration.js';
import { JourneyError } from '../../model/errors.js';
import type { Clock } from '../../runtime/ports.js';

/** A clock that moves only when told: for tests, simulations and demos. */
export interface VirtualClock extends Clock {
  /** Move forward by milliseconds or a shorthand (`'90s'`, `'15m'`, `'3h'`, `'3d'`, `'2w'`). Returns the new now. */
  advance(by: number | string): number;
  /** Jump to an instant (epoch ms, or an ISO-8601 string). Time never moves backwards. Returns the new now. */
  set(instant: number | string | Date): number;
}

function toInstant(value: number | string | Date): number {
  const ms = value instanceof Date ? value.getTime() : typeof value === 'string' ? Date.parse(value) : value;
  if (!Number.isFinite(ms)) throw new JourneyError('invalid-instant', `not an instant: ${String(value)}`);
  return ms;
}

/**
 * A virtual clock starting at `start` (default: 2026-01-01T00:00:00Z, so tests are reproducible).
 *
 * @example
 * const clock = virtualClock('2026-03-10T09:00:00Z');
 * clock.advance('3d');
 */
export function virtualClock(start: number | string | Date = Date.UTC(2026, 0, 1)): VirtualClock {
  let now = toInstant(start);
  return {
    now: () => now,
    advance(by) {
      now += parseDuration(by);
      return now;
    },
    set(instant) {
      const next = toInstant(instant);
      if (next < now) throw new JourneyError('clock-backwards', `virtual time cannot move backwards (now ${new Date(now).toISOString()})`);
      now = next;
      return now;
    },
  };
}
