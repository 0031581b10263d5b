import { describe, expect, it } from 'vitest';
import { isValidTimeZone } from '../../../src/model/calendar/time-zone.js';
import { resolveTimeZone } from '../../../src/model/calendar/resolve-time-zone.js';
import { ZONE_CACHE_LIMIT, zoneCacheSize } from '../../../src/model/calendar/zone-formatter.js';
import { ZONES } from './oracle.js';

describe('isValidTimeZone', () => {
  it('accepts IANA names, in any case, and UTC', () => {
    for (const zone of ZONES) expect(isValidTimeZone(zone), zone).toBe(true);
    expect(isValidTimeZone('america/new_york')).toBe(true);
    expect(isValidTimeZone('Etc/GMT+5')).toBe(true);
    expect(isValidTimeZone('US/Eastern')).toBe(true);
  });

  it('rejects unknown names, offsets, empty text and non-strings', () => {
    for (const bad of ['Mars/Olympus', '+05:30', 'UTC+1', '', ' UTC', 'America/New York', 'a'.repeat(200), '../etc/passwd']) {
      expect(isValidTimeZone(bad), bad).toBe(false);
    }
    for (const bad of [undefined, null, 5, {}, ['UTC']]) expect(isValidTimeZone(bad)).toBe(false);
  });

  it('keeps its formatter cache bounded however many distinct bad names arrive', () => {
    for (let i = 0; i < ZONE_CACHE_LIMIT + 500; i++) isValidTimeZone(`Nowhere/Place_${i}`);
    expect(zoneCacheSize()).toBeLessThanOrEqual(ZONE_CACHE_LIMIT);
    expect(isValidTimeZone('Asia/Kolkata')).toBe(true);
  });
});

describe('resolveTimeZone', () => {
  it('uses an IANA name as written', () => {
    expect(resolveTimeZone('Pacific/Chatham', undefined)).toEqual({ zone: 'Pacific/Chatham', fellBack: false });
  });

  it('reads customer.<attribute> from the customer', () => {
    expect(resolveTimeZone('customer.timezone', { timezone: 'Asia/Kolkata' })).toEqual({ zone: 'Asia/Kolkata', fellBack: false });
    expect(resolveTimeZone('customer.tz_name', { tz_name: 'Europe/London' }, 'America/New_York').zone).toBe('Europe/London');
  });

  it('falls back, with the reason and the value read, when the attribute is missing', () => {
    for (const attributes of [undefined, {}, { timezone: null }, { timezone: '' }]) {
      expect(resolveTimeZone('customer.timezone', attributes, 'America/New_York')).toMatchObject({
        zone: 'America/New_York',
        fellBack: true,
        reason: 'missing-time-zone',
      });
    }
    expect(resolveTimeZone(undefined, undefined)).toMatchObject({ zone: 'UTC', fellBack: true, reason: 'missing-time-zone' });
  });

  it('falls back when the zone is invalid, and never throws', () => {
    expect(resolveTimeZone('customer.timezone', { timezone: 'Mars/Base' }, 'America/New_York')).toEqual({
      zone: 'America/New_York',
      fellBack: true,
      reason: 'invalid-time-zone',
      value: 'Mars/Base',
    });
    expect(resolveTimeZone('customer.timezone', { timezone: 42 })).toMatchObject({ zone: 'UTC', reason: 'invalid-time-zone', value: 42 });
    expect(resolveTimeZone('Not/AZone', undefined, 'Europe/London')).toMatchObject({ zone: 'Europe/London', reason: 'invalid-time-zone' });
  });

  it('defaults the fallback to UTC, and uses UTC when the fallback itself is invalid', () => {
    expect(resolveTimeZone('customer.timezone', {})).toMatchObject({ zone: 'UTC', fellBack: true });
    expect(resolveTimeZone('customer.timezone', {}, 'Mars/Base')).toMatchObject({ zone: 'UTC', fellBack: true });
  });

  it('reads only the customer\'s own attributes', () => {
    const inherited = Object.create({ timezone: 'Asia/Tokyo' }) as Record<string, unknown>;
    expect(resolveTimeZone('customer.timezone', inherited)).toMatchObject({ zone: 'UTC', reason: 'missing-time-zone' });
    expect(resolveTimeZone('customer.constructor', {})).toMatchObject({ zone: 'UTC', reason: 'missing-time-zone' });
  });
});
