/**
 * The roots a branch expression may name by default (see ARCHITECTURE.md, "Expression scope").
 * Any other root identifier is reported as `unknown-identifier`.
 */
export const EXPRESSION_ROOTS = [
  'outcome',
  'outcomes',
  'customer',
  'segments',
  'results',
  'journey',
  'enrollment',
] as const;

/** One of {@link EXPRESSION_ROOTS}. */
export type ExpressionRoot = (typeof EXPRESSION_ROOTS)[number];

/**
 * The names of the pure functions an expression may call. None reads a clock or randomness.
 * See docs/expressions.md for what each one does.
 */
export const EXPRESSION_FUNCTIONS = [
  'lower',
  'upper',
  'trim',
  'len',
  'contains',
  'startsWith',
  'endsWith',
  'includesAny',
  'includesAll',
  'min',
  'max',
  'abs',
  'round',
  'floor',
  'ceil',
] as const;

/** One of {@link EXPRESSION_FUNCTIONS}. */
export type ExpressionFunctionName = (typeof EXPRESSION_FUNCTIONS)[number];
