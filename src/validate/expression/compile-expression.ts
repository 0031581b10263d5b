import { EXPRESSION_ROOTS } from './constants.js';
import { ExpressionError } from './expression-error.js';

/** Options for {@link compileExpression}. */
export interface CompileExpressionOptions {
  /** Root identifiers the expression may name. Defaults to {@link EXPRESSION_ROOTS}. */
  readonly roots?: readonly string[];
  /** Maximum source length in characters (default 2000). */
  readonly maxLength?: number;
  /** Maximum AST depth (default 64). */
  readonly maxDepth?: number;
  /** Maximum AST node count (default 500). */
  readonly maxNodes?: number;
}

/** A checked expression, compiled once to closures. */
export interface CompiledExpression {
  /** The source text it was compiled from. */
  readonly source: string;
  /** The root identifiers it names, sorted and unique. */
  readonly identifiers: readonly string[];
  /** Evaluates against a scope. Never throws on data; never returns a function. */
  evaluate(scope: Readonly<Record<string, unknown>>): unknown;
}

/**
 * Compiles a branch-condition expression (work in progress: the full checker lands next).
 *
 * @example
 * ```ts
 * const expr = compileExpression("customer.age >= 18 && 'vip' in segments");
 * expr.evaluate({ customer: { age: 30 }, segments: ['vip'] }); // true
 * ```
 */
export function compileExpression(
  source: string,
  options: CompileExpressionOptions = {},
): CompiledExpression {
  const maxLength = options.maxLength ?? 2000;
  if (source.length > maxLength) {
    throw new ExpressionError('too-long', `Expression is longer than ${maxLength} characters`, maxLength);
  }
  void EXPRESSION_ROOTS;
  throw new ExpressionError('syntax', 'Expression compiler not implemented yet', 0);
}
