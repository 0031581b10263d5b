export { compileExpression } from './compile-expression.js';
export type { CompiledExpression, CompileExpressionOptions } from './compile-expression.js';
export { ExpressionError } from './expression-error.js';
export type { ExpressionErrorCode } from './expression-error.js';
export { EXPRESSION_ROOTS, EXPRESSION_FUNCTIONS } from './constants.js';
export type { ExpressionRoot, ExpressionFunctionName } from './constants.js';
export { expressionCompletions } from './completions.js';
export type { CompletionOptions, ExpressionCompletion, ExpressionCompletions } from './completions.js';
export type { CustomerSchema } from './customer-schema.js';
