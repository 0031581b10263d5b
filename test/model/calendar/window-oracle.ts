/** The window rules of issue 9 written again over Temporal's calendar, for the properties. */
import fc from 'fast-check';
import type { WindowSpec } from '../../../src/model/calendar/calendar-window.js';
import { oracleLocal, oraclePossibleInstants, oracleTransitions, oracleWall, oracleWallToInstant } from './oracle.js';

const DAY = 86_400_000;
/** Temporal's `dayOfWeek` 1…7 is Monday…Sunday. */
const NAMES = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'] as const;

function minutes(text: string): number {
  return Number(text.slice(0, 2)) * 60 + Number(text.slice(3, 5));
}

/** Whether the oracle's local time of `at` in `zone` lies inside `window`. */
export function oracleInside(at: number, zone: string, window: WindowSpec): boolean {
  const { dayOfWeek, minute } = oracleLocal(at, zone);
  const from = minutes(window.from);
  const to = minutes(window.to);
  const today = window.days.includes(NAMES[dayOfWeek - 1]!);
  const yesterday = window.days.includes(NAMES[(dayOfWeek + 5) % 7]!);
  if (from < to) return today && minute >= from && minute < to;
  if (from > to) return (today && minute >= from) || (yesterday && minute < to);
  return false;
}

/**
 * Every instant at or after `at` at which being inside the window can begin (or end, for
 * `edge: 'to'`): `at` itself, each instant whose local time is a window start (end) in the next
 * twelve local days, and each offset change (where local time jumps). Twelve, not eight: a zone
 * may skip a whole local day (Pacific/Kiritimati skipped Saturday 1994-12-31), so the next
 * Saturday can be eight local days after the one before it, plus the day the search starts in.
 */
export function oracleCandidates(at: number, zone: string, window: WindowSpec, edge: 'from' | 'to'): number[] {
  const firstDay = Math.floor(oracleWall(at, zone) / DAY) - 1;
  const edgeMs = minutes(window[edge]) * 60_000 + (edge === 'to' && minutes(window.to) < minutes(window.from) ? DAY : 0);
  const out = [at, ...oracleTransitions(at, at + 12 * DAY, zone)];
  for (let day = firstDay; day <= firstDay + 12; day++) {
    const w = day * DAY + edgeMs;
    out.push(...oraclePossibleInstants(w, zone), oracleWallToInstant(w, zone));
  }
  return out.filter((c) => c >= at).sort((a, b) => a - b);
}

/** The oracle's first instant at or after `at` inside (or, `outside`, outside) the window. */
export function oracleNext(at: number, zone: string, window: WindowSpec, outside = false): number | null {
  const edge = outside ? 'to' : 'from';
  return oracleCandidates(at, zone, window, edge).find((c) => oracleInside(c, zone, window) !== outside) ?? null;
}

const CLOSE_TO_CHANGES = ['00:00', '00:30', '01:00', '01:30', '01:45', '02:00', '02:15', '02:30', '02:45', '03:00', '03:30', '03:45', '23:00', '23:30'];
const clockArb = fc.oneof(
  fc.constantFrom(...CLOSE_TO_CHANGES),
  fc.tuple(fc.integer({ min: 0, max: 23 }), fc.integer({ min: 0, max: 59 })).map(([h, m]) => `${String(h).padStart(2, '0')}:${String(m).padStart(2, '0')}`),
);

/** Non-empty windows, half of them with times where DST changes happen, some crossing midnight. */
export const windowArb: fc.Arbitrary<WindowSpec> = fc
  .record({
    days: fc.subarray([...NAMES], { minLength: 1 }),
    from: clockArb,
    to: fc.oneof(clockArb, fc.constant('24:00')),
  })
  .filter((w) => w.from !== w.to && !(w.from === '00:00' && w.to === '24:00' && w.days.length === 7));
