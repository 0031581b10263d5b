import type { ExpressionFunctionName } from './constants.js';
import { isIn } from './operators.js';

/** A compiled sub-expression: reads the scope, returns a value. */
export type Evaluator = (scope: Readonly<Record<string, unknown>>) => unknown;

/** How an allowlisted function is checked (arity) and compiled (to one closure, no arg array). */
export interface FunctionSpec {
  readonly minArgs: number;
  readonly maxArgs: number;
  build(args: readonly Evaluator[]): Evaluator;
}

const str1 = (fn: (s: string) => unknown): FunctionSpec => ({
  minArgs: 1,
  maxArgs: 1,
  build: ([a]) => {
    const arg = a as Evaluator;
    return (scope) => {
      const v = arg(scope);
      return typeof v === 'string' ? fn(v) : undefined;
    };
  },
});

const num1 = (fn: (n: number) => number): FunctionSpec => ({
  minArgs: 1,
  maxArgs: 1,
  build: ([a]) => {
    const arg = a as Evaluator;
    return (scope) => {
      const v = arg(scope);
      return typeof v === 'number' ? fn(v) : undefined;
    };
  },
});

const str2 = (fn: (s: string, t: string) => boolean): FunctionSpec => ({
  minArgs: 2,
  maxArgs: 2,
  build: ([a, b]) => {
    const left = a as Evaluator;
    const right = b as Evaluator;
    return (scope) => {
      const s = left(scope);
      if (typeof s !== 'string') return false;
      const t = right(scope);
      return typeof t === 'string' ? fn(s, t) : false;
    };
  },
});

/** Below this many element pairs a nested scan beats building a set. */
const SCAN_LIMIT = 64;

/**
 * `includesAny` (`all` false) / `includesAll` (`all` true): whether some / every element of
 * `needles` is in `haystack`, by strict equality. Linear in both lengths: past a few pairs the
 * haystack goes into a Set (customer data can hold arrays of tens of thousands). A Set matches
 * NaN with NaN where `===` does not, so a NaN needle is never found; +0 and -0 match both ways.
 */
function includes(haystack: readonly unknown[], needles: readonly unknown[], all: boolean): boolean {
  const n = haystack.length;
  const m = needles.length;
  if (n * m <= SCAN_LIMIT) {
    for (let i = 0; i < m; i++) {
      if (isIn(needles[i], haystack) !== all) return !all;
    }
    return all;
  }
  const set = new Set<unknown>();
  for (let i = 0; i < n; i++) set.add(haystack[i]);
  for (let i = 0; i < m; i++) {
    const needle = needles[i];
    // eslint-disable-next-line no-self-compare -- NaN test: `===` never finds NaN
    const found = needle === needle && set.has(needle);
    if (found !== all) return !all;
  }
  return all;
}

const arrays2 = (all: boolean): FunctionSpec => ({
  minArgs: 2,
  maxArgs: 2,
  build: ([a, b]) => {
    const left = a as Evaluator;
    const right = b as Evaluator;
    return (scope) => {
      const haystack = left(scope);
      const needles = right(scope);
      if (!Array.isArray(haystack) || !Array.isArray(needles)) return false;
      return includes(haystack, needles, all);
    };
  },
});

const extremum = (pick: (a: number, b: number) => number): FunctionSpec => ({
  minArgs: 1,
  maxArgs: 16,
  build: (args) => {
    const fns = args.slice();
    return (scope) => {
      let result = Number.NaN;
      for (let i = 0; i < fns.length; i++) {
        const v = (fns[i] as Evaluator)(scope);
        if (typeof v !== 'number' || Number.isNaN(v)) return undefined;
        result = i === 0 ? v : pick(result, v);
      }
      return result;
    };
  },
});

/**
 * The allowlisted functions, in a prototype-free table. All are pure: none reads a clock,
 * randomness, or anything outside its arguments. Wrong argument types yield `undefined`
 * (or `false` for the predicates).
 */
export const FUNCTIONS: Readonly<Record<ExpressionFunctionName, FunctionSpec>> = Object.freeze(
  Object.assign(Object.create(null) as Record<ExpressionFunctionName, FunctionSpec>, {
    lower: str1((s) => s.toLowerCase()),
    upper: str1((s) => s.toUpperCase()),
    trim: str1((s) => s.trim()),
    len: {
      minArgs: 1,
      maxArgs: 1,
      build: ([a]) => {
        const arg = a as Evaluator;
        return (scope) => {
          const v = arg(scope);
          return typeof v === 'string' || Array.isArray(v) ? v.length : undefined;
        };
      },
    },
    contains: {
      minArgs: 2,
      maxArgs: 2,
      build: ([a, b]) => {
        const haystack = a as Evaluator;
        const needle = b as Evaluator;
        return (scope) => {
          const h = haystack(scope);
          return isIn(needle(scope), h);
        };
      },
    },
    startsWith: str2((s, t) => s.startsWith(t)),
    endsWith: str2((s, t) => s.endsWith(t)),
    includesAny: arrays2(false),
    includesAll: arrays2(true),
    min: extremum(Math.min),
    max: extremum(Math.max),
    abs: num1(Math.abs),
    round: num1(Math.round),
    floor: num1(Math.floor),
    ceil: num1(Math.ceil),
  } satisfies Record<ExpressionFunctionName, FunctionSpec>),
);

/** Looks a function up by name without ever consulting a prototype. */
export function lookupFunction(name: string): FunctionSpec | undefined {
  return Object.hasOwn(FUNCTIONS, name) ? FUNCTIONS[name as ExpressionFunctionName] : undefined;
}
