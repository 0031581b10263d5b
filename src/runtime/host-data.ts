/**
 * Host adapters' answers as data, at the port boundary: what expressions and entry checks read
 * is copied once with `plainData` (own data properties only; no getter or Proxy `get` trap
 * ever runs, nothing throws), so evaluation can read it with plain, fast property access.
 */
import type { JsonValue } from '../model/schema.js';
import { plainProperty } from '../validate/expression/plain-data.js';
import type { CustomerProfile } from './types.js';

function isRecord(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** {@link isRecord} of a host value, which may be a revoked Proxy (`Array.isArray` throws on one). */
function isHostRecord(value: unknown): value is object {
  if (value === null || typeof value !== 'object') return false;
  try {
    return !Array.isArray(value);
  } catch {
    return false;
  }
}

/**
 * A profile from the Profiles port as data. A missing or malformed `attributes` reads as `{}`,
 * `segments` as `[]`, `id` as the customer asked for.
 */
export function plainProfile(profile: unknown, customerId: string): CustomerProfile {
  // The three fields alone (a profile may be a whole row of the host's): no copy of the rest.
  if (!isHostRecord(profile)) return { id: customerId, attributes: {}, segments: [] };
  const id = plainProperty(profile, 'id');
  const attributes = plainProperty(profile, 'attributes');
  const segments = plainProperty(profile, 'segments');
  return {
    id: typeof id === 'string' ? id : customerId,
    attributes: isRecord(attributes) ? (attributes as Record<string, JsonValue>) : {},
    segments: Array.isArray(segments) ? (segments as string[]) : [],
  };
}
