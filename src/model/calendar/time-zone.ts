import { zoneFormatter } from './zone-formatter.js';

/**
 * Whether `name` is an IANA time-zone name this runtime knows (`America/New_York`, `UTC`,
 * `Etc/GMT+5`; matched case-insensitively, as `Intl` does). Offset strings such as `+05:30` and
 * anything that is not a string are not zone names.
 *
 * @example isValidTimeZone('Asia/Kolkata') // true
 * @example isValidTimeZone('Mars/Olympus') // false
 */
export function isValidTimeZone(name: unknown): name is string {
  return typeof name === 'string' && zoneFormatter(name) !== null;
}
