/**
 * Host adapters' answers as data, at the port boundary: what expressions and entry checks read
 * is copied once with {@link plainData} (own data properties only; no getter or Proxy `get` trap
 * ever runs, nothing throws), so evaluation can read it with plain, fast property access.
 */
import type { JsonValue } from '../model/schema.js';
import { plainData } from '../validate/expression/plain-data.js';
import type { CustomerProfile } from './types.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/**
 * A profile from the Profiles port as data. A missing or malformed `attributes` reads as `{}`,
 * `segments` as `[]`, `id` as the customer asked for.
 */
export function plainProfile(profile: unknown, customerId: string): CustomerProfile {
  const p = plainData(profile);
  if (!isRecord(p)) return { id: customerId, attributes: {}, segments: [] };
  const attributes = p['attributes'];
  const segments = p['segments'];
  return {
    id: typeof p['id'] === 'string' ? p['id'] : customerId,
    attributes: isRecord(attributes) ? (attributes as Record<string, JsonValue>) : {},
    segments: Array.isArray(segments) ? (segments as string[]) : [],
  };
}
