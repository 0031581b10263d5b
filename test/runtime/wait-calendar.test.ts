/**
 * The wait step's calendar forms at run time: `until`, `untilAttribute` (+ `offset`) and `window`,
 * computed once on entering from the injected `now` and the customer's attributes — across DST
 * changes in the five zones, and against temporal-polyfill as the oracle.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance, createEnrollment } from '../../src/runtime/interpreter.js';
import type { AdvanceResult } from '../../src/runtime/types.js';
import type { JsonValue } from '../../src/model/schema.js';
import { instant, instantArb, oracleWall, oracleWallToInstant, zoneArb } from '../model/calendar/oracle.js';
import { oracleNext, windowArb } from '../model/calendar/window-oracle.js';
import { compile, DAY, HOUR, journey, MINUTE } from './helpers.js';

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'];
const BUSINESS = { days: WEEKDAYS, from: '09:00', to: '17:00', timeZone: 'customer.timezone' };

/** Enter a journey of one wait (then an end) at `now`, as a customer with `attributes`. */
function enter(config: Record<string, unknown>, now: number, attributes: Record<string, JsonValue> = {}, maxDuration = 365): AdvanceResult {
  const j = compile(journey([{ id: 'w', type: 'wait', config }], { maxDuration }));
  const e = createEnrollment(j, { id: 'enr_1', customerId: 'c1' }, now);
  return advance(j, e, { type: 'wake' }, now, { customer: { id: 'c1', attributes, segments: [] } });
}

/** When the wait wakes, or `now` when it continued at once. */
function wakeOf(config: Record<string, unknown>, now: number, attributes: Record<string, JsonValue> = {}): number {
  const r = enter(config, now, attributes);
  if (r.enrollment.status === 'completed') return now;
  expect(r.enrollment.phase).toBe('waiting');
  expect(r.commands).toEqual([{ type: 'schedule', wakeAt: r.enrollment.wakeAt }]);
  return r.enrollment.wakeAt!;
}

const notes = (r: AdvanceResult) => r.events.flatMap((e) => (e.type === 'noted' ? [{ note: e.note, detail: e.detail }] : []));

describe('wait until an instant', () => {
  const now = instant('2026-12-01T12:00Z');

  it('wakes at the instant, whatever offset it is written with', () => {
    expect(wakeOf({ until: '2026-12-24T09:00:00Z' }, now)).toBe(instant('2026-12-24T09:00Z'));
    expect(wakeOf({ until: '2026-12-24T09:00:00+05:30' }, now)).toBe(instant('2026-12-24T03:30Z'));
  });

  it('continues at once when the instant has passed, and the timeline says why', () => {
    const r = enter({ until: '2026-11-24T09:00:00Z' }, now);
    expect(r.enrollment.status).toBe('completed');
    expect(r.commands).toEqual([{ type: 'complete' }]);
    expect(notes(r)).toEqual([{ note: 'wait-target:past', detail: { target: '2026-11-24T09:00:00.000Z' } }]);
    expect(r.events.map((e) => e.type)).toEqual(['entered', 'noted', 'completed', 'journey-completed']);
  });

  it('continues at once, without a note, when the instant is now', () => {
    const r = enter({ until: '2026-12-01T12:00:00Z' }, now);
    expect(r.enrollment.status).toBe('completed');
    expect(notes(r)).toEqual([]);
  });

  it('is clipped to the deadline like a duration wait: it wakes just past it, to exit', () => {
    const r = enter({ until: '2027-06-01T00:00:00Z' }, now, {}, 30);
    expect(r.enrollment.wakeAt).toBe(now + 30 * DAY + 1);
  });

  it('with a window: a past instant waits for the window\'s next opening from now', () => {
    // 2026-12-05 is a Saturday: Monday 09:00 in New York is 14:00Z.
    const sat = instant('2026-12-05T12:00Z');
    const r = enter({ until: '2026-11-24T09:00:00Z', window: { ...BUSINESS, timeZone: 'America/New_York' } }, sat);
    expect(r.enrollment.wakeAt).toBe(instant('2026-12-07T14:00Z'));
    expect(notes(r).map((n) => n.note)).toEqual(['wait-target:past']);
  });
});

describe('wait until a customer attribute', () => {
  const now = instant('2026-12-01T12:00Z');
  const renewal = (value: JsonValue, offset?: Record<string, unknown>) =>
    wakeOf({ untilAttribute: 'renewal_date', ...(offset ? { offset } : {}) }, now, { renewal_date: value });

  it('reads an ISO date as midnight UTC, shifted by a negative offset', () => {
    expect(renewal('2026-12-24', { duration: -3, unit: 'days' })).toBe(instant('2026-12-21T00:00Z'));
  });

  it('reads epoch milliseconds and ISO instants', () => {
    expect(renewal(instant('2026-12-24T09:00Z'))).toBe(instant('2026-12-24T09:00Z'));
    expect(renewal('2026-12-24T09:00:00+01:00', { duration: 2, unit: 'hours' })).toBe(instant('2026-12-24T10:00Z'));
  });

  it('reads a date alone as local midnight in the window\'s zone', () => {
    const window = { days: ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'], from: '00:00', to: '24:00', timeZone: 'customer.timezone' };
    const r = enter({ untilAttribute: 'renewal_date', window }, now, { renewal_date: '2026-12-24', timezone: 'Asia/Kolkata' });
    expect(r.enrollment.wakeAt).toBe(instant('2026-12-23T18:30Z'));
  });

  it('continues at once on a missing or unreadable attribute, saying which', () => {
    const missing = enter({ untilAttribute: 'renewal_date' }, now, {});
    expect(missing.enrollment.status).toBe('completed');
    expect(notes(missing)).toEqual([{ note: 'wait-target:missing-attribute', detail: { attribute: 'renewal_date', value: null } }]);
    const unreadable = enter({ untilAttribute: 'renewal_date' }, now, { renewal_date: 'next tuesday' });
    expect(unreadable.enrollment.status).toBe('completed');
    expect(notes(unreadable)).toEqual([{ note: 'wait-target:unreadable-attribute', detail: { attribute: 'renewal_date', value: 'next tuesday' } }]);
    const object = enter({ untilAttribute: 'renewal_date' }, now, { renewal_date: { y: 2026 } });
    expect(notes(object)).toEqual([{ note: 'wait-target:unreadable-attribute', detail: { attribute: 'renewal_date', value: '(object)' } }]);
  });

  it('continues at once when the attribute\'s instant (with its offset) has passed', () => {
    const r = enter({ untilAttribute: 'renewal_date', offset: { duration: -30, unit: 'days' } }, now, { renewal_date: '2026-12-24' });
    expect(r.enrollment.status).toBe('completed');
    expect(notes(r)).toEqual([{ note: 'wait-target:past', detail: { target: '2026-11-24T00:00:00.000Z' } }]);
  });
});

describe('wait with a window', () => {
  // 2026-03-13 is a Friday.
  const fridayEvening = instant('2026-03-13T22:30Z'); // 18:30 EDT

  it('a duration wait continues at the first instant at or after now + duration inside the window, in the customer\'s zone', () => {
    const config = { duration: 1, unit: 'hours', window: BUSINESS };
    expect(wakeOf(config, fridayEvening, { timezone: 'America/New_York' })).toBe(instant('2026-03-16T13:00Z'));
    // Already inside after the hour: no extra wait.
    expect(wakeOf(config, instant('2026-03-16T14:00Z'), { timezone: 'America/New_York' })).toBe(instant('2026-03-16T15:00Z'));
  });

  it('reads a window crossing midnight as starting on the day it names', () => {
    const night = { days: ['fri'], from: '21:00', to: '08:00', timeZone: 'Europe/London' };
    expect(wakeOf({ duration: 1, unit: 'minutes', window: night }, instant('2026-03-14T07:00Z'))).toBe(instant('2026-03-14T07:01Z'));
    expect(wakeOf({ duration: 1, unit: 'minutes', window: night }, instant('2026-03-14T08:00Z'))).toBe(instant('2026-03-20T21:00Z'));
  });

  it('uses the fallback zone for an invalid customer zone, and notes it with the zone read and the zone used', () => {
    const config = { duration: 1, unit: 'hours', window: { ...BUSINESS, fallbackTimeZone: 'America/New_York' } };
    const r = enter(config, fridayEvening, { timezone: 'Mars/Olympus' });
    expect(r.enrollment.wakeAt).toBe(instant('2026-03-16T13:00Z'));
    expect(notes(r)).toEqual([{ note: 'time-zone-fallback:invalid-time-zone', detail: { zone: 'Mars/Olympus', used: 'America/New_York' } }]);
  });

  it('uses UTC when the customer has no zone and no fallback is given, and notes it as missing', () => {
    const r = enter({ duration: 1, unit: 'hours', window: BUSINESS }, fridayEvening, {});
    expect(r.enrollment.wakeAt).toBe(instant('2026-03-16T09:00Z'));
    expect(notes(r)).toEqual([{ note: 'time-zone-fallback:missing-time-zone', detail: { zone: null, used: 'UTC' } }]);
  });

  it('notes nothing for a window with a fixed zone, or with none (its fallback, default UTC)', () => {
    const fixed = enter({ duration: 1, unit: 'hours', window: { ...BUSINESS, timeZone: 'Asia/Kolkata' } }, fridayEvening);
    expect(fixed.enrollment.wakeAt).toBe(instant('2026-03-16T03:30Z'));
    expect(notes(fixed)).toEqual([]);
    const { timeZone: _, ...noZone } = BUSINESS;
    expect(notes(enter({ duration: 1, unit: 'hours', window: noZone }, fridayEvening))).toEqual([]);
    expect(wakeOf({ duration: 1, unit: 'hours', window: noZone }, fridayEvening)).toBe(instant('2026-03-16T09:00Z'));
  });

  it('computes the wake-up once: a later wake before it is due changes nothing', () => {
    const j = compile(journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'hours', window: BUSINESS } }], { maxDuration: 365 }));
    const e = createEnrollment(j, { id: 'enr_1', customerId: 'c1' }, fridayEvening);
    const first = advance(j, e, { type: 'wake' }, fridayEvening, { customer: { id: 'c1', attributes: { timezone: 'America/New_York' }, segments: [] } });
    // The customer moves to Tokyo before the wake-up: the wait keeps the instant computed on entry.
    const early = advance(j, first.enrollment, { type: 'wake' }, fridayEvening + HOUR, { customer: { id: 'c1', attributes: { timezone: 'Asia/Tokyo' }, segments: [] } });
    expect(early.enrollment).toBe(first.enrollment);
    const due = advance(j, first.enrollment, { type: 'wake' }, first.enrollment.wakeAt!, { customer: { id: 'c1', attributes: { timezone: 'Asia/Tokyo' }, segments: [] } });
    expect(due.enrollment.status).toBe('completed');
  });
});

describe('wait step across DST changes', () => {
  const everyDay = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];
  const cases: [zone: string, what: string, config: Record<string, unknown>, now: string, attributes: Record<string, JsonValue>, wakes: string][] = [
    ['America/New_York', 'a window opening in the spring-forward gap opens at the change', { duration: 1, unit: 'minutes', window: { days: everyDay, from: '02:30', to: '04:00', timeZone: 'customer.tz' } }, '2026-03-08T05:59Z', {}, '2026-03-08T07:00Z'],
    ['America/New_York', 'a local date-time in the gap is the first instant after it', { untilAttribute: 'at', window: { days: everyDay, from: '00:00', to: '24:00', timeZone: 'customer.tz' } }, '2026-03-01T00:00Z', { at: '2026-03-08T02:30' }, '2026-03-08T07:00Z'],
    ['America/New_York', 'a repeated local time is its first occurrence', { untilAttribute: 'at', window: { days: everyDay, from: '00:00', to: '24:00', timeZone: 'customer.tz' } }, '2026-10-01T00:00Z', { at: '2026-11-01T01:30' }, '2026-11-01T05:30Z'],
    ['America/New_York', 'fall back: 01:00–01:30 opens a second time an hour later', { duration: 1, unit: 'minutes', window: { days: everyDay, from: '01:00', to: '01:30', timeZone: 'customer.tz' } }, '2026-11-01T05:44Z', {}, '2026-11-01T06:00Z'],
    ['Europe/London', 'a window opening in the gap opens at 02:00 BST', { duration: 1, unit: 'minutes', window: { days: ['sun'], from: '01:30', to: '03:00', timeZone: 'customer.tz' } }, '2026-03-29T00:00Z', {}, '2026-03-29T01:00Z'],
    ['Europe/London', 'a weekday 09:00 window in BST after the change', { duration: 1, unit: 'days', window: { days: WEEKDAYS, from: '09:00', to: '17:00', timeZone: 'customer.tz' } }, '2026-03-28T12:00Z', {}, '2026-03-30T08:00Z'],
    ['Australia/Lord_Howe', 'a window opening in the 30-minute gap opens at 02:30', { duration: 1, unit: 'minutes', window: { days: everyDay, from: '02:15', to: '03:00', timeZone: 'customer.tz' } }, '2026-10-03T15:19Z', {}, '2026-10-03T15:30Z'],
    ['Australia/Lord_Howe', 'the repeated half hour: the first occurrence (+11:00)', { untilAttribute: 'at', window: { days: everyDay, from: '00:00', to: '24:00', timeZone: 'customer.tz' } }, '2026-03-01T00:00Z', { at: '2026-04-05T01:45' }, '2026-04-04T14:45Z'],
    ['Asia/Kolkata', 'no DST: Monday 09:00 IST', { duration: 1, unit: 'hours', window: { days: WEEKDAYS, from: '09:00', to: '17:00', timeZone: 'customer.tz' } }, '2026-03-07T16:00Z', {}, '2026-03-09T03:30Z'],
    ['Asia/Kolkata', 'a date alone is local midnight, +05:30 all year', { untilAttribute: 'at', offset: { duration: -3, unit: 'days' }, window: { days: everyDay, from: '00:00', to: '24:00', timeZone: 'customer.tz' } }, '2026-03-01T00:00Z', { at: '2026-03-11' }, '2026-03-07T18:30Z'],
    ['Pacific/Chatham', 'a window wholly in the spring gap waits for the next night', { duration: 1, unit: 'minutes', window: { days: everyDay, from: '03:00', to: '03:30', timeZone: 'customer.tz' } }, '2026-09-26T13:49Z', {}, '2026-09-27T13:15Z'],
    ['Pacific/Chatham', 'autumn: the repeated 03:00 is its first occurrence (+13:45)', { untilAttribute: 'at', window: { days: everyDay, from: '00:00', to: '24:00', timeZone: 'customer.tz' } }, '2026-03-01T00:00Z', { at: '2026-04-05T03:00' }, '2026-04-04T13:15Z'],
  ];
  it.each(cases)('%s: %s', (zone, _what, config, now, attributes, wakes) => {
    expect(new Date(wakeOf(config, instant(now), { ...attributes, tz: zone })).toISOString()).toBe(new Date(instant(wakes)).toISOString());
  });
});

/** `YYYY-MM-DDTHH:MM` of a wall-clock number. */
function wallText(wallMs: number): string {
  return new Date(wallMs).toISOString().slice(0, 16);
}

describe('wait step against temporal-polyfill (the oracle)', () => {
  it('a windowed duration wait wakes where the oracle says, for random instants, zones and windows', () => {
    const minutes = fc.integer({ min: 1, max: 10 * 1440 });
    fc.assert(
      fc.property(instantArb, zoneArb, windowArb, minutes, (now, zone, window, m) => {
        const wake = wakeOf({ duration: m, unit: 'minutes', window: { ...window, timeZone: 'customer.tz' } }, now, { tz: zone });
        expect(wake).toBe(oracleNext(now + m * MINUTE, zone, window));
      }),
      { numRuns: 300 },
    );
  });

  it('an untilAttribute wait on a local date-time, with an offset and a window, wakes where the oracle says', () => {
    const shift = fc.integer({ min: -20 * 1440, max: 20 * 1440 });
    const offset = fc.integer({ min: -72, max: 72 });
    fc.assert(
      fc.property(instantArb, zoneArb, windowArb, shift, offset, (now, zone, window, s, hours) => {
        const local = wallText(oracleWall(now, zone) + s * MINUTE);
        const config = { untilAttribute: 'at', offset: { duration: hours, unit: 'hours' }, window: { ...window, timeZone: 'customer.tz' } };
        const target = oracleWallToInstant(Date.parse(`${local}Z`), zone) + hours * HOUR;
        const r = enter(config, now, { at: local, tz: zone });
        const wake = r.enrollment.status === 'completed' ? now : r.enrollment.wakeAt!;
        expect(wake).toBe(oracleNext(Math.max(now, target), zone, window));
        expect(notes(r).some((n) => n.note === 'wait-target:past')).toBe(target < now);
      }),
      { numRuns: 300 },
    );
  });
});
