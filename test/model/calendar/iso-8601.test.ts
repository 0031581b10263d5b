import fc from 'fast-check';
import { Temporal } from 'temporal-polyfill';
import { describe, expect, it } from 'vitest';
import { parseIsoDateTime, parseIsoInstant } from '../../../src/model/calendar/iso-8601.js';
import { instant, wall } from './oracle.js';

describe('parseIsoInstant (wait.until)', () => {
  it('reads instants with Z or an offset, with or without seconds and fractions', () => {
    expect(parseIsoInstant('2026-12-24T09:00:00Z')).toBe(instant('2026-12-24T09:00Z'));
    expect(parseIsoInstant('2026-12-24T09:00Z')).toBe(instant('2026-12-24T09:00Z'));
    expect(parseIsoInstant('2026-12-24T09:00:00+01:00')).toBe(instant('2026-12-24T08:00Z'));
    expect(parseIsoInstant('2026-12-24T09:00:00-05:30')).toBe(instant('2026-12-24T14:30Z'));
    expect(parseIsoInstant('2026-12-24T09:00:00.5Z')).toBe(instant('2026-12-24T09:00:00.500Z'));
    expect(parseIsoInstant('2026-12-24T09:00:00.123456789Z')).toBe(instant('2026-12-24T09:00:00.123Z'));
    expect(parseIsoInstant('0050-06-01T00:00:00Z')).toBe(instant('0050-06-01T00:00Z'));
  });

  it('is null without an offset: a local time is not an instant', () => {
    expect(parseIsoInstant('2026-12-24T09:00:00')).toBeNull();
    expect(parseIsoInstant('2026-12-24')).toBeNull();
  });

  it('is null for anything not strictly ISO 8601', () => {
    for (const bad of [
      '2026-12-24 09:00:00Z', '2026-12-24t09:00:00z', '2026-02-30T00:00Z', '2025-02-29T00:00Z', '2026-13-01T00:00Z',
      '2026-12-24T24:00Z', '2026-12-24T09:60Z', '2026-12-24T09:00:60Z', '2026-12-24T09:00+0100', '2026-12-24T09:00+24:00',
      '+002026-12-24T09:00Z', '2026-12-24T09Z', 'Dec 24 2026', '', ' 2026-12-24T09:00Z', '2026-12-24T09:00Z ', 1798102800000, null,
    ]) {
      expect(parseIsoInstant(bad), String(bad)).toBeNull();
    }
  });

  it('reads leap days', () => {
    expect(parseIsoInstant('2024-02-29T00:00Z')).toBe(instant('2024-02-29T00:00Z'));
    expect(parseIsoInstant('2000-02-29T00:00Z')).toBe(instant('2000-02-29T00:00Z'));
    expect(parseIsoInstant('1900-02-29T00:00Z')).toBeNull();
  });

  it('agrees with Temporal on random instants written with random offsets', () => {
    const offsetArb = fc.integer({ min: -23 * 60 - 59, max: 23 * 60 + 59 });
    fc.assert(fc.property(fc.integer({ min: instant('0001-01-01T00:00Z'), max: instant('9999-12-30T00:00Z') }), offsetArb, (ms, offsetMinutes) => {
      const sign = offsetMinutes < 0 ? '-' : '+';
      const abs = Math.abs(offsetMinutes);
      const offset = `${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
      const text = Temporal.Instant.fromEpochMilliseconds(ms).toString({ timeZone: offset, fractionalSecondDigits: 3 }).replace(/\[.*\]$/, '');
      expect(parseIsoInstant(text)).toBe(Temporal.Instant.from(text).epochMilliseconds);
    }), { numRuns: 2000 });
  });
});

describe('parseIsoDateTime', () => {
  it('gives the wall-clock reading and the offset, when one is written', () => {
    expect(parseIsoDateTime('2026-12-24')).toEqual({ wall: wall('2026-12-24T00:00'), offset: null, hasTime: false });
    expect(parseIsoDateTime('2026-12-24T09:30')).toEqual({ wall: wall('2026-12-24T09:30'), offset: null, hasTime: true });
    expect(parseIsoDateTime('2026-12-24T09:30-03:00')).toEqual({ wall: wall('2026-12-24T09:30'), offset: -3 * 3_600_000, hasTime: true });
  });
});
