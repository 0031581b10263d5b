/**
 * What a step kind *is*, as one record per kind (the registry in `./index.ts`): the analyses, the
 * runtime, simulate and the diagram read it instead of switching on `step.type`.
 */
import type { Step, StepType } from '../types.js';

/** The step of kind `K`. */
export type StepOf<K extends StepType> = Extract<Step, { readonly type: K }>;

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

/** What a step kind is. */
export interface StepKindModel<K extends StepType> {
  readonly type: K;
  /**
   * Every target the step may move to, in evaluation order. `normal` is the step's normal
   * transition (its `next`, else array order); a kind that always ends by it returns `[normal]`.
   */
  targets(step: StepOf<K>, normal: StepTarget): StepTarget[];
  /** The label of an edge to `target` (one of {@link targets}) in a diagram; `''` for none. */
  targetLabel(step: StepOf<K>, target: StepTarget): string;
  /** A short description for a diagram node (`wait 3 days`), or `null` for none. */
  summary(step: StepOf<K>): string | null;
}

/** One model per kind: a kind missing here is a compile error. */
export type StepKindModels = { readonly [K in StepType]: StepKindModel<K> };

/** For kinds that always leave by their normal transition (no targets of their own). */
export const endsByNormalTransition = {
  targets: (_step: unknown, normal: StepTarget): StepTarget[] => [normal],
  targetLabel: (): string => '',
} as const;
