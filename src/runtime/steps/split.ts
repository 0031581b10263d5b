/**
 * The `split` step at run time: assign the customer a variant — a pure function of (journey id,
 * step id, customer id, salt), see ../split-assignment.ts — keep it on the enrollment, and move
 * on to the variant's target (`null`: complete the journey) in the same advance.
 */
import { JourneyError } from '../../model/errors.js';
import { own } from '../../model/own.js';
import type { CompiledStepBase } from '../compile-journey.js';
import { assignVariant } from '../split-assignment.js';
import type { StepKindRuntime, StepRun } from './kind.js';

/** A split variant ready to assign. */
export interface CompiledVariant {
  readonly label: string;
  readonly weight: number;
  /** The variant's target step id, or `null` to end the journey. */
  readonly target: string | null;
}

export type CompiledSplit = CompiledStepBase & {
  readonly type: 'split';
  readonly salt: string;
  readonly variants: readonly CompiledVariant[];
  readonly weights: readonly number[];
};

export const splitRuntime: StepKindRuntime<'split'> = {
  type: 'split',
  compile(step, base, context) {
    const path = ['steps', context.index, 'config', 'variants'] as const;
    const variants = step.config.variants.map(
      (v, j): CompiledVariant => ({
        label: v.label,
        weight: v.weight,
        target: v.targetStepId === null ? null : context.target(v.targetStepId, [...path, j, 'targetStepId']),
      }),
    );
    if (!variants.some((v) => v.weight > 0)) {
      throw new JourneyError('invalid-journey', `split "${step.id}" has no variant with a weight above 0`, { path });
    }
    return { ...base, type: 'split', salt: step.config.salt ?? '', variants, weights: variants.map((v) => v.weight) };
  },
  enter(step, _visit, run) {
    const { index, assigned } = variantOf(step, run);
    const variant = step.variants[index]!;
    if (assigned) {
      const d = run.draft;
      d.variants = { ...d.variants, [step.id]: variant.label };
      run.events.push({ type: 'noted', stepId: step.id, at: run.now, note: `variant:${variant.label}`, detail: { variant: variant.label } });
    }
    run.completed(step, { variant: variant.label });
    run.moveTo(variant.target);
  },
};

/**
 * The customer's variant: the one this enrollment already holds for the step when it still has
 * a weight (a loop back through the split, or a version that changed the weights, keeps it), else
 * a new assignment (`assigned`), which is then recorded and counted.
 */
function variantOf(step: CompiledSplit, run: StepRun): { index: number; assigned: boolean } {
  const d = run.draft;
  const kept = d.variants === undefined ? undefined : own(d.variants, step.id);
  if (kept !== undefined) {
    const index = step.variants.findIndex((v) => v.label === kept && v.weight > 0);
    if (index >= 0) return { index, assigned: false };
  }
  const key = { journeyId: d.journeyId, stepId: step.id, customerId: d.customerId, salt: step.salt };
  return { index: assignVariant(key, step.weights), assigned: true };
}
