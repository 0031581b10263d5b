import type { Clock } from '../../runtime/ports.js';

/**
 * The machine's clock: `Date.now()`. Use it in production.
 *
 * @example
 * const engine = createEngine({ storage, clock: systemClock() });
 */
export function systemClock(): Clock {
  return Object.freeze({ now: () => Date.now() });
}
