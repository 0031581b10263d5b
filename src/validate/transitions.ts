/**
 * Transition semantics, shared by the validator and the runtime (ARCHITECTURE.md,
 * "Transitions"): a step moves to its `next` step id when given; else to the following step in
 * array order; `next: null` or the last step ends the journey. A branch tries its conditions in
 * order (first match wins), else goes to `defaultTargetStepId`, else takes the normal transition.
 */
import type { Step } from '../model/types.js';

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

/** How a step reaches one of its targets. */
export type TransitionKind = 'next' | 'order' | 'condition' | 'default';

/** One place a step may go. */
export interface StepTarget {
  /** The target step id, or `null` for the end of the journey. */
  readonly targetStepId: string | null;
  readonly kind: TransitionKind;
  /** Where the target is written, relative to the step (`[]` for array order). */
  readonly path: readonly (string | number)[];
}

/**
 * Every target a step may move to, in evaluation order: a branch's condition targets, then its
 * default target, or (when it has no default) its normal transition; any other step: its
 * normal transition. `successor` is the step's entry in {@link resolveTransitions}.
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
  if (step.type !== 'branch') return [normal];
  const targets: StepTarget[] = step.config.conditions.map((c, j) => ({
    targetStepId: c.targetStepId,
    kind: 'condition' as const,
    path: ['config', 'conditions', j, 'targetStepId'],
  }));
  const fallback = step.config.defaultTargetStepId;
  targets.push(
    fallback !== undefined ? { targetStepId: fallback, kind: 'default', path: ['config', 'defaultTargetStepId'] } : normal,
  );
  return targets;
}
