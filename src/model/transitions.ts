/**
 * Transition semantics, shared by the validator and the runtime (ARCHITECTURE.md,
 * "Transitions"): a step moves to its `next` step id when given; else to the following step in
 * array order; `next: null` or the last step ends the journey. A branch tries its conditions in
 * order (first match wins), else goes to `defaultTargetStepId`, else takes the normal transition.
 */
import { kindOf } from './steps/index.js';
import type { StepTarget } from './steps/kind.js';
import type { Step } from './types.js';

/** The part of a step its normal transition depends on. */
export interface TransitionSource {
  readonly id: string;
  readonly next?: string | null | undefined;
}

/**
 * For each step, the id of the step it moves to when it is done (for a branch: when no
 * condition matches and it has no `defaultTargetStepId`), or `null` when the journey ends
 * there. Pure; does not check that the ids exist.
 *
 * @example
 * ```ts
 * resolveTransitions([{ id: 'a' }, { id: 'b', next: 'a' }, { id: 'c', next: null }, { id: 'd' }]);
 * // ['b', 'a', null, null]
 * ```
 */
export function resolveTransitions(steps: readonly TransitionSource[]): (string | null)[] {
  const out: (string | null)[] = new Array<string | null>(steps.length);
  for (let i = 0; i < steps.length; i++) {
    const next = steps[i]!.next;
    out[i] = next !== undefined ? next : (steps[i + 1]?.id ?? null);
  }
  return out;
}

export type { StepTarget, TransitionKind } from './steps/kind.js';

/**
 * Every target a step may move to, in evaluation order: a branch's condition targets, then its
 * default target, or (when it has no default) its normal transition; any other step: its
 * normal transition (the kind's `targets`, src/model/steps/). `successor` is the step's entry in {@link resolveTransitions}.
 *
 * @example
 * ```ts
 * const successors = resolveTransitions(steps);
 * steps.forEach((step, i) => stepTargets(step, successors[i] ?? null));
 * ```
 */
export function stepTargets(step: Step, successor: string | null): StepTarget[] {
  const normal: StepTarget =
    step.next !== undefined
      ? { targetStepId: step.next, kind: 'next', path: ['next'] }
      : { targetStepId: successor, kind: 'order', path: [] };
  return kindOf(step).targets(step, normal);
}
