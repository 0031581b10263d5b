import type { Step } from '../../model/types.js';
import { diagnostic } from '../diagnostics.js';
import type { Diagnostic, ValidateOptions } from '../diagnostics.js';
import { compileExpression, EXPRESSION_ROOTS, ExpressionError } from '../expression/index.js';

/** A compile failure, or `null` for an expression that compiled. */
type Outcome = { readonly code: string; readonly message: string; readonly index: number } | null;

function compile(source: string, roots: readonly string[]): Outcome {
  try {
    compileExpression(source, { roots });
    return null;
  } catch (error) {
    if (error instanceof ExpressionError) return { code: error.code, message: error.message, index: error.index };
    let message = 'the expression compiler failed';
    try {
      if (error instanceof Error) message = error.message;
    } catch {
      // keep the generic message
    }
    return { code: 'internal', message, index: 0 };
  }
}

/**
 * `invalid-expression` / `unknown-identifier`: compile every branch condition's expression
 * (each distinct source once). Runs on every step that parsed, even when others did not.
 */
export function checkExpressions(steps: readonly (Step | undefined)[], options: ValidateOptions, out: Diagnostic[]): void {
  const roots = options.roots ?? EXPRESSION_ROOTS;
  const rootList = roots.join(', ');
  const cache = new Map<string, Outcome>();
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step?.type !== 'branch') continue;
    const conditions = step.config.conditions;
    for (let j = 0; j < conditions.length; j++) {
      const source = conditions[j]!.expression;
      let outcome = cache.get(source);
      if (outcome === undefined) {
        outcome = compile(source, roots);
        cache.set(source, outcome);
      }
      if (outcome === null) continue;
      const path = ['steps', i, 'config', 'conditions', j, 'expression'];
      const shown = JSON.stringify(source.length > 60 ? `${source.slice(0, 60)}…` : source);
      if (outcome.code === 'unknown-identifier') {
        out.push(
          diagnostic(
            'unknown-identifier',
            `Condition ${j + 1} of branch ${JSON.stringify(step.id)} (${shown}): ${outcome.message}${/character/.test(outcome.message) ? '' : ` (at character ${outcome.index})`}.${roots.some((r) => outcome.message.includes(r)) ? '' : ` An expression may only name: ${rootList}.`}`,
            path,
            step.id,
          ),
        );
      } else {
        out.push(
          diagnostic(
            'invalid-expression',
            `Condition ${j + 1} of branch ${JSON.stringify(step.id)} is not a valid expression (${shown}): ${outcome.message} [${outcome.code}, character ${outcome.index}]. Fix the expression; see docs/expressions.md for the language.`,
            path,
            step.id,
          ),
        );
      }
    }
  }
}
