import { diagnostic } from '../diagnostics.js';
import { reachableFrom } from '../graph.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

/** `unreachable-step`: steps no sequence of transitions from the first step can reach. */
export function checkUnreachableSteps({ steps, graph, out }: AnalysisContext): void {
  if (steps.length === 0) return;
  const seen = reachableFrom(graph.successors, 0);
  const entry = steps[0]!.id;
  for (let i = 1; i < steps.length; i++) {
    if (seen[i] === 1) continue;
    const id = steps[i]!.id;
    out.push(
      diagnostic(
        'unreachable-step',
        `Step ${quote(id)} can never be reached from the first step ${quote(entry)}: no transition leads to it. Point a "next", a branch condition or a default target at it, or delete it.`,
        ['steps', i],
        id,
      ),
    );
  }
}
