/**
 * Checks of what callers hand to `enroll`, `ingestEvent` and `recordOutcome` beyond ids: no
 * unknown fields, and a bounded, storable JSON context (it is copied into every enrollment and
 * read and written on every step, so its size is paid for many times over).
 */
import { JourneyError, type Path } from '../model/errors.js';
import { isWellFormed } from '../model/ids.js';
import { unknownFieldMessage } from '../validate/closest-key.js';
import { utf8Length } from '../model/utf8.js';

/**
 * Largest context of one enrollment: 16 KiB of JSON (UTF-8). Enough for campaign ids, a few
 * attributes and an event's properties; small enough that a 1,000-customer enrollment writes at
 * most {@link MAX_ENROLL_CONTEXT_BYTES}, and that loading a claim batch stays cheap.
 */
export const MAX_CONTEXT_BYTES = 16_384;
/** Deepest nesting of a context: objects and arrays, the context object itself being level 1. */
export const MAX_CONTEXT_DEPTH = 16;
/** Most entries (object keys plus array elements, at every level) in one context. */
export const MAX_CONTEXT_ENTRIES = 1_000;
/**
 * Most context bytes one `enroll` call may write: customers × context size. The same 1 MiB as the
 * HTTP API's default body limit, so a request never turns into more stored bytes than that.
 */
export const MAX_ENROLL_CONTEXT_BYTES = 1_048_576;

/** Refuse an own key of `input` not in `known` with `unknown-field` and a did-you-mean. */
export function checkFields(input: object, known: readonly string[], path: Path = []): void {
  for (const key of Object.keys(input)) {
    if (known.includes(key)) continue;
    const { message, suggestion } = unknownFieldMessage(key, known);
    throw new JourneyError('unknown-field', message, { path: [...path, key], details: { field: key, ...(suggestion ? { suggestion } : {}) } });
  }
}

function tooLarge(message: string, path: Path, details: Record<string, number>): JourneyError {
  return new JourneyError('context-too-large', message, { path, details });
}

function checkString(s: string, path: Path, what: string): void {
  if (s.includes('\u0000') || !isWellFormed(s)) {
    throw new JourneyError('invalid-context', `${what} cannot contain a NUL character or a lone UTF-16 surrogate (they cannot be stored)`, { path });
  }
}

function isPlainObject(value: object): boolean {
  const proto = Object.getPrototypeOf(value) as unknown;
  return proto === Object.prototype || proto === null;
}

/**
 * Check a context (or event properties) bound for storage: a plain JSON object of at most
 * {@link MAX_CONTEXT_BYTES} bytes, {@link MAX_CONTEXT_DEPTH} levels and
 * {@link MAX_CONTEXT_ENTRIES} entries, whose strings and keys hold no NUL and no lone surrogate
 * (Postgres `jsonb` refuses both). Throws `invalid-context` (400) or `context-too-large` (413)
 * with the path; answers the size in bytes of its JSON.
 */
export function checkContext(value: unknown, path: Path): number {
  try {
    return walkContext(value, path);
  } catch (error) {
    if (JourneyError.is(error)) throw error;
    // A Proxy trap threw, or a revoked Proxy: not data.
    throw new JourneyError('invalid-context', 'the context cannot be read as data (a Proxy or a host object refused it)', { path });
  }
}

/** The value of an own data property; throws `invalid-context` for an accessor (no getter runs). */
function dataOf(holder: object, key: string | number, path: Path): unknown {
  const d = Object.getOwnPropertyDescriptor(holder, key);
  if (d === undefined) return undefined;
  if (!Object.hasOwn(d, 'value')) {
    throw new JourneyError('invalid-context', 'a context holds data properties only; this one is an accessor (a getter), which is never called', { path });
  }
  return d.value;
}

function walkContext(value: unknown, path: Path): number {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) {
    throw new JourneyError('invalid-context', 'expected a JSON object', { path });
  }
  const stack: Array<{ value: unknown; depth: number; path: Path }> = [{ value, depth: 1, path }];
  let entries = 0;
  let chars = 0;
  while (stack.length > 0) {
    const item = stack.pop()!;
    const v = item.value;
    if (v === null || typeof v === 'boolean') continue;
    if (typeof v === 'number') {
      if (!Number.isFinite(v)) throw new JourneyError('invalid-context', `${v} is not a JSON number; use null or a finite number`, { path: item.path });
      continue;
    }
    if (typeof v === 'string') {
      checkString(v, item.path, 'a string');
      chars += v.length;
      if (chars > MAX_CONTEXT_BYTES) throw tooLarge(`a context is at most ${MAX_CONTEXT_BYTES} bytes of JSON`, path, { limit: MAX_CONTEXT_BYTES });
      continue;
    }
    if (typeof v !== 'object' || (!Array.isArray(v) && !isPlainObject(v))) {
      const kind = v === undefined ? 'undefined' : typeof v === 'object' ? (v.constructor?.name ?? 'object') : typeof v;
      throw new JourneyError('invalid-context', `a context holds JSON values only; got ${kind} (use null, or leave the key out)`, { path: item.path });
    }
    if (item.depth > MAX_CONTEXT_DEPTH) {
      throw tooLarge(`a context is nested at most ${MAX_CONTEXT_DEPTH} levels deep`, item.path.slice(0, path.length + MAX_CONTEXT_DEPTH + 1), { limit: MAX_CONTEXT_DEPTH });
    }
    if (Array.isArray(v)) {
      entries += v.length;
      if (entries > MAX_CONTEXT_ENTRIES) throw tooLarge(`a context holds at most ${MAX_CONTEXT_ENTRIES} keys and array elements`, path, { limit: MAX_CONTEXT_ENTRIES });
      for (let i = v.length - 1; i >= 0; i--) stack.push({ value: dataOf(v, i, [...item.path, i]), depth: item.depth + 1, path: [...item.path, i] });
      continue;
    }
    const keys = Object.keys(v);
    entries += keys.length;
    if (entries > MAX_CONTEXT_ENTRIES) throw tooLarge(`a context holds at most ${MAX_CONTEXT_ENTRIES} keys and array elements`, path, { limit: MAX_CONTEXT_ENTRIES });
    for (let i = keys.length - 1; i >= 0; i--) {
      const key = keys[i]!;
      checkString(key, [...item.path, key], 'a key');
      chars += key.length;
      stack.push({ value: dataOf(v, key, [...item.path, key]), depth: item.depth + 1, path: [...item.path, key] });
    }
  }
  // Every string is bounded and well-formed and every value is JSON: this is small and cannot throw.
  const bytes = utf8Length(JSON.stringify(value));
  if (bytes > MAX_CONTEXT_BYTES) throw tooLarge(`a context is at most ${MAX_CONTEXT_BYTES} bytes of JSON; this one has ${bytes}`, path, { limit: MAX_CONTEXT_BYTES, bytes });
  return bytes;
}
