import type { Evaluator } from './functions.js';

/**
 * Fused, own-property-only reads of a static path such as `customer.address.city` or
 * `results.offers[0].score`. Semantics: a step on anything but an object (or a string's
 * `length` / index) is `undefined`, inherited properties are never read, and a function read
 * from the data is `undefined`.
 *
 * Why it looks like this (measured with bench/expressions.ts):
 * - A path is *data* ({@link Path}) read by one of four module-level readers ({@link readPath}
 *   picks one at compile time by path length). Every closure that reads a path calls its reader
 *   through one call site that only ever sees these four functions, so V8 keeps the site
 *   polymorphic (≤ 4 targets) and inlines the reader, instead of calling a megamorphic closure
 *   per path step.
 * - Readers return the **raw** value, which may be a function. Only callers whose result can
 *   depend on that filter it out ({@link compilePath}, the `== undefined` comparisons); a
 *   comparison against a number, a string or an array cannot tell a function from `undefined`.
 */

// `Object.prototype.hasOwnProperty` bound once to `call`: measured ~10% faster than
// `Object.hasOwn` in bench/expressions.ts, and captured at load like `Object.hasOwn` would be,
// so a host replacing `Function.prototype.call` later changes nothing here.
const hasOwn = Function.prototype.call.bind(Object.prototype.hasOwnProperty) as (
  object: object,
  key: PropertyKey,
) => boolean;

/** A member key: a property name or a non-negative integer index. */
export type PathKey = string | number;

/** A static path: a root identifier and the member keys read after it. */
export interface Path {
  readonly root: string;
  /** The first key, or `''` (unused) when the path has none. */
  readonly k0: PathKey;
  /** The second key, or `''` (unused) when the path has fewer than two. */
  readonly k1: PathKey;
  /** Every key, for paths of three keys or more. */
  readonly keys: readonly PathKey[];
}

/** Reads a path from a scope. May return a function (see the module comment). */
export type PathReader = (scope: unknown, path: Path) => unknown;

/** One step: `value[key]`, own only. Strings answer `length` and indexes. */
function step(value: unknown, key: PathKey): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'string') {
      if (key === 'length') return value.length;
      if (typeof key === 'number') return key < value.length ? value.charAt(key) : undefined;
    }
    return undefined;
  }
  return hasOwn(value, key) ? (value as Record<PathKey, unknown>)[key] : undefined;
}

function read0(scope: unknown, path: Path): unknown {
  const root = path.root;
  return typeof scope === 'object' && scope !== null && hasOwn(scope, root)
    ? (scope as Record<string, unknown>)[root]
    : undefined;
}

function read1(scope: unknown, path: Path): unknown {
  const root = path.root;
  if (typeof scope !== 'object' || scope === null || !hasOwn(scope, root)) return undefined;
  const v: unknown = (scope as Record<string, unknown>)[root];
  const k0 = path.k0;
  if (typeof v === 'object' && v !== null) {
    return hasOwn(v, k0) ? (v as Record<PathKey, unknown>)[k0] : undefined;
  }
  return step(v, k0);
}

function read2(scope: unknown, path: Path): unknown {
  const root = path.root;
  if (typeof scope !== 'object' || scope === null || !hasOwn(scope, root)) return undefined;
  const v: unknown = (scope as Record<string, unknown>)[root];
  const k0 = path.k0;
  // A string answers `length` and indexes (`outcome[0][0]`), so it takes the general step.
  if (typeof v !== 'object' || v === null) return step(step(v, k0), path.k1);
  if (!hasOwn(v, k0)) return undefined;
  const w: unknown = (v as Record<PathKey, unknown>)[k0];
  const k1 = path.k1;
  if (typeof w === 'object' && w !== null) {
    return hasOwn(w, k1) ? (w as Record<PathKey, unknown>)[k1] : undefined;
  }
  return step(w, k1);
}

function readN(scope: unknown, path: Path): unknown {
  let v = read0(scope, path);
  const keys = path.keys;
  for (let i = 0; i < keys.length; i++) v = step(v, keys[i] as PathKey);
  return v;
}

/** Builds the (frozen) description of `root` followed by `keys`. */
export function makePath(root: string, keys: readonly PathKey[]): Path {
  return Object.freeze({
    root,
    k0: keys[0] ?? '',
    k1: keys[1] ?? '',
    keys: Object.freeze(keys.slice()),
  });
}

/** The reader for a path, chosen once at compile time by its length. */
export function readPath(path: Path): PathReader {
  switch (path.keys.length) {
    case 0:
      return read0;
    case 1:
      return read1;
    case 2:
      return read2;
    default:
      return readN;
  }
}

/** The path each evaluator from {@link compilePath} reads, so a parent can fuse it. */
const PATHS = new WeakMap<Evaluator, Path>();

/** The static path `evaluator` reads, when it came from {@link compilePath}. */
export function pathOf(evaluator: Evaluator): Path | undefined {
  return PATHS.get(evaluator);
}

/** Compiles a read of `root` followed by `keys` from the scope (functions read as undefined). */
export function compilePath(root: string, keys: readonly PathKey[]): Evaluator {
  const path = makePath(root, keys);
  const read = readPath(path);
  const evaluator: Evaluator = (scope) => {
    const v = read(scope, path);
    return typeof v === 'function' ? undefined : v;
  };
  PATHS.set(evaluator, path);
  return evaluator;
}

/** Compiles the static `keys` read off whatever `object` evaluates to. */
export function compileSteps(object: Evaluator, keys: readonly PathKey[]): Evaluator {
  if (keys.length === 1) {
    const k0 = keys[0] as PathKey;
    return (scope) => {
      const v = step(object(scope), k0);
      return typeof v === 'function' ? undefined : v;
    };
  }
  return (scope) => {
    let v = object(scope);
    for (let i = 0; i < keys.length; i++) v = step(v, keys[i] as PathKey);
    return typeof v === 'function' ? undefined : v;
  };
}
