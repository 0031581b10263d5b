import { durationToMs, type WaitUnit } from '../duration.js';
import { parseIsoDateTime } from './iso-8601.js';
import { wallClockToInstant } from './local-time.js';

/** A signed shift applied to an attribute's instant: `{ duration: -3, unit: 'days' }`. */
export interface InstantOffset {
  readonly duration: number;
  readonly unit: WaitUnit;
}

/** Why an attribute gave no instant. */
export type AttributeInstantProblem = 'missing-attribute' | 'unreadable-attribute';

/** The instant an attribute stands for, or why there is none. */
export type AttributeInstant =
  | { readonly ok: true; readonly instant: number }
  | { readonly ok: false; readonly problem: AttributeInstantProblem };

/** The range of a JavaScript `Date`, in ms either side of the epoch. */
const MAX_EPOCH_MS = 8.64e15;

/**
 * Read the instant an attribute value holds (`wait.untilAttribute`), shifted by `offset`:
 *
 * - a number is epoch milliseconds (fractions dropped);
 * - an ISO date-time with `Z` or an offset is that instant;
 * - a date alone (`"2026-12-24"`) is local midnight, and a date-time without an offset a local
 *   time, in `zone` — the step window's zone when it has one, else `UTC` — with the gap and
 *   overlap rules of `wallClockToInstant`;
 * - `offset` (may be negative) is exact time, as a wait's duration is: a day is 24 hours.
 *
 * `null`, `undefined` and `''` are `missing-attribute`; anything else unreadable (another type,
 * another text form, an invalid zone) is `unreadable-attribute`. Never throws.
 *
 * @example attributeInstant('2026-12-24', 'UTC', { duration: -3, unit: 'days' }) // { ok: true, instant: Date.UTC(2026, 11, 21) }
 */
export function attributeInstant(value: unknown, zone = 'UTC', offset?: InstantOffset): AttributeInstant {
  if (value === undefined || value === null || value === '') return { ok: false, problem: 'missing-attribute' };
  let instant = Number.NaN;
  if (typeof value === 'number') {
    if (Number.isFinite(value) && Math.abs(value) <= MAX_EPOCH_MS) instant = Math.floor(value);
  } else {
    const parsed = parseIsoDateTime(value);
    if (parsed !== null) instant = parsed.offset === null ? wallClockToInstant(parsed.wall, zone) : parsed.wall - parsed.offset;
  }
  if (offset !== undefined) instant += durationToMs(offset.duration, offset.unit);
  return Number.isFinite(instant) ? { ok: true, instant } : { ok: false, problem: 'unreadable-attribute' };
}
