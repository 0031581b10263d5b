import { describe, expect, it } from 'vitest';
import { calendarWakeAt } from '../../../src/model/calendar/calendar-wake.js';
import { instant } from './oracle.js';

const business = { days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '09:00', to: '17:00' };

describe('calendarWakeAt', () => {
  const now = instant('2026-03-06T12:00Z'); // Friday

  it('wakes at a future target', () => {
    expect(calendarWakeAt(now, instant('2026-12-24T09:00Z'))).toEqual({ wakeAt: instant('2026-12-24T09:00Z'), past: false });
  });

  it('continues at once when the target has passed, and says so', () => {
    expect(calendarWakeAt(now, instant('2025-12-24T09:00Z'))).toEqual({ wakeAt: now, past: true });
    expect(calendarWakeAt(now, now)).toEqual({ wakeAt: now, past: false });
  });

  it('moves the target into the window, in the zone', () => {
    // Saturday 09:00 New York → Monday 09:00 EDT (after the spring change).
    expect(calendarWakeAt(now, instant('2026-03-07T14:00Z'), business, 'America/New_York')).toEqual({ wakeAt: instant('2026-03-09T13:00Z'), past: false });
  });

  it('moves a past target to the window\'s next opening from now', () => {
    // Friday 12:00Z is 07:00 in New York: the window opens at 09:00 EST.
    expect(calendarWakeAt(now, instant('2025-01-01T00:00Z'), business, 'America/New_York')).toEqual({ wakeAt: instant('2026-03-06T14:00Z'), past: true });
  });

  it('does not hold the customer on a window that never opens', () => {
    expect(calendarWakeAt(now, now + 1000, { days: [], from: '09:00', to: '17:00' }, 'UTC').wakeAt).toBe(now + 1000);
  });
});
