/**
 * The one id checker: customer, journey and enrollment ids, outcome idempotency keys and types,
 * event types and tenant ids all pass through {@link checkId} (or {@link idProblem}) where they
 * enter the library, so every storage adapter sees the same, storable strings.
 */
import { JourneyError, type Path } from './errors.js';

/** Longest id, in UTF-16 code units (what `String.length` counts). */
export const MAX_ID_LENGTH = 256;

/** C0 controls (NUL included), DEL and C1 controls. */
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
/** A high surrogate not followed by a low one, or a low surrogate not preceded by a high one. */
const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Whether `s` is well-formed UTF-16 (no lone surrogates), so that it has a UTF-8 encoding. */
export function isWellFormed(s: string): boolean {
  return !LONE_SURROGATE.test(s);
}

/**
 * Why `value` is not a valid id (a sentence for an error message), or `undefined` when it is.
 * A valid id is a string of 1 to {@link MAX_ID_LENGTH} characters with no control characters
 * (NUL, tab, newline, DEL, C1) and no lone surrogates (not valid UTF-8, refused by Postgres).
 */
export function idProblem(value: string): string | undefined {
  if (value.length === 0) return 'an id cannot be empty';
  if (value.length > MAX_ID_LENGTH) return `an id is at most ${MAX_ID_LENGTH} characters; this one has ${value.length}`;
  if (CONTROL.test(value)) return 'an id cannot contain control characters (NUL, tab, newline, DEL, …)';
  if (!isWellFormed(value)) return 'an id cannot contain a lone UTF-16 surrogate (it is not valid UTF-8)';
  return undefined;
}

/**
 * `value` if it is a valid id; else throws {@link JourneyError} `invalid-request` (not a string)
 * or `invalid-id` (a string that is not a valid id, see {@link idProblem}), with `path`.
 */
export function checkId(value: unknown, path: Path): string {
  if (typeof value !== 'string') {
    throw new JourneyError('invalid-request', `expected a string id of 1 to ${MAX_ID_LENGTH} characters`, { path });
  }
  const problem = idProblem(value);
  if (problem !== undefined) throw new JourneyError('invalid-id', problem, { path });
  return value;
}
