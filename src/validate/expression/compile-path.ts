import type { Evaluator } from './functions.js';

/**
 * Fused, own-property-only reads of a static path such as `customer.address.city` or
 * `results.offers[0].score`. One closure per path instead of one per step keeps the hot path
 * short. Semantics are: a step on anything
 * but an object (or a string's `length` / index at the end) is `undefined`, inherited
 * properties are never read, and a function is never returned.
 */

const hasOwn = Object.hasOwn;

/** One step: `value[key]`, own only. Strings answer `length` and indexes. */
function step(value: unknown, key: string | number): unknown {
  if (typeof value !== 'object' || value === null) {
    if (typeof value === 'string') {
      if (key === 'length') return value.length;
      if (typeof key === 'number') return key < value.length ? value.charAt(key) : undefined;
    }
    return undefined;
  }
  return hasOwn(value, key) ? (value as Record<string | number, unknown>)[key] : undefined;
}

const noFunction = (value: unknown): unknown => (typeof value === 'function' ? undefined : value);

/** Compiles a read of `root` followed by `keys` from the scope. */
export function compilePath(root: string, keys: readonly (string | number)[]): Evaluator {
  const readRoot = (scope: unknown): unknown =>
    typeof scope === 'object' && scope !== null && hasOwn(scope, root)
      ? (scope as Record<string, unknown>)[root]
      : undefined;
  switch (keys.length) {
    case 0:
      return (scope) => noFunction(readRoot(scope));
    case 1: {
      const k0 = keys[0] as string | number;
      return (scope) => {
        const v = readRoot(scope);
        if (typeof v === 'object' && v !== null) {
          if (!hasOwn(v, k0)) return undefined;
          return noFunction((v as Record<string | number, unknown>)[k0]);
        }
        return step(v, k0);
      };
    }
    case 2: {
      const k0 = keys[0] as string | number;
      const k1 = keys[1] as string | number;
      return (scope) => {
        const v = readRoot(scope);
        if (typeof v !== 'object' || v === null || !hasOwn(v, k0)) return undefined;
        const w: unknown = (v as Record<string | number, unknown>)[k0];
        if (typeof w === 'object' && w !== null) {
          if (!hasOwn(w, k1)) return undefined;
          return noFunction((w as Record<string | number, unknown>)[k1]);
        }
        return step(w, k1);
      };
    }
    default:
      return (scope) => {
        let v = readRoot(scope);
        for (let i = 0; i < keys.length; i++) v = step(v, keys[i] as string | number);
        return noFunction(v);
      };
  }
}

/** Compiles the static `keys` read off whatever `object` evaluates to. */
export function compileSteps(object: Evaluator, keys: readonly (string | number)[]): Evaluator {
  if (keys.length === 1) {
    const k0 = keys[0] as string | number;
    return (scope) => noFunction(step(object(scope), k0));
  }
  return (scope) => {
    let v = object(scope);
    for (let i = 0; i < keys.length; i++) v = step(v, keys[i] as string | number);
    return noFunction(v);
  };
}
