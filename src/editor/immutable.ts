/**
 * Copy-on-write updates of plain JSON values: the input is never mutated, only the objects on the
 * path are copied, and keys are written as own data properties (a key `__proto__` never reaches a
 * prototype).
 */

/** A path into a JSON value: object keys and array indices. */
export type JsonPath = readonly (string | number)[];

/** Keys an edit refuses to write: they name prototype machinery, never a journey field. */
export const FORBIDDEN_PATH_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);

function put(target: Record<string, unknown> | unknown[], key: string | number, value: unknown): void {
  Object.defineProperty(target, key, { value, enumerable: true, writable: true, configurable: true });
}

/** Why `path` cannot be written into `root`, or `undefined` when it can (see {@link setIn}). */
export function pathProblem(root: unknown, path: JsonPath): string | undefined {
  let at: unknown = root;
  for (let k = 0; k < path.length; k++) {
    const key = path[k]!;
    if (typeof key === 'string' && FORBIDDEN_PATH_KEYS.has(key)) return `"${key}" is not a journey field`;
    if (typeof key === 'number') {
      if (!Number.isInteger(key) || key < 0) return `${String(key)} is not an array index`;
      if (at !== undefined && !Array.isArray(at)) return `${path.slice(0, k).join('.') || 'the value'} is not an array`;
      if (Array.isArray(at) && key > at.length) return `index ${key} is past the end of ${path.slice(0, k).join('.')} (length ${at.length})`;
    } else if (typeof key !== 'string') {
      return 'a path holds only keys and indices';
    } else if (at !== undefined && (typeof at !== 'object' || at === null || Array.isArray(at))) {
      return `${path.slice(0, k).join('.') || 'the value'} is not an object`;
    }
    at = at === undefined ? undefined : Object.hasOwn(at as object, key) ? (at as Record<string | number, unknown>)[key] : undefined;
  }
  return undefined;
}

/**
 * `root` with `value` at `path` (`undefined`: the key removed, an array element removed),
 * creating missing objects and arrays on the way. The caller checks {@link pathProblem} first.
 */
export function setIn<T>(root: T, path: JsonPath, value: unknown): T {
  if (path.length === 0) return value as T;
  const [key, ...rest] = path as [string | number, ...(string | number)[]];
  const current: unknown = root;
  const child = typeof current === 'object' && current !== null && Object.hasOwn(current, key) ? (current as Record<string | number, unknown>)[key] : undefined;
  const next = rest.length === 0 ? value : setIn(child, rest, value);
  if (typeof key === 'number') {
    const copy = Array.isArray(current) ? [...(current as unknown[])] : [];
    if (next === undefined) copy.splice(key, 1);
    else put(copy, key, next);
    return copy as T;
  }
  const copy: Record<string, unknown> = typeof current === 'object' && current !== null && !Array.isArray(current) ? { ...(current as Record<string, unknown>) } : {};
  if (next === undefined) delete copy[key];
  else put(copy, key, next);
  return copy as T;
}

/** `root` without its own field `name` (the same object when it has none). */
export function withoutField<T extends object>(root: T, name: string): T {
  if (!Object.hasOwn(root, name)) return root;
  return setIn(root, [name], undefined);
}

/** A deep copy of a JSON value (own enumerable fields; no prototypes, getters or cycles kept). */
export function cloneJson<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => cloneJson(v)) as T;
  if (typeof value !== 'object' || value === null) return value;
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) put(copy, key, cloneJson((value as Record<string, unknown>)[key]));
  return copy as T;
}
