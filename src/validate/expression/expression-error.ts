/**
 * Why an expression was rejected.
 *
 * - `unknown-identifier`: a root identifier that is not one of the allowed roots.
 * - every other code is reported by the validator as `invalid-expression`:
 *   `too-long`, `syntax`, `forbidden-node`, `forbidden-operator`, `forbidden-property`,
 *   `unknown-function`, `too-deep`, `too-many-nodes`, `compound`.
 */
export type ExpressionErrorCode =
  | 'unknown-identifier'
  | 'too-long'
  | 'syntax'
  | 'forbidden-node'
  | 'forbidden-operator'
  | 'forbidden-property'
  | 'unknown-function'
  | 'too-deep'
  | 'too-many-nodes'
  | 'compound';

/**
 * Thrown by {@link compileExpression} when an expression is not in the restricted language.
 * `index` is the character index in the source where the problem was found (0 when unknown).
 *
 * @example
 * ```ts
 * try { compileExpression('a.constructor') } catch (e) {
 *   if (e instanceof ExpressionError) console.log(e.code, e.index); // 'forbidden-property' 2
 * }
 * ```
 */
export class ExpressionError extends Error {
  /** Stable machine-readable reason. */
  readonly code: ExpressionErrorCode;
  /** Character index in the expression source. */
  readonly index: number;

  constructor(code: ExpressionErrorCode, message: string, index: number) {
    super(message);
    this.name = 'ExpressionError';
    this.code = code;
    this.index = index;
  }
}
