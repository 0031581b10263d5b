/**
 * Operator semantics. Tables are prototype-free (`Object.create(null)`), so an operator name
 * such as `constructor` or `__proto__` can never resolve to something inherited.
 */

/** Evaluates one binary operator on two already-evaluated operands. */
export type BinaryOperator = (left: unknown, right: unknown) => unknown;
/** Evaluates one unary operator on an already-evaluated operand. */
export type UnaryOperator = (argument: unknown) => unknown;

/** `needle in haystack`: array membership (strict equality) or substring; otherwise false. */
export function isIn(needle: unknown, haystack: unknown): boolean {
  if (Array.isArray(haystack)) {
    for (let i = 0; i < haystack.length; i++) if (haystack[i] === needle) return true;
    return false;
  }
  if (typeof haystack === 'string' && typeof needle === 'string') return haystack.includes(needle);
  return false;
}

const lessThan: BinaryOperator = (a, b) =>
  (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')
    ? a < b
    : false;
const lessOrEqual: BinaryOperator = (a, b) =>
  (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')
    ? a <= b
    : false;
const greaterThan: BinaryOperator = (a, b) =>
  (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')
    ? a > b
    : false;
const greaterOrEqual: BinaryOperator = (a, b) =>
  (typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string')
    ? a >= b
    : false;

/** Strict (non-short-circuit) binary operators. `&&`, `||`, `??` are compiled separately. */
export const BINARY_OPERATORS: Readonly<Record<string, BinaryOperator>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, BinaryOperator>, {
    '==': (a: unknown, b: unknown) => a === b,
    '===': (a: unknown, b: unknown) => a === b,
    '!=': (a: unknown, b: unknown) => a !== b,
    '!==': (a: unknown, b: unknown) => a !== b,
    '<': lessThan,
    '<=': lessOrEqual,
    '>': greaterThan,
    '>=': greaterOrEqual,
    in: isIn,
    '+': (a: unknown, b: unknown) =>
      typeof a === 'number' && typeof b === 'number'
        ? a + b
        : typeof a === 'string' && typeof b === 'string'
          ? a + b
          : undefined,
    '-': (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a - b : undefined),
    '*': (a: unknown, b: unknown) => (typeof a === 'number' && typeof b === 'number' ? a * b : undefined),
    '/': (a: unknown, b: unknown) =>
      typeof a === 'number' && typeof b === 'number' && b !== 0 ? a / b : undefined,
    '%': (a: unknown, b: unknown) =>
      typeof a === 'number' && typeof b === 'number' && b !== 0 ? a % b : undefined,
  }),
);

/** The short-circuiting binary operators. */
export const LOGICAL_OPERATORS: ReadonlySet<string> = new Set(['&&', '||', '??']);

/** Unary operators. No coercion: `-'3'` and `+'3'` are `undefined`. */
export const UNARY_OPERATORS: Readonly<Record<string, UnaryOperator>> = Object.freeze(
  Object.assign(Object.create(null) as Record<string, UnaryOperator>, {
    '!': (a: unknown) => !a,
    '-': (a: unknown) => (typeof a === 'number' ? -a : undefined),
    '+': (a: unknown) => (typeof a === 'number' ? a : undefined),
  }),
);
