import { kindOf } from '../../model/steps/index.js';
import type { Goal } from '../../model/goals.js';
import { EVENT_ROOT } from '../../model/steps/wait-for.js';
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

/** One expression to check: its source, the roots it may name, where it is and how messages name it. */
export interface ExpressionSite {
  readonly source: string;
  readonly extraRoots: readonly string[];
  readonly path: (string | number)[];
  readonly name: string;
  readonly stepId: string | undefined;
}

/**
 * `invalid-expression` / `unknown-identifier`: compile every expression a step carries (its
 * kind's `expressions`: a branch's conditions) and every goal's `where`, each distinct source
 * once, against the roots plus the kind's `extraRoots` (a goal may read `event`). Runs on every
 * step and goal that parsed, even when others did not.
 */
export function checkExpressions(
  steps: readonly (Step | undefined)[],
  options: ValidateOptions,
  out: Diagnostic[],
  goals: readonly (Goal | undefined)[] = [],
): void {
  const roots = options.roots ?? EXPRESSION_ROOTS;
  const cache = new Map<string, Outcome>();
  for (const site of expressionSites(steps, goals)) report(site, roots, cache, out);
}

/** Every expression of the parsed steps (their kinds' `expressions`) and goals (`where`), in document order. */
export function expressionSites(steps: readonly (Step | undefined)[], goals: readonly (Goal | undefined)[] = []): ExpressionSite[] {
  const sites: ExpressionSite[] = [];
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i];
    if (step === undefined) continue;
    const kind = kindOf(step);
    for (const e of kind.expressions(step)) sites.push({ source: e.source, extraRoots: kind.extraRoots, path: ['steps', i, ...e.path], name: e.name, stepId: step.id });
  }
  goals.forEach((goal, i) => {
    if (goal?.where !== undefined) sites.push({ source: goal.where, extraRoots: [EVENT_ROOT], path: ['goals', i, 'where'], name: `The where of goal ${JSON.stringify(goal.id)}`, stepId: undefined });
  });
  return sites;
}

function report(site: ExpressionSite, roots: readonly string[], cache: Map<string, Outcome>, out: Diagnostic[]): void {
  const { source, extraRoots: extra } = site;
  const siteRoots = extra.length === 0 ? roots : [...roots, ...extra];
  const cacheKey = extra.length === 0 ? source : `${extra.join(',')}\u0000${source}`;
  let outcome = cache.get(cacheKey);
  if (outcome === undefined) {
    outcome = compile(source, siteRoots);
    cache.set(cacheKey, outcome);
  }
  if (outcome === null) return;
  const shown = JSON.stringify(source.length > 60 ? `${source.slice(0, 60)}…` : source);
  if (outcome.code === 'unknown-identifier') {
    out.push(
      diagnostic(
        'unknown-identifier',
        `${site.name} (${shown}): ${outcome.message}${/character/.test(outcome.message) ? '' : ` (at character ${outcome.index})`}.${siteRoots.some((r) => outcome.message.includes(r)) ? '' : ` An expression may only name: ${siteRoots.join(', ')}.`}`,
        site.path,
        site.stepId,
      ),
    );
  } else {
    out.push(
      diagnostic(
        'invalid-expression',
        `${site.name} is not a valid expression (${shown}): ${outcome.message} [${outcome.code}, character ${outcome.index}]. Fix the expression; see docs/expressions.md for the language.`,
        site.path,
        site.stepId,
      ),
    );
  }
}
