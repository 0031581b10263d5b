import { diagnostic } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';

/**
 * `duplicate-goal-id`: stats, the enrollment's `goals` and exit reasons (`goal:<id>`) name a
 * goal by its id, so two goals of one journey must not share one. Reported at the second.
 */
export function checkGoals({ journey, out }: AnalysisContext): void {
  const seen = new Set<string>();
  (journey.goals ?? []).forEach((goal, i) => {
    if (seen.has(goal.id)) {
      out.push(diagnostic('duplicate-goal-id', `Goal id ${JSON.stringify(goal.id)} is used twice; stats and exit reasons name goals by id. Rename one.`, ['goals', i, 'id']));
    }
    seen.add(goal.id);
  });
}
