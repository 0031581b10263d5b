import { KeyMatcher } from '../closest-key.js';
import { diagnostic } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

/** Suggestions compare against every id; this caps the total comparisons so a document full of bad targets stays linear. */
const SUGGESTION_BUDGET = 200_000;

/** `unknown-target`: a `next`, condition `targetStepId` or `defaultTargetStepId` naming no step. */
export function checkUnknownTargets({ graph, out }: AnalysisContext): void {
  let matcher: KeyMatcher | undefined;
  for (const t of graph.unknownTargets) {
    matcher ??= new KeyMatcher([...graph.indexById.keys()], SUGGESTION_BUDGET);
    const guess = matcher.suggest(t.targetStepId);
    const hint = guess === undefined ? '' : ` Did you mean ${quote(guess)}?`;
    const field = t.path[t.path.length - 1];
    out.push(
      diagnostic(
        'unknown-target',
        `${String(field)} ${quote(t.targetStepId)} names no step in this journey.${hint} Add a step with that id or point the transition at an existing step${field === 'next' ? ' (or use null to end the journey here)' : ''}.`,
        t.path,
        t.stepId,
      ),
    );
  }
}
