import { zoneFormatter } from './zone-formatter.js';

/** 1000-01-01T00:00:00Z: earlier instants use this instant's offset. */
export const EARLIEST_INSTANT = -30_610_224_000_000;
/** 9999-12-30T00:00:00Z: later instants use this instant's offset. */
export const LATEST_INSTANT = 253_402_041_600_000;

const ZERO = 48;

function two(s: string, i: number): number {
  return (s.charCodeAt(i) - ZERO) * 10 + s.charCodeAt(i + 1) - ZERO;
}

function wallClockOf(formatter: Intl.DateTimeFormat, second: number): number {
  const s = formatter.format(second);
  // `MM/DD/YYYY, HH:MM:SS` (en-US, h23; the year has four digits within the clamped range).
  if (s.length === 20 && s.charCodeAt(2) === 47 && s.charCodeAt(10) === 44) {
    const year = two(s, 6) * 100 + two(s, 8);
    return Date.UTC(year, two(s, 0) - 1, two(s, 3), two(s, 12), two(s, 15), two(s, 18));
  }
  return wallClockFromParts(formatter, second);
}

function wallClockFromParts(formatter: Intl.DateTimeFormat, second: number): number {
  const field: Record<string, number> = {};
  for (const part of formatter.formatToParts(second)) field[part.type] = Number(part.value);
  return Date.UTC(field.year!, field.month! - 1, field.day!, field.hour! % 24, field.minute!, field.second!);
}

/**
 * The offset of `zone` from UTC at `instant` as `Intl` formats it (one `format` call, ~1–3 µs),
 * in milliseconds; `NaN` for an invalid zone. Callers use `zoneOffsetMs`, which caches.
 */
export function intlOffsetMs(instant: number, zone: string): number {
  const formatter = zoneFormatter(zone);
  if (formatter === null || Number.isNaN(instant)) return Number.NaN;
  const clamped = clampInstant(instant);
  const second = clamped - (((clamped % 1000) + 1000) % 1000);
  return wallClockOf(formatter, second) - second;
}

/** `instant` moved into the years 1000–9999, where the formatted year has four digits. */
export function clampInstant(instant: number): number {
  return instant < EARLIEST_INSTANT ? EARLIEST_INSTANT : instant > LATEST_INSTANT ? LATEST_INSTANT : instant;
}
