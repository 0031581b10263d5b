/**
 * What the conformance suites need from the host's test runner, and a small `expect` for runners
 * that have none (node:test). The suites import no test runner themselves.
 */
import { AssertionError } from 'node:assert';
import { inspect } from 'node:util';

/** The matchers the suites use: a subset common to vitest's, jest's and the `expect` package's. */
export interface ConformanceMatchers {
  toBe(expected: unknown): void;
  /** Deep equality; properties whose value is `undefined` count as absent. */
  toEqual(expected: unknown): void;
  /** The actual value holds every property of `expected` (recursively; arrays element by element). */
  toMatchObject(expected: object): void;
  toBeNull(): void;
  toBeUndefined(): void;
  toBeGreaterThan(expected: number): void;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- a constructor of any shape
  toBeInstanceOf(expected: abstract new (...args: any[]) => unknown): void;
  toHaveLength(expected: number): void;
  toContain(expected: unknown): void;
  toHaveProperty(property: string): void;
}

/** `expect(actual)`: the matchers, negated under `not`; `rejects` awaits a promise that must reject. */
export interface ConformanceAssertion extends ConformanceMatchers {
  not: ConformanceMatchers;
  rejects: { toMatchObject(expected: object): Promise<void> };
}

/**
 * An `expect` function: vitest's, jest's, the `expect` package's, or `assertExpect` (below).
 * The asymmetric matchers are used inside `toEqual` expectations.
 */
export interface ConformanceExpect {
  (actual: unknown, message?: string): ConformanceAssertion;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- asymmetric matchers are typed any by every runner
  any(constructor: unknown): any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  stringContaining(expected: string): any;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  objectContaining(expected: Record<string, unknown>): any;
}

/**
 * The host's test functions. vitest and jest pass theirs as they are; node:test passes
 * `describe`, `it`, `beforeEach`, `afterEach` from `node:test` and `expect: assertExpect`.
 * Cases are async functions of no arguments; no runner-specific skip or context is used.
 */
export interface ConformanceTestApi {
  describe(name: string, fn: () => void): unknown;
  it(name: string, fn: () => Promise<void>): unknown;
  beforeEach(fn: () => Promise<void>): unknown;
  afterEach(fn: () => Promise<void>): unknown;
  expect: ConformanceExpect;
}

// ───────────────────────────── assertExpect ─────────────────────────────

interface Asymmetric {
  asymmetricMatch(actual: unknown): boolean;
  toString(): string;
}

function isAsymmetric(x: unknown): x is Asymmetric {
  return typeof x === 'object' && x !== null && typeof (x as Asymmetric).asymmetricMatch === 'function';
}

function asymmetric(describe: string, match: (actual: unknown) => boolean): Asymmetric {
  return { asymmetricMatch: match, toString: () => describe, [inspect.custom]: () => describe } as Asymmetric;
}

/** `subset`: toMatchObject's rule (every expected property present and matching); else toEqual's. */
function matches(actual: unknown, expected: unknown, subset: boolean): boolean {
  if (isAsymmetric(expected)) return expected.asymmetricMatch(actual);
  if (Object.is(actual, expected)) return true;
  if (typeof actual !== 'object' || typeof expected !== 'object' || actual === null || expected === null) return false;
  if (Array.isArray(expected) || Array.isArray(actual)) {
    if (!Array.isArray(expected) || !Array.isArray(actual) || actual.length !== expected.length) return false;
    return expected.every((x, i) => matches(actual[i], x, subset));
  }
  const a = actual as Record<string, unknown>;
  const e = expected as Record<string, unknown>;
  const defined = (o: Record<string, unknown>) => Object.keys(o).filter((k) => o[k] !== undefined);
  if (subset) return Object.keys(e).every((k) => k in a && matches(a[k], e[k], true));
  const ak = defined(a);
  const ek = defined(e);
  return ak.length === ek.length && ek.every((k) => Object.prototype.hasOwnProperty.call(a, k) && matches(a[k], e[k], false));
}

function matchers(actual: unknown, negated: boolean, message: string | undefined): ConformanceMatchers {
  const check = (pass: boolean, operator: string, ...against: [unknown?]): void => {
    if (pass !== negated) return;
    const expected = against[0];
    const what = `expected ${inspect(actual, { depth: 6 })} ${negated ? 'not ' : ''}${operator}${against.length > 0 ? ` ${inspect(expected, { depth: 6 })}` : ''}`;
    throw new AssertionError({ message: message ? `${message}: ${what}` : what, actual, expected, operator });
  };
  return {
    toBe: (expected) => check(Object.is(actual, expected), 'to be', expected),
    toEqual: (expected) => check(matches(actual, expected, false), 'to equal', expected),
    toMatchObject: (expected) => check(matches(actual, expected, true), 'to match object', expected),
    toBeNull: () => check(actual === null, 'to be null'),
    toBeUndefined: () => check(actual === undefined, 'to be undefined'),
    toBeGreaterThan: (expected) => check(typeof actual === 'number' && actual > expected, 'to be greater than', expected),
    toBeInstanceOf: (expected) => check(actual instanceof expected, 'to be an instance of', expected.name),
    toHaveLength: (expected) => check((actual as { length?: unknown } | null)?.length === expected, 'to have length', expected),
    toContain: (expected) =>
      check(Array.isArray(actual) || typeof actual === 'string' ? (actual as unknown[]).includes(expected as never) : false, 'to contain', expected),
    toHaveProperty: (property) => check(typeof actual === 'object' && actual !== null && property in actual, 'to have property', property),
  };
}

/**
 * A small `expect` built on node:assert, for node:test (which has none): exactly the matchers the
 * conformance suites use, with the semantics of vitest's and jest's. Not a general-purpose `expect`.
 *
 * @example
 * ```ts
 * import { describe, it, beforeEach, afterEach } from 'node:test';
 * import { assertExpect, describeStorageConformance } from 'journey-engine/conformance';
 * describeStorageConformance('my storage', factory, { describe, it, beforeEach, afterEach, expect: assertExpect });
 * ```
 */
export const assertExpect: ConformanceExpect = Object.assign(
  (actual: unknown, message?: string): ConformanceAssertion => ({
    ...matchers(actual, false, message),
    not: matchers(actual, true, message),
    rejects: {
      async toMatchObject(expected: object): Promise<void> {
        let rejected = false;
        let reason: unknown;
        try {
          await actual;
        } catch (error) {
          rejected = true;
          reason = error;
        }
        if (!rejected) throw new AssertionError({ message: `${message ? `${message}: ` : ''}expected the promise to reject`, operator: 'rejects' });
        matchers(reason, false, message).toMatchObject(expected);
      },
    },
  }),
  {
    any: (constructor: unknown) =>
      asymmetric(`Any<${(constructor as { name?: string }).name ?? '?'}>`, (x) => {
        if (constructor === String) return typeof x === 'string' || x instanceof String;
        if (constructor === Number) return typeof x === 'number' || x instanceof Number;
        if (constructor === Boolean) return typeof x === 'boolean' || x instanceof Boolean;
        if (constructor === Function) return typeof x === 'function';
        if (constructor === Object) return typeof x === 'object' && x !== null;
        return typeof constructor === 'function' && x instanceof constructor;
      }),
    stringContaining: (expected: string) => asymmetric(`StringContaining ${inspect(expected)}`, (x) => typeof x === 'string' && x.includes(expected)),
    objectContaining: (expected: Record<string, unknown>) =>
      asymmetric(`ObjectContaining ${inspect(expected)}`, (x) => matches(x, expected, true)),
  },
);
