import { kindOf } from '../../model/steps/index.js';
import { diagnostic } from '../diagnostics.js';
import { stronglyConnectedComponents } from '../graph.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

const LISTED = 10;

/**
 * `instant-loop`: a cycle that can repeat without passing a wait step, so an enrollment would
 * spin (sending, deciding, updating) without ever pausing. Found as the strongly connected
 * components of the graph restricted to steps that may hold a customer for no time (their kind's
 * `holdMs().min` is 0 and it does not `block`: not a wait, not a `waitFor`) that have more than
 * one step or a self-loop; reported once per component, at its first step.
 */
export function checkInstantLoops({ steps, graph, out }: AnalysisContext): void {
  const holds = (i: number): boolean => {
    const hold = kindOf(steps[i]!).holdMs(steps[i]!);
    return hold.min > 0 || hold.blocks === true;
  };
  const found = stronglyConnectedComponents(graph.successors, (i) => !holds(i), true);
  found.sort((a, b) => a[0]! - b[0]!);
  for (const component of found) {
    const first = component[0]!;
    const ids = component.slice(0, LISTED).map((i) => quote(steps[i]!.id));
    const more = component.length > LISTED ? ` and ${component.length - LISTED} more` : '';
    const what =
      component.length === 1
        ? `Step ${ids[0]} leads back to itself`
        : `Steps ${ids.join(', ')}${more} form a loop`;
    out.push(
      diagnostic(
        'instant-loop',
        `${what} without passing a wait step, so an enrollment could repeat it endlessly without pausing. Add a wait step inside the loop, or route it out of the loop.`,
        ['steps', first],
        steps[first]!.id,
      ),
    );
  }
}
