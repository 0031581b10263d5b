import { diagnostic } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

/** `duplicate-step-id`: every occurrence of an id after the first. Transitions resolve to the first. */
export function checkDuplicateStepIds({ steps, graph, out }: AnalysisContext): void {
  for (let i = 0; i < steps.length; i++) {
    const id = steps[i]!.id;
    const first = graph.indexById.get(id)!;
    if (first === i) continue;
    out.push(
      diagnostic(
        'duplicate-step-id',
        `Step id ${quote(id)} is already used by steps[${first}]; step ids must be unique. Rename this step (transitions to ${quote(id)} currently go to the first one).`,
        ['steps', i, 'id'],
        id,
      ),
    );
  }
}
