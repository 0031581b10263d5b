import { describe, expect, it } from 'vitest';
import { attributeInstant } from '../../../src/model/calendar/attribute-instant.js';
import { instant } from './oracle.js';

const days = (duration: number) => ({ duration, unit: 'days' as const });

describe('attributeInstant (wait.untilAttribute)', () => {
  it('reads epoch milliseconds', () => {
    expect(attributeInstant(instant('2026-12-24T09:00Z'))).toEqual({ ok: true, instant: instant('2026-12-24T09:00Z') });
    expect(attributeInstant(1.9)).toEqual({ ok: true, instant: 1 });
  });

  it('reads an ISO instant as that instant, whatever the zone', () => {
    expect(attributeInstant('2026-12-24T09:00:00+01:00', 'Asia/Kolkata')).toEqual({ ok: true, instant: instant('2026-12-24T08:00Z') });
  });

  it('reads a date alone as midnight UTC, or local midnight in the window\'s zone', () => {
    expect(attributeInstant('2026-12-24')).toEqual({ ok: true, instant: instant('2026-12-24T00:00Z') });
    expect(attributeInstant('2026-12-24', 'America/New_York')).toEqual({ ok: true, instant: instant('2026-12-24T05:00Z') });
    expect(attributeInstant('2026-12-24', 'Pacific/Chatham')).toEqual({ ok: true, instant: instant('2026-12-23T10:15Z') });
  });

  it('reads a date-time without offset as local time, with the gap rule', () => {
    expect(attributeInstant('2026-03-08T02:30', 'America/New_York')).toEqual({ ok: true, instant: instant('2026-03-08T07:00Z') });
    expect(attributeInstant('2026-11-01T01:30', 'America/New_York')).toEqual({ ok: true, instant: instant('2026-11-01T05:30Z') });
  });

  it('shifts by a negative or positive offset of exact time (a day is 24 hours)', () => {
    expect(attributeInstant('2026-12-24', 'UTC', days(-3))).toEqual({ ok: true, instant: instant('2026-12-21T00:00Z') });
    expect(attributeInstant('2026-12-24', 'UTC', { duration: 90, unit: 'minutes' })).toEqual({ ok: true, instant: instant('2026-12-24T01:30Z') });
    // Across New York's spring change, 3 × 24 hours before local midnight is 23:00 local.
    expect(attributeInstant('2026-03-10', 'America/New_York', days(-3))).toEqual({ ok: true, instant: instant('2026-03-07T04:00Z') });
  });

  it('reports a missing attribute', () => {
    for (const value of [undefined, null, '']) expect(attributeInstant(value)).toEqual({ ok: false, problem: 'missing-attribute' });
  });

  it('reports an unreadable attribute, and never throws', () => {
    for (const value of ['soon', '12/24/2026', '2026-02-30', '1798102800000', true, {}, [], Number.NaN, Infinity, 9e15]) {
      expect(attributeInstant(value), String(value)).toEqual({ ok: false, problem: 'unreadable-attribute' });
    }
    expect(attributeInstant('2026-12-24', 'Mars/Base')).toEqual({ ok: false, problem: 'unreadable-attribute' });
  });
});
