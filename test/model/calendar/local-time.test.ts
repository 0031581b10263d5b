import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { toWallClock, wallClockToInstant } from '../../../src/model/calendar/local-time.js';
import { SPAN_CACHE_LIMIT, spanCacheSize, zoneOffsetMs } from '../../../src/model/calendar/zone-offset.js';
import {
  instant, instantArb, nearTransition, oracleCompatible, oraclePossibleInstants, oracleWall, oracleWallToInstant, wall, zoneArb,
} from './oracle.js';

const HOUR = 3_600_000;

describe('zoneOffsetMs', () => {
  it('gives each zone its offset on both sides of its DST changes', () => {
    expect(zoneOffsetMs(instant('2026-01-15T12:00Z'), 'America/New_York')).toBe(-5 * HOUR);
    expect(zoneOffsetMs(instant('2026-07-15T12:00Z'), 'America/New_York')).toBe(-4 * HOUR);
    expect(zoneOffsetMs(instant('2026-01-15T12:00Z'), 'Europe/London')).toBe(0);
    expect(zoneOffsetMs(instant('2026-07-15T12:00Z'), 'Europe/London')).toBe(HOUR);
    expect(zoneOffsetMs(instant('2026-07-15T12:00Z'), 'Australia/Lord_Howe')).toBe(10.5 * HOUR);
    expect(zoneOffsetMs(instant('2026-01-15T12:00Z'), 'Australia/Lord_Howe')).toBe(11 * HOUR);
    expect(zoneOffsetMs(instant('2026-01-15T12:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(zoneOffsetMs(instant('2026-07-15T12:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
    expect(zoneOffsetMs(instant('2026-07-15T12:00Z'), 'Pacific/Chatham')).toBe(12.75 * HOUR);
    expect(zoneOffsetMs(instant('2026-01-15T12:00Z'), 'Pacific/Chatham')).toBe(13.75 * HOUR);
  });

  it('changes at the instant of the change, not a millisecond before', () => {
    const change = instant('2026-03-08T07:00Z');
    expect(zoneOffsetMs(change - 1, 'America/New_York')).toBe(-5 * HOUR);
    expect(zoneOffsetMs(change, 'America/New_York')).toBe(-4 * HOUR);
  });

  it('is NaN for an invalid zone', () => {
    expect(zoneOffsetMs(0, 'Mars/Base')).toBeNaN();
  });

  it('agrees with Temporal on random instants in random zones', () => {
    fc.assert(fc.property(instantArb, zoneArb, (at, zone) => {
      expect(toWallClock(at, zone)).toBe(oracleWall(at, zone));
    }), { numRuns: 2000 });
  });
});

describe('wallClockToInstant', () => {
  it('maps a time that exists once to its instant', () => {
    expect(wallClockToInstant(wall('2026-07-01T09:00'), 'America/New_York')).toBe(instant('2026-07-01T13:00Z'));
    expect(wallClockToInstant(wall('2026-07-01T09:00'), 'Asia/Kolkata')).toBe(instant('2026-07-01T03:30Z'));
    expect(wallClockToInstant(wall('2026-01-01T00:00'), 'Pacific/Chatham')).toBe(instant('2025-12-31T10:15Z'));
  });

  describe('a time skipped when clocks spring forward is the first instant after the gap', () => {
    it('New York, 02:00 → 03:00 on 2026-03-08', () => {
      for (const t of ['02:00', '02:30', '02:59']) expect(wallClockToInstant(wall(`2026-03-08T${t}`), 'America/New_York'), t).toBe(instant('2026-03-08T07:00Z'));
      expect(wallClockToInstant(wall('2026-03-08T01:59'), 'America/New_York')).toBe(instant('2026-03-08T06:59Z'));
      expect(wallClockToInstant(wall('2026-03-08T03:00'), 'America/New_York')).toBe(instant('2026-03-08T07:00Z'));
    });

    it('London, 01:00 → 02:00 on 2026-03-29', () => {
      expect(wallClockToInstant(wall('2026-03-29T01:30'), 'Europe/London')).toBe(instant('2026-03-29T01:00Z'));
    });

    it('Lord Howe, a 30-minute gap: 02:00 → 02:30 on 2026-10-04', () => {
      expect(wallClockToInstant(wall('2026-10-04T02:15'), 'Australia/Lord_Howe')).toBe(instant('2026-10-03T15:30Z'));
      expect(wallClockToInstant(wall('2026-10-04T02:30'), 'Australia/Lord_Howe')).toBe(instant('2026-10-03T15:30Z'));
      expect(wallClockToInstant(wall('2026-10-04T02:31'), 'Australia/Lord_Howe')).toBe(instant('2026-10-03T15:31Z'));
    });

    it('Chatham, 02:45 → 03:45 on 2026-09-27', () => {
      expect(wallClockToInstant(wall('2026-09-27T03:00'), 'Pacific/Chatham')).toBe(instant('2026-09-26T14:00Z'));
    });

    it('differs there from Temporal\'s "compatible", which shifts by the gap (03:30, not 03:00)', () => {
      expect(oracleCompatible(wall('2026-03-08T02:30'), 'America/New_York')).toBe(instant('2026-03-08T07:30Z'));
      expect(wallClockToInstant(wall('2026-03-08T02:30'), 'America/New_York')).toBe(instant('2026-03-08T07:00Z'));
    });
  });

  describe('a time repeated when clocks fall back is its first occurrence', () => {
    it('New York, 01:00–02:00 twice on 2026-11-01', () => {
      expect(wallClockToInstant(wall('2026-11-01T01:30'), 'America/New_York')).toBe(instant('2026-11-01T05:30Z'));
      expect(oraclePossibleInstants(wall('2026-11-01T01:30'), 'America/New_York')).toEqual([instant('2026-11-01T05:30Z'), instant('2026-11-01T06:30Z')]);
    });

    it('London, 01:00–02:00 twice on 2026-10-25', () => {
      expect(wallClockToInstant(wall('2026-10-25T01:15'), 'Europe/London')).toBe(instant('2026-10-25T00:15Z'));
    });

    it('Lord Howe, 01:30–02:00 twice on 2026-04-05', () => {
      expect(wallClockToInstant(wall('2026-04-05T01:45'), 'Australia/Lord_Howe')).toBe(instant('2026-04-04T14:45Z'));
    });

    it('Chatham, 02:45–03:45 twice on 2026-04-05', () => {
      expect(wallClockToInstant(wall('2026-04-05T03:00'), 'Pacific/Chatham')).toBe(instant('2026-04-04T13:15Z'));
    });

    it('agrees there with Temporal\'s "compatible"', () => {
      for (const [text, zone] of [['2026-11-01T01:30', 'America/New_York'], ['2026-04-05T03:00', 'Pacific/Chatham']] as const) {
        expect(wallClockToInstant(wall(text), zone)).toBe(oracleCompatible(wall(text), zone));
      }
    });
  });

  it('Kolkata has neither: every time exists once', () => {
    expect(wallClockToInstant(wall('2026-03-08T02:30'), 'Asia/Kolkata')).toBe(instant('2026-03-07T21:00Z'));
    expect(wallClockToInstant(wall('2026-11-01T01:30'), 'Asia/Kolkata')).toBe(instant('2026-10-31T20:00Z'));
  });

  it('is NaN for an invalid zone', () => {
    expect(wallClockToInstant(wall('2026-01-01T00:00'), 'Mars/Base')).toBeNaN();
  });

  it('agrees with the rule built from Temporal on random times, most near an offset change', () => {
    const shift = fc.integer({ min: -150, max: 150 });
    fc.assert(fc.property(instantArb, zoneArb, shift, fc.boolean(), (at, zone, minutes, near) => {
      const w = near ? oracleWall(nearTransition(at, zone, 0), zone) + minutes * 60_000 : oracleWall(at, zone);
      expect(wallClockToInstant(w, zone)).toBe(oracleWallToInstant(w, zone));
    }), { numRuns: 2000 });
  });

  it('round-trips: the instant of an instant\'s wall-clock time is that instant or an earlier occurrence of the same reading', () => {
    fc.assert(fc.property(instantArb, zoneArb, (at, zone) => {
      const back = wallClockToInstant(toWallClock(at, zone), zone);
      expect(back).toBeLessThanOrEqual(at);
      expect(toWallClock(back, zone)).toBe(toWallClock(at, zone));
    }), { numRuns: 1000 });
  });
});

describe('the offset cache', () => {
  it('stays bounded however many spans and zones are asked for', () => {
    for (let i = 0; i < SPAN_CACHE_LIMIT + 200; i++) zoneOffsetMs(i * 2 ** 31, `Nowhere/Zone_${i % 7}`);
    expect(spanCacheSize()).toBeLessThanOrEqual(SPAN_CACHE_LIMIT);
    expect(zoneOffsetMs(instant('2026-07-15T12:00Z'), 'Asia/Kolkata')).toBe(5.5 * HOUR);
  });
});
