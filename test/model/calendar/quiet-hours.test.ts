import { describe, expect, it } from 'vitest';
import { quietHoursEnd } from '../../../src/model/calendar/quiet-hours.js';
import { instant } from './oracle.js';

const nights = { from: '21:00', to: '08:00' };

describe('quietHoursEnd (send policies)', () => {
  it('lets a send go at once outside quiet hours', () => {
    expect(quietHoursEnd(instant('2026-01-01T06:00Z'), nights, 'Asia/Kolkata')).toBe(instant('2026-01-01T06:00Z'));
  });

  it('holds a send in quiet hours until they end in the customer\'s zone, every night by default', () => {
    expect(quietHoursEnd(instant('2026-01-01T17:30Z'), nights, 'Asia/Kolkata')).toBe(instant('2026-01-02T02:30Z'));
    expect(quietHoursEnd(instant('2026-01-04T04:00Z'), nights, 'America/New_York')).toBe(instant('2026-01-04T13:00Z'));
  });

  it('follows DST nights: shorter in spring, longer in autumn', () => {
    expect(quietHoursEnd(instant('2026-03-08T03:00Z'), nights, 'America/New_York')).toBe(instant('2026-03-08T12:00Z'));
    expect(quietHoursEnd(instant('2026-10-25T00:30Z'), nights, 'Europe/London')).toBe(instant('2026-10-25T08:00Z'));
    expect(quietHoursEnd(instant('2026-04-04T14:00Z'), nights, 'Pacific/Chatham')).toBe(instant('2026-04-04T19:15Z'));
  });

  it('keeps to the listed nights when days are given', () => {
    const weekendNights = { ...nights, days: ['fri', 'sat'] };
    expect(quietHoursEnd(instant('2026-01-07T23:00Z'), weekendNights, 'UTC')).toBe(instant('2026-01-07T23:00Z')); // Wednesday
    expect(quietHoursEnd(instant('2026-01-09T23:00Z'), weekendNights, 'UTC')).toBe(instant('2026-01-10T08:00Z')); // Friday
  });

  it('has no quiet period when from equals to', () => {
    expect(quietHoursEnd(instant('2026-01-01T23:00Z'), { from: '22:00', to: '22:00' }, 'UTC')).toBe(instant('2026-01-01T23:00Z'));
  });

  it('is null for malformed hours, hours covering all time, or an invalid zone', () => {
    expect(quietHoursEnd(0, { from: '9pm', to: '08:00' }, 'UTC')).toBeNull();
    expect(quietHoursEnd(0, { from: '00:00', to: '24:00' }, 'UTC')).toBeNull();
    expect(quietHoursEnd(0, nights, 'Mars/Base')).toBeNull();
  });
});
