import { closestKey } from '../closest-key.js';
import { diagnostic } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

/** Suggestions scan every id; cap them so a document full of bad targets stays linear. */
const MAX_SUGGESTIONS = 32;

/** `unknown-target`: a `next`, condition `targetStepId` or `defaultTargetStepId` naming no step. */
export function checkUnknownTargets({ graph, out }: AnalysisContext): void {
  let ids: string[] | undefined;
  let suggested = 0;
  for (const t of graph.unknownTargets) {
    let hint = '';
    if (suggested < MAX_SUGGESTIONS) {
      suggested++;
      ids ??= [...graph.indexById.keys()];
      const guess = closestKey(t.targetStepId, ids);
      if (guess !== undefined) hint = ` Did you mean ${quote(guess)}?`;
    }
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
