/**
 * One `Intl.DateTimeFormat` per time-zone name, built once and kept in a bounded cache, so that
 * no calendar computation constructs a formatter per call. Names that `Intl` rejects are cached
 * too (as `null`): a flood of bad customer zones costs one failed construction each, not one per
 * wake-up. When the cache is full the oldest name is dropped.
 */

/** Most zone names kept; tzdb has about 600, so real traffic never evicts. */
export const ZONE_CACHE_LIMIT = 1024;

const cache = new Map<string, Intl.DateTimeFormat | null>();

/** What a zone name may look like: `Area/City`, `UTC`, `Etc/GMT+5`; not offsets like `+05:30`. */
const ZONE_NAME = /^[A-Za-z][A-Za-z0-9_+\-]*(?:\/[A-Za-z0-9_+\-]+)*$/;

const OPTIONS: Intl.DateTimeFormatOptions = {
  hourCycle: 'h23',
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
};

function build(zone: string): Intl.DateTimeFormat | null {
  if (zone.length > 64 || !ZONE_NAME.test(zone)) return null;
  try {
    return new Intl.DateTimeFormat('en-US', { ...OPTIONS, timeZone: zone });
  } catch {
    return null;
  }
}

/**
 * The cached formatter for `zone` (output `MM/DD/YYYY, HH:MM:SS` in that zone), or `null` when
 * `zone` is not a time-zone name `Intl` knows.
 */
export function zoneFormatter(zone: string): Intl.DateTimeFormat | null {
  const hit = cache.get(zone);
  if (hit !== undefined) return hit;
  const made = build(zone);
  if (cache.size >= ZONE_CACHE_LIMIT) cache.delete(cache.keys().next().value as string);
  cache.set(zone, made);
  return made;
}

/** How many zone names the cache holds now (for tests of its bound). */
export function zoneCacheSize(): number {
  return cache.size;
}
