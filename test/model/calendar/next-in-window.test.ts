import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { nextInstantInWindow, nextInstantOutsideWindow } from '../../../src/model/calendar/next-in-window.js';
import { instant, instantArb, nearTransition, zoneArb } from './oracle.js';
import { oracleInside, oracleNext, windowArb } from './window-oracle.js';

const ALL = ['sun', 'mon', 'tue', 'wed', 'thu', 'fri', 'sat'];
const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
const business = { days: WEEKDAYS, from: '09:00', to: '17:00' };
const nights = { days: ALL, from: '21:00', to: '08:00' };

describe('nextInstantInWindow', () => {
  it('is the instant itself when it already lies inside', () => {
    const at = instant('2026-03-10T15:00Z'); // Tuesday 11:00 EDT
    expect(nextInstantInWindow(at, business, 'America/New_York')).toBe(at);
  });

  it('moves a weekend instant to Monday\'s opening, in local time', () => {
    expect(nextInstantInWindow(instant('2026-03-07T17:00Z'), business, 'America/New_York')).toBe(instant('2026-03-09T13:00Z'));
    expect(nextInstantInWindow(instant('2026-03-07T17:00Z'), business, 'Asia/Kolkata')).toBe(instant('2026-03-09T03:30Z'));
    expect(nextInstantInWindow(instant('2026-03-07T17:00Z'), business, 'Pacific/Chatham')).toBe(instant('2026-03-08T19:15Z')); // 09:00 +13:45
  });

  it('treats `to` as exclusive: 17:00 on Friday waits for Monday', () => {
    expect(nextInstantInWindow(instant('2026-03-13T21:00Z'), business, 'America/New_York')).toBe(instant('2026-03-16T13:00Z'));
    expect(nextInstantInWindow(instant('2026-03-13T20:59:59.999Z'), business, 'America/New_York')).toBe(instant('2026-03-13T20:59:59.999Z'));
  });

  describe('a window crossing midnight belongs to the day it starts', () => {
    const fridayNight = { days: ['fri'], from: '21:00', to: '08:00' };

    it('Friday 21:00 to Saturday 08:00 (London, GMT)', () => {
      expect(nextInstantInWindow(instant('2026-03-13T12:00Z'), fridayNight, 'Europe/London')).toBe(instant('2026-03-13T21:00Z'));
      expect(nextInstantInWindow(instant('2026-03-14T07:59Z'), fridayNight, 'Europe/London')).toBe(instant('2026-03-14T07:59Z'));
      expect(nextInstantInWindow(instant('2026-03-14T08:00Z'), fridayNight, 'Europe/London')).toBe(instant('2026-03-20T21:00Z'));
    });

    it('Thursday night and Saturday night are not in a Friday window', () => {
      expect(nextInstantInWindow(instant('2026-03-12T23:00Z'), fridayNight, 'Europe/London')).toBe(instant('2026-03-13T21:00Z'));
      expect(nextInstantInWindow(instant('2026-03-14T22:00Z'), fridayNight, 'Europe/London')).toBe(instant('2026-03-20T21:00Z'));
    });
  });

  describe('on DST nights', () => {
    it('New York spring forward: a window wholly inside the skipped hour does not open that night', () => {
      const w = { days: ALL, from: '02:00', to: '03:00' };
      expect(nextInstantInWindow(instant('2026-03-08T06:30Z'), w, 'America/New_York')).toBe(instant('2026-03-09T06:00Z'));
    });

    it('New York spring forward: a window opening in the gap opens at the first instant after it', () => {
      const w = { days: ALL, from: '02:30', to: '04:00' };
      expect(nextInstantInWindow(instant('2026-03-08T06:00Z'), w, 'America/New_York')).toBe(instant('2026-03-08T07:00Z'));
    });

    it('New York fall back: the repeated hour lies inside again', () => {
      const w = { days: ALL, from: '01:00', to: '01:30' };
      // 01:45 EDT is past the window; 15 minutes later the clocks read 01:00 EST.
      expect(nextInstantInWindow(instant('2026-11-01T05:45Z'), w, 'America/New_York')).toBe(instant('2026-11-01T06:00Z'));
    });

    it('London fall back across midnight: Saturday 23:00 to 01:30 opens twice', () => {
      const w = { days: ['sat'], from: '23:00', to: '01:30' };
      expect(nextInstantOutsideWindow(instant('2026-10-24T22:30Z'), w, 'Europe/London')).toBe(instant('2026-10-25T00:30Z'));
      expect(nextInstantInWindow(instant('2026-10-25T00:45Z'), w, 'Europe/London')).toBe(instant('2026-10-25T01:00Z'));
      expect(nextInstantOutsideWindow(instant('2026-10-25T01:00Z'), w, 'Europe/London')).toBe(instant('2026-10-25T01:30Z'));
    });

    it('Lord Howe spring forward by 30 minutes: 02:00–02:20 is skipped, 02:15–03:00 opens at 02:30', () => {
      expect(nextInstantInWindow(instant('2026-10-03T15:20Z'), { days: ALL, from: '02:00', to: '02:20' }, 'Australia/Lord_Howe')).toBe(instant('2026-10-04T15:00Z'));
      expect(nextInstantInWindow(instant('2026-10-03T15:20Z'), { days: ALL, from: '02:15', to: '03:00' }, 'Australia/Lord_Howe')).toBe(instant('2026-10-03T15:30Z'));
    });

    it('Lord Howe fall back by 30 minutes: 01:45 comes twice', () => {
      const w = { days: ['sun'], from: '01:45', to: '02:00' };
      expect(nextInstantInWindow(instant('2026-04-04T14:40Z'), w, 'Australia/Lord_Howe')).toBe(instant('2026-04-04T14:45Z'));
      expect(nextInstantInWindow(instant('2026-04-04T15:00Z'), w, 'Australia/Lord_Howe')).toBe(instant('2026-04-04T15:15Z'));
    });

    it('Chatham (+12:45/+13:45): 03:00–03:30 is skipped in spring and comes twice in autumn', () => {
      const w = { days: ALL, from: '03:00', to: '03:30' };
      expect(nextInstantInWindow(instant('2026-09-26T13:50Z'), w, 'Pacific/Chatham')).toBe(instant('2026-09-27T13:15Z'));
      expect(nextInstantInWindow(instant('2026-04-04T13:00Z'), w, 'Pacific/Chatham')).toBe(instant('2026-04-04T13:15Z'));
      expect(nextInstantInWindow(instant('2026-04-04T13:50Z'), w, 'Pacific/Chatham')).toBe(instant('2026-04-04T14:15Z'));
    });
  });

  it('is null for an empty or malformed window, or an invalid zone', () => {
    const at = instant('2026-03-10T15:00Z');
    expect(nextInstantInWindow(at, { days: ALL, from: '09:00', to: '09:00' }, 'UTC')).toBeNull();
    expect(nextInstantInWindow(at, { days: [], from: '09:00', to: '17:00' }, 'UTC')).toBeNull();
    expect(nextInstantInWindow(at, { days: ['mon'], from: '9am', to: '17:00' }, 'UTC')).toBeNull();
    expect(nextInstantInWindow(at, business, 'Mars/Base')).toBeNull();
  });

  it('a window on a local day the zone skipped opens on the next such day: Kiritimati skipped Saturday 1994-12-31', () => {
    // 1994-12-29 12:00 local (UTC−10); at the end of Dec 30 the Line Islands jumped to UTC+14.
    const from = Date.UTC(1994, 11, 29, 22);
    expect(nextInstantInWindow(from, { days: ['sat'], from: '00:00', to: '24:00' }, 'Pacific/Kiritimati')).toBe(Date.UTC(1995, 0, 6, 10)); // Sat 1995-01-07 00:00 +14
  });

  it('matches the rules built from Temporal on random instants, zones and windows', () => {
    const shift = fc.integer({ min: -3 * 1440, max: 600 });
    fc.assert(fc.property(instantArb, zoneArb, windowArb, shift, fc.boolean(), (at, zone, window, minutes, near) => {
      const from = near ? nearTransition(at, zone, minutes) : at;
      const answer = nextInstantInWindow(from, window, zone);
      expect(answer).not.toBeNull();
      expect(answer!).toBeGreaterThanOrEqual(from);
      expect(oracleInside(answer!, zone, window)).toBe(true);
      expect(answer).toBe(oracleNext(from, zone, window));
      // And minute by minute over the three hours before it: nothing inside.
      for (let t = Math.max(from, answer! - 180 * 60_000); t < answer!; t = Math.floor(t / 60_000) * 60_000 + 60_000) {
        expect(oracleInside(t, zone, window), `${new Date(t).toISOString()} inside`).toBe(false);
      }
    }), { numRuns: 400 });
  });
});

describe('nextInstantOutsideWindow (the end of quiet hours)', () => {
  it('is the instant itself outside quiet hours', () => {
    expect(nextInstantOutsideWindow(instant('2026-01-01T06:00Z'), nights, 'Asia/Kolkata')).toBe(instant('2026-01-01T06:00Z'));
  });

  it('is 08:00 the next morning from 23:00, in the customer\'s zone', () => {
    expect(nextInstantOutsideWindow(instant('2026-01-01T17:30Z'), nights, 'Asia/Kolkata')).toBe(instant('2026-01-02T02:30Z'));
    expect(nextInstantOutsideWindow(instant('2026-01-02T04:00Z'), nights, 'America/New_York')).toBe(instant('2026-01-02T13:00Z'));
  });

  it('on DST nights the quiet night is an hour shorter or longer', () => {
    expect(nextInstantOutsideWindow(instant('2026-03-08T03:00Z'), nights, 'America/New_York')).toBe(instant('2026-03-08T12:00Z'));
    expect(nextInstantOutsideWindow(instant('2026-11-01T03:00Z'), nights, 'America/New_York')).toBe(instant('2026-11-01T13:00Z'));
  });

  it('ends at the gap when the quiet period would end inside it (London, 01:30 on 2026-03-29)', () => {
    const w = { days: ['sat'], from: '22:00', to: '01:30' };
    expect(nextInstantOutsideWindow(instant('2026-03-28T23:00Z'), w, 'Europe/London')).toBe(instant('2026-03-29T01:00Z'));
  });

  it('Lord Howe: a quiet period ending at 02:15 on the spring night ends at 02:30 (the change)', () => {
    const w = { days: ['sat'], from: '23:00', to: '02:15' };
    expect(nextInstantOutsideWindow(instant('2026-10-03T13:00Z'), w, 'Australia/Lord_Howe')).toBe(instant('2026-10-03T15:30Z'));
  });

  it('is null when the window covers all time', () => {
    expect(nextInstantOutsideWindow(0, { days: ALL, from: '00:00', to: '24:00' }, 'UTC')).toBeNull();
  });

  it('walks over whole closed days: Monday to Friday 00:00–24:00 ends on Saturday', () => {
    const w = { days: WEEKDAYS, from: '00:00', to: '24:00' };
    expect(nextInstantOutsideWindow(instant('2026-03-09T12:00Z'), w, 'UTC')).toBe(instant('2026-03-14T00:00Z'));
  });

  it('matches the rules built from Temporal on random instants, zones and windows', () => {
    const shift = fc.integer({ min: -3 * 1440, max: 600 });
    fc.assert(fc.property(instantArb, zoneArb, windowArb, shift, fc.boolean(), (at, zone, window, minutes, near) => {
      const from = near ? nearTransition(at, zone, minutes) : at;
      const answer = nextInstantOutsideWindow(from, window, zone);
      expect(answer).not.toBeNull();
      expect(answer!).toBeGreaterThanOrEqual(from);
      expect(oracleInside(answer!, zone, window)).toBe(false);
      expect(answer).toBe(oracleNext(from, zone, window, true));
    }), { numRuns: 400 });
  });
});
