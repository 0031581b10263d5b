/** Units a wait step may use. */
export const WAIT_UNITS = ['minutes', 'hours', 'days'] as const;
/** A wait step's unit. */
export type WaitUnit = (typeof WAIT_UNITS)[number];

export const MS_PER_MINUTE = 60_000;
export const MS_PER_HOUR = 3_600_000;
export const MS_PER_DAY = 86_400_000;

const UNIT_MS: Readonly<Record<WaitUnit, number>> = Object.freeze({
  minutes: MS_PER_MINUTE,
  hours: MS_PER_HOUR,
  days: MS_PER_DAY,
});

/**
 * The first instant after `instant` (instants are whole epoch milliseconds). The maxDuration rule
 * in one place: a step due at or before an enrollment's deadline runs; from
 * `firstInstantAfter(deadline)` on it exits, and that is when waits and retries that would end
 * later are scheduled, and when a paused journey's enrollment can be claimed to exit.
 */
export function firstInstantAfter(instant: number): number {
  return Math.floor(instant) + 1;
}

/** Milliseconds in `duration` of `unit`, rounded to a whole millisecond. */
export function durationToMs(duration: number, unit: WaitUnit): number {
  return Math.round(duration * UNIT_MS[unit]);
}

const SHORTHAND = /^(\d+(?:\.\d+)?)(ms|s|m|h|d|w)$/;
const SHORTHAND_MS: Readonly<Record<string, number>> = Object.freeze({
  ms: 1,
  s: 1000,
  m: MS_PER_MINUTE,
  h: MS_PER_HOUR,
  d: MS_PER_DAY,
  w: 7 * MS_PER_DAY,
});

/**
 * Parse a duration given as milliseconds or as a shorthand such as `'90s'`, `'15m'`, `'3h'`,
 * `'3d'` or `'2w'`.
 *
 * @throws RangeError when the value is negative, not finite, or not a recognised shorthand.
 * @example parseDuration('3d') // 259200000
 */
export function parseDuration(value: number | string): number {
  if (typeof value === 'number') {
    if (!Number.isFinite(value) || value < 0) throw new RangeError(`duration must be a finite number of ms >= 0, got ${value}`);
    return value;
  }
  const match = SHORTHAND.exec(value.trim());
  if (!match) throw new RangeError(`duration "${value}" is not a number of ms or a shorthand like '15m', '3h', '3d'`);
  return Math.round(Number(match[1]) * SHORTHAND_MS[match[2]!]!);
}
