import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { localDayOf } from '../../../src/model/calendar/local-day.js';
import { formatWallDate } from '../../../src/model/calendar/wall-clock.js';
import { instant, instantArb, nearTransition, oracleDay, oracleWall, wall, zoneArb } from './oracle.js';

const HOUR = 3_600_000;

describe('localDayOf (the customer\'s own calendar day, for caps)', () => {
  it('is midnight to midnight in the zone', () => {
    expect(localDayOf(instant('2026-07-01T12:00Z'), 'Asia/Kolkata')).toEqual({
      start: instant('2026-06-30T18:30Z'),
      end: instant('2026-07-01T18:30Z'),
      date: '2026-07-01',
    });
    expect(localDayOf(instant('2026-07-01T12:00Z'), 'Pacific/Chatham')?.date).toBe('2026-07-02');
  });

  it('is 23 hours on a spring-forward day and 25 on a fall-back day', () => {
    const spring = localDayOf(instant('2026-03-08T12:00Z'), 'America/New_York')!;
    expect(spring.end - spring.start).toBe(23 * HOUR);
    const fall = localDayOf(instant('2026-11-01T12:00Z'), 'America/New_York')!;
    expect(fall.end - fall.start).toBe(25 * HOUR);
    const london = localDayOf(instant('2026-03-29T12:00Z'), 'Europe/London')!;
    expect(london).toEqual({ start: instant('2026-03-29T00:00Z'), end: instant('2026-03-29T23:00Z'), date: '2026-03-29' });
  });

  it('is 23½ and 24½ hours on Lord Howe\'s change days', () => {
    const spring = localDayOf(instant('2026-10-04T00:00Z'), 'Australia/Lord_Howe')!;
    expect(spring.end - spring.start).toBe(23.5 * HOUR);
    const fall = localDayOf(instant('2026-04-05T00:00Z'), 'Australia/Lord_Howe')!;
    expect(fall.end - fall.start).toBe(24.5 * HOUR);
  });

  it('starts at the change when midnight itself is skipped (Havana springs forward at 00:00)', () => {
    const day = localDayOf(instant('2026-03-08T12:00Z'), 'America/Havana')!;
    expect(day.date).toBe('2026-03-08');
    expect(day.start).toBe(instant('2026-03-08T05:00Z')); // 00:00 CST does not exist; 01:00 CDT is the first instant
  });

  it('ends an instant\'s day when midnight comes the second time, where clocks fall back across midnight', () => {
    // St. John's, 1990-10-28: at 00:01 NDT the clocks went back to 23:01 NST on the 27th.
    const secondEvening = instant('1990-10-28T02:31Z'); // 23:01 NST on the 27th, again
    expect(localDayOf(secondEvening, 'America/St_Johns')).toEqual({
      start: instant('1990-10-27T02:30Z'),
      end: instant('1990-10-28T03:30Z'), // 00:00 NST on the 28th
      date: '1990-10-27',
    });
    // Temporal's next startOfDay is the first 00:00 (NDT), a minute before the instant.
    expect(oracleDay(secondEvening, 'America/St_Johns').end).toBe(instant('1990-10-28T02:30Z'));
  });

  it('is null for an invalid zone', () => {
    expect(localDayOf(0, 'Mars/Base')).toBeNull();
  });

  it('contains the instant and agrees with Temporal\'s startOfDay in random zones, many near changes', () => {
    fc.assert(fc.property(instantArb, zoneArb, fc.integer({ min: -1500, max: 1500 }), fc.boolean(), (at, zone, minutes, near) => {
      const t = near ? nearTransition(at, zone, minutes) : at;
      const day = localDayOf(t, zone)!;
      const oracle = oracleDay(t, zone);
      expect(day.start).toBeLessThanOrEqual(t);
      expect(day.end).toBeGreaterThan(t);
      expect({ start: day.start, date: day.date }).toEqual({ start: oracle.start, date: oracle.date });
      if (oracle.end > t) expect(day.end).toBe(oracle.end);
      else {
        // Clocks fell back across midnight: the day ends when the next midnight comes again.
        const nextMidnight = wall(`${oracle.date}T00:00`) + 86_400_000;
        expect(oracleWall(day.end, zone)).toBeGreaterThanOrEqual(nextMidnight);
        expect(oracleWall(day.end - 1, zone)).toBeLessThan(nextMidnight);
      }
    }), { numRuns: 1000, examples: [[638940660000, 'America/St_Johns', 0, true]] });
  });
});

describe('formatWallDate', () => {
  it('writes the date of a wall-clock time, with four-digit years', () => {
    expect(formatWallDate(wall('2026-03-29T12:00'))).toBe('2026-03-29');
    expect(formatWallDate(wall('0999-12-31T23:59'))).toBe('0999-12-31');
    expect(formatWallDate(wall('2000-02-29T00:00'))).toBe('2000-02-29');
  });

  it('agrees with Date on random days', () => {
    fc.assert(fc.property(fc.integer({ min: -30_000_000_000_000, max: 250_000_000_000_000 }), (ms) => {
      expect(formatWallDate(ms)).toBe(new Date(ms).toISOString().slice(0, 10));
    }));
  });
});
