import { kindOf } from '../../model/steps/index.js';
import { KeyMatcher } from '../closest-key.js';
import { diagnostic } from '../diagnostics.js';
import { dominators } from '../graph.js';
import type { Dominators } from '../graph.js';
import type { AnalysisContext } from './context.js';
import { quote } from './context.js';

/** Caps the comparisons spent on "did you mean" hints. */
const SUGGESTION_BUDGET = 200_000;

/**
 * Result names: a decide step stores its offers under `storeResultAs`, else its own id, and a
 * send's `resultSource` may name either the decide's id or its `storeResultAs`.
 *
 * - `duplicate-result-name`: two decide steps claim the same name (storage key or id).
 * - `unknown-result-source`: a send's `resultSource` names no decide step.
 * - `result-maybe-missing` (warning): the producing decide step does not dominate the send —
 *   some path from the first step reaches the send without passing the decide. Dominators
 *   (Lengauer–Tarjan) answer this for every send in near-linear time. Skipped for names that
 *   two decides claim (already an error).
 */
export function checkResultSources({ steps, graph, out }: AnalysisContext): void {
  /** Name → index of the first decide claiming it, or -1 when several claim it. */
  const producers = new Map<string, number>();
  const claim = (i: number, name: string, viaKey: boolean): void => {
    const owner = producers.get(name);
    if (owner === undefined) {
      producers.set(name, i);
      return;
    }
    const step = steps[i]!;
    const other = owner === -1 ? undefined : steps[owner]!;
    producers.set(name, -1);
    out.push(
      diagnostic(
        'duplicate-result-name',
        `Decide step ${quote(step.id)} ${viaKey ? 'stores its result as' : 'has the id'} ${quote(name)}, which ${other ? `decide step ${quote(other.id)}` : 'another decide step'} already uses as a result name, so a send's resultSource ${quote(name)} would be ambiguous. Give ${viaKey ? 'it a different storeResultAs' : 'one of them a different id or storeResultAs'}.`,
        viaKey ? ['steps', i, 'config', 'storeResultAs'] : ['steps', i, 'id'],
        step.id,
      ),
    );
  };
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const kind = kindOf(step);
    if (kind.storesResult === undefined) continue;
    if (graph.indexById.get(step.id) === i) claim(i, step.id, false);
    const key = kind.storesResult(step);
    if (key !== undefined && key !== step.id) claim(i, key, true);
  }

  let doms: Dominators | undefined;
  let matcher: KeyMatcher | undefined;
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const source = kindOf(step).readsResult?.(step);
    if (source === undefined) continue;
    const producer = producers.get(source);
    if (producer === undefined) {
      matcher ??= new KeyMatcher([...producers.keys()], SUGGESTION_BUDGET);
      const guess = matcher.suggest(source);
      const hint = guess === undefined ? '' : ` Did you mean ${quote(guess)}?`;
      out.push(
        diagnostic(
          'unknown-result-source',
          `Send step ${quote(step.id)} takes its offer from resultSource ${quote(source)}, but no decide step has that id or storeResultAs.${hint} Name a decide step's id or its storeResultAs.`,
          ['steps', i, 'config', 'resultSource'],
          step.id,
        ),
      );
      continue;
    }
    if (producer === -1) continue;
    doms ??= dominators(graph.successors, 0);
    if (!doms.reachable(i) || doms.dominates(producer, i)) continue;
    const decide = steps[producer]!;
    out.push(
      diagnostic(
        'result-maybe-missing',
        `Send step ${quote(step.id)} uses the result ${quote(source)}, but some path from the first step reaches it without passing decide step ${quote(decide.id)}, so the result may be missing when it sends. Make every path to this send pass ${quote(decide.id)} first.`,
        ['steps', i, 'config', 'resultSource'],
        step.id,
      ),
    );
  }
}
