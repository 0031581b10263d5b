/**
 * A copy of a host value made of data only, for expression scopes. Expressions read own
 * properties with plain property access (the fastest exact read on data; see compile-path.ts),
 * so what they read must be data: the engine passes every value a host adapter hands it that an
 * expression can read (profiles, offers, event properties) through {@link plainData} once, at
 * the port boundary, instead of checking every read during evaluation (measured: reading through
 * `Object.getOwnPropertyDescriptor` on every step costs a third of the evaluation rate, and far
 * more on array elements).
 *
 * The copy keeps own enumerable **data** properties (string keys) and array elements, and drops
 * everything else: accessors (a getter never runs), functions, symbols, bigints. No getter, setter,
 * `toJSON` or iterator of the host value runs; a Proxy is read only through its `ownKeys` and
 * `getOwnPropertyDescriptor` traps (what JavaScript asks to list and read own properties — no
 * portable code can read a Proxy without them); its `get`, `has` and other traps never run. A
 * value whose trap throws is dropped. Shared and cyclic references are copied once (the copy has
 * the same shape), so the work is linear in the size of the value, and bounded: at most
 * {@link PLAIN_DATA_MAX_ENTRIES} elements and properties in all. Never throws. The copy is
 * built by assignment (defining every property through `Object.defineProperty` was six times
 * slower), except an own `__proto__` key, which is defined so it can never set a prototype.
 */

const getOwnPropertyDescriptor = Object.getOwnPropertyDescriptor;
const ownKeys = Object.keys;
const isArray = Array.isArray;
const defineProperty = Object.defineProperty;
const hasOwn = Object.hasOwn;

/** The value of a data property's descriptor; `NOT_DATA` for an accessor or a missing property. */
const NOT_DATA = Symbol('not data');
function dataValue(d: PropertyDescriptor | undefined): unknown {
  // hasOwn, not `in`: a polluted Object.prototype.value must not pass for one
  return d !== undefined && hasOwn(d, 'value') ? d.value : NOT_DATA;
}

/** Deepest nesting copied; deeper values are dropped (no expression reads that deep). */
export const PLAIN_DATA_MAX_DEPTH = 64;

/**
 * Most array elements and properties copied from one value, in all; the rest is left out. Bounds
 * the work on a value a host built with code, such as an array whose `length` was set to a
 * billion (JSON cannot make one).
 */
export const PLAIN_DATA_MAX_ENTRIES = 1_000_000;

/** Objects remembered in a list before a Map takes over (most host values hold a few objects). */
const SEEN_LIST_MAX = 16;

/**
 * Objects copied so far → their copies (shared and cyclic references are copied once). The first
 * in two fields (most values copied hold one object: no list for them), then a short list (a
 * profile holds three objects: a Map per copy cost more than the copy), a Map once it holds more
 * than {@link SEEN_LIST_MAX}.
 */
class Seen {
  private first: object | undefined;
  private firstCopy: unknown;
  private originals: object[] | undefined;
  private copies: unknown[] | undefined;
  private map: Map<object, unknown> | undefined;

  /** Whether `value` was met; its copy in {@link last}. */
  has(value: object): boolean {
    if (this.map !== undefined) {
      if (!this.map.has(value)) return false;
      this.last = this.map.get(value);
      return true;
    }
    if (this.first === value) {
      this.last = this.firstCopy;
      return true;
    }
    const i = this.originals === undefined ? -1 : this.originals.indexOf(value);
    if (i < 0) return false;
    this.last = this.copies![i];
    return true;
  }

  /** The copy {@link has} found. */
  last: unknown;

  set(value: object, copied: unknown): void {
    if (this.map !== undefined) {
      this.map.set(value, copied);
      return;
    }
    if (this.first === undefined || this.first === value) {
      this.first = value;
      this.firstCopy = copied;
      return;
    }
    const originals = (this.originals ??= []);
    const copies = (this.copies ??= []);
    const i = originals.indexOf(value);
    if (i >= 0) {
      copies[i] = copied;
      return;
    }
    if (originals.length < SEEN_LIST_MAX) {
      originals.push(value);
      copies.push(copied);
      return;
    }
    const map = (this.map = new Map<object, unknown>([[this.first, this.firstCopy]]));
    originals.forEach((o, k) => map.set(o, copies[k]));
    map.set(value, copied);
  }
}

interface CopyState {
  readonly seen: Seen;
  /** Entries left in the budget. */
  left: number;
}

/** A data-only copy of `value` (see the module comment); `undefined` for what is not data. */
export function plainData(value: unknown): unknown {
  // A primitive is answered before any copy state is made.
  return typeof value === 'object' && value !== null ? copy(value, { seen: new Seen(), left: PLAIN_DATA_MAX_ENTRIES }, 0) : primitive(value);
}

/**
 * {@link plainData} of one own enumerable data property of `value` (`undefined` when `value` is
 * not an object, or the property is missing, an accessor or not enumerable). Reads that property
 * alone: a host value with many fields is not copied whole to take a few of them. Never throws.
 */
export function plainProperty(value: unknown, key: string): unknown {
  if (typeof value !== 'object' || value === null) return undefined;
  let d: PropertyDescriptor | undefined;
  try {
    d = getOwnPropertyDescriptor(value, key);
  } catch {
    return undefined; // a Proxy trap threw (or a revoked Proxy)
  }
  if (d === undefined || d.enumerable !== true) return undefined;
  const data = dataValue(d);
  return data === NOT_DATA ? undefined : plainData(data);
}

/** A primitive as data: strings, numbers, booleans and null as they are; undefined, functions, symbols and bigints as `undefined`. */
function primitive(value: unknown): unknown {
  switch (typeof value) {
    case 'string':
    case 'number':
    case 'boolean':
      return value;
    default:
      return value === null ? null : undefined;
  }
}

function copy(value: unknown, state: CopyState, depth: number): unknown {
  if (typeof value !== 'object' || value === null) return primitive(value);
  if (state.seen.has(value)) return state.seen.last;
  if (depth >= PLAIN_DATA_MAX_DEPTH) return undefined;
  try {
    return isArray(value) ? copyArray(value, state, depth) : copyObject(value, state, depth);
  } catch {
    // a Proxy trap threw (or a revoked Proxy): not data
    state.seen.set(value, undefined);
    return undefined;
  }
}

/** An own `__proto__` key is data like any other: define it, never set the prototype. */
function defineProto(target: object, value: unknown): void {
  defineProperty(target, '__proto__', { value, enumerable: true, writable: true, configurable: true });
}

/** Longest array copied into a preallocated one (longer ones grow as they are copied). */
const EXACT_COPY_MAX = 1024;

function copyArray(value: readonly unknown[], state: CopyState, depth: number): unknown[] {
  const length = dataValue(getOwnPropertyDescriptor(value, 'length'));
  // A short array is copied into one of its exact length (`push` leaves room for 16 more
  // elements, which a copy kept on an enrollment would hold for its whole life).
  const exact = typeof length === 'number' && length <= EXACT_COPY_MAX && length <= state.left;
  const out: unknown[] = exact ? new Array<unknown>(length) : [];
  state.seen.set(value, out);
  if (typeof length !== 'number') return out;
  let i = 0;
  for (; i < length && state.left > 0; i++) {
    state.left--;
    const v = dataValue(getOwnPropertyDescriptor(value, i));
    const element = v === NOT_DATA ? undefined : copy(v, state, depth + 1);
    if (exact) out[i] = element;
    else out.push(element);
  }
  if (exact && i < length) out.length = i; // the budget ran out inside an element
  return out;
}

function copyObject(value: object, state: CopyState, depth: number): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  state.seen.set(value, out);
  const keys = ownKeys(value);
  for (let i = 0; i < keys.length && state.left > 0; i++) {
    state.left--;
    const key = keys[i]!;
    const data = dataValue(getOwnPropertyDescriptor(value, key));
    if (data === NOT_DATA) continue;
    const v = copy(data, state, depth + 1);
    if (v === undefined) continue;
    if (key === '__proto__') defineProto(out, v);
    else out[key] = v;
  }
  return out;
}
