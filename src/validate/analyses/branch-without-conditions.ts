import { diagnostic } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

/** `branch-without-conditions` (warning): a branch with no conditions always takes its fallback. */
export function checkBranchWithoutConditions({ steps, out }: AnalysisContext): void {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    if (step.type !== 'branch' || step.config.conditions.length > 0) continue;
    out.push(
      diagnostic(
        'branch-without-conditions',
        `Branch ${quote(step.id)} has no conditions, so it always goes to ${step.config.defaultTargetStepId !== undefined ? `its default target ${quote(step.config.defaultTargetStepId)}` : 'its normal next step'}. Add conditions, or replace it with a "next" on the previous step.`,
        ['steps', i, 'config', 'conditions'],
        step.id,
      ),
    );
  }
}
