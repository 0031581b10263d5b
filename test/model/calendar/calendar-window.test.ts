import { describe, expect, it } from 'vitest';
import { compileWindow, isEmptyWindow, parseClockTime } from '../../../src/model/calendar/calendar-window.js';

const MINUTE = 60_000;

describe('parseClockTime', () => {
  it('reads HH:MM from 00:00 to 23:59', () => {
    expect(parseClockTime('00:00')).toBe(0);
    expect(parseClockTime('09:30')).toBe(570 * MINUTE);
    expect(parseClockTime('23:59')).toBe(1439 * MINUTE);
  });

  it('reads 24:00 only as an end', () => {
    expect(parseClockTime('24:00')).toBeNull();
    expect(parseClockTime('24:00', true)).toBe(1440 * MINUTE);
  });

  it('rejects anything else', () => {
    for (const bad of ['9:30', '09:3', '24:01', '25:00', '12:60', '09:30:00', ' 09:30', '', 930, null]) {
      expect(parseClockTime(bad), String(bad)).toBeNull();
    }
  });
});

describe('compileWindow', () => {
  it('turns days into a mask and times into milliseconds', () => {
    expect(compileWindow({ days: ['sun', 'mon', 'sat'], from: '09:00', to: '17:00' })).toEqual({
      dayMask: 0b1000011,
      from: 540 * MINUTE,
      to: 1020 * MINUTE,
      crossesMidnight: false,
      empty: false,
    });
  });

  it('marks a window with to < from as crossing midnight', () => {
    expect(compileWindow({ days: ['fri'], from: '21:00', to: '08:00' })).toMatchObject({ crossesMidnight: true, empty: false });
    expect(compileWindow({ days: ['fri'], from: '21:00', to: '24:00' })).toMatchObject({ crossesMidnight: false, empty: false });
  });

  it('is null for an unknown day or a malformed time', () => {
    expect(compileWindow({ days: ['monday'], from: '09:00', to: '17:00' })).toBeNull();
    expect(compileWindow({ days: ['mon'], from: '9', to: '17:00' })).toBeNull();
    expect(compileWindow({ days: ['mon'], from: '24:00', to: '17:00' })).toBeNull();
  });
});

describe('isEmptyWindow (the validator\'s empty-window)', () => {
  it('is true when from equals to: an empty window, not a whole day', () => {
    expect(isEmptyWindow({ days: ['mon'], from: '09:00', to: '09:00' })).toBe(true);
    expect(isEmptyWindow({ days: ['mon'], from: '00:00', to: '00:00' })).toBe(true);
  });

  it('is true when no day is listed', () => {
    expect(isEmptyWindow({ days: [], from: '09:00', to: '17:00' })).toBe(true);
  });

  it('is false for a real window, a whole day and a malformed one (that is invalid, not empty)', () => {
    expect(isEmptyWindow({ days: ['mon'], from: '09:00', to: '17:00' })).toBe(false);
    expect(isEmptyWindow({ days: ['mon'], from: '00:00', to: '24:00' })).toBe(false);
    expect(isEmptyWindow({ days: ['mon'], from: '21:00', to: '08:00' })).toBe(false);
    expect(isEmptyWindow({ days: ['someday'], from: '09:00', to: '09:00' })).toBe(false);
  });
});
