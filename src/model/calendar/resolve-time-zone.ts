import { isValidTimeZone } from './time-zone.js';

/** The prefix that makes a zone field read a customer attribute: `customer.timezone`. */
export const CUSTOMER_ZONE_PREFIX = 'customer.';

/** Why a zone fell back. */
export type TimeZoneFallbackReason = 'missing-time-zone' | 'invalid-time-zone';

/** The zone to compute in, and whether it is the fallback (to be counted and emitted). */
export interface ResolvedTimeZone {
  /** A valid IANA zone name. */
  readonly zone: string;
  /** Whether `zone` is the fallback rather than the zone asked for. */
  readonly fellBack: boolean;
  /** Why it fell back (absent when it did not). */
  readonly reason?: TimeZoneFallbackReason;
  /** The value read (the attribute's value, or the name written), for the event a host logs. */
  readonly value?: unknown;
}

/**
 * Resolve a window's `timeZone` — an IANA name, or `customer.<attribute>` naming the customer
 * attribute that holds one — with `fallbackTimeZone` (default `UTC`) for a zone that is missing
 * (no `timeZone`, attribute absent, `null` or `''`) or invalid (not a string, not a zone name).
 * Only the customer's own attributes are read. An invalid `fallbackTimeZone` (the validator
 * rejects one) falls back to `UTC`. Never throws: a bad zone never drops a customer.
 *
 * @example resolveTimeZone('customer.timezone', { timezone: 'Asia/Kolkata' }) // { zone: 'Asia/Kolkata', fellBack: false }
 * @example resolveTimeZone('customer.timezone', { timezone: 'Mars/Base' }, 'America/New_York')
 * // { zone: 'America/New_York', fellBack: true, reason: 'invalid-time-zone', value: 'Mars/Base' }
 */
export function resolveTimeZone(
  timeZone: string | undefined,
  attributes: Readonly<Record<string, unknown>> | undefined,
  fallbackTimeZone = 'UTC',
): ResolvedTimeZone {
  let value: unknown = timeZone;
  if (typeof timeZone === 'string' && timeZone.startsWith(CUSTOMER_ZONE_PREFIX)) {
    const name = timeZone.slice(CUSTOMER_ZONE_PREFIX.length);
    value = attributes !== undefined && Object.hasOwn(attributes, name) ? attributes[name] : undefined;
  }
  if (isValidTimeZone(value)) return { zone: value, fellBack: false };
  const fallback = isValidTimeZone(fallbackTimeZone) ? fallbackTimeZone : 'UTC';
  const reason: TimeZoneFallbackReason = value === undefined || value === null || value === '' ? 'missing-time-zone' : 'invalid-time-zone';
  return { zone: fallback, fellBack: true, reason, value };
}
