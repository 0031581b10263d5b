import { diagnostic } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';

/** `empty-journey`: a journey needs at least one step (the first step is the entry). */
export function checkEmptyJourney({ steps, out }: AnalysisContext): void {
  if (steps.length > 0) return;
  out.push(
    diagnostic(
      'empty-journey',
      'The journey has no steps, so an enrolled customer would do nothing. Add at least one step; the first step in "steps" is where every enrollment starts.',
      ['steps'],
    ),
  );
}
