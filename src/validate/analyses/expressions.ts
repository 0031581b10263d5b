import { kindOf } from '../../model/steps/index.js';
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
 * `invalid-expression` / `unknown-identifier`: compile every expression a step carries (its
 * kind's `expressions`: a branch's conditions), each distinct source once, against the roots
 * plus the kind's `extraRoots`. Runs on every step that parsed, even when others did not.
 */
export function checkExpressions(steps: readonly (Step | undefined)[], options: ValidateOptions, out: Diagnostic[]): void {
  const roots = options.roots ?? EXPRESSION_ROOTS;
  const rootList = roots.join(', ');
  const cache = new Map<string, Outcome>();
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step === undefined) continue;
    const kind = kindOf(step);
    const expressions = kind.expressions(step);
    if (expressions.length === 0) continue;
    const extra = kind.extraRoots;
    const stepRoots = extra.length === 0 ? roots : [...roots, ...extra];
    for (const expression of expressions) {
      const source = expression.source;
      const cacheKey = extra.length === 0 ? source : `${extra.join(',')}\u0000${source}`;
      let outcome = cache.get(cacheKey);
      if (outcome === undefined) {
        outcome = compile(source, stepRoots);
        cache.set(cacheKey, outcome);
      }
      if (outcome === null) continue;
      const path = ['steps', i, ...expression.path];
      const shown = JSON.stringify(source.length > 60 ? `${source.slice(0, 60)}…` : source);
      if (outcome.code === 'unknown-identifier') {
        out.push(
          diagnostic(
            'unknown-identifier',
            `${expression.name} (${shown}): ${outcome.message}${/character/.test(outcome.message) ? '' : ` (at character ${outcome.index})`}.${stepRoots.some((r) => outcome.message.includes(r)) ? '' : ` An expression may only name: ${extra.length === 0 ? rootList : stepRoots.join(', ')}.`}`,
            path,
            step.id,
          ),
        );
      } else {
        out.push(
          diagnostic(
            'invalid-expression',
            `${expression.name} is not a valid expression (${shown}): ${outcome.message} [${outcome.code}, character ${outcome.index}]. Fix the expression; see docs/expressions.md for the language.`,
            path,
            step.id,
          ),
        );
      }
    }
  }
}
