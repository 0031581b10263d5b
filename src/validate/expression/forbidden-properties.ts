/**
 * Property reads for evaluation: own properties only, never through a prototype, never a
 * function. Anything that is not there reads as `undefined`.
 */

const hasOwn = Object.hasOwn;

/** Names that can never be read, whatever object they are asked of. */
export const FORBIDDEN_PROPERTIES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'caller',
  'callee',
  'arguments',
]);

/** Reads `value[key]` if `value` is an object with `key` as an own, non-function property. */
export function readOwn(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'string' && key === 'length') return value.length;
    return undefined;
  }
  if (!hasOwn(value, key)) return undefined;
  const result: unknown = (value as Record<string, unknown>)[key];
  return typeof result === 'function' ? undefined : result;
}

/** Reads `value[index]` for a non-negative integer index of an array or a string. */
export function readIndex(value: unknown, index: number): unknown {
  if (Array.isArray(value)) {
    if (index >= value.length || !hasOwn(value, index)) return undefined;
    const result: unknown = value[index];
    return typeof result === 'function' ? undefined : result;
  }
  if (typeof value === 'string') return index < value.length ? value.charAt(index) : undefined;
  return readOwn(value, String(index));
}

/** JS truthiness (`false, 0, NaN, '', null, undefined` are falsy; `[]` is truthy). */
export function truthy(value: unknown): boolean {
  return !!value;
}
