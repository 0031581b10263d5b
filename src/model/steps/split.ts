/** The `split` step: sends each customer down one variant, by weight — experiments and holdouts. */
import { z } from 'zod';
import { LIMITS, stepBase, stepIdSchema } from '../schema-base.js';
import { instant, noExpressions } from './kind.js';
import type { StepFinding, StepKindModel, StepTarget } from './kind.js';

/** Most variants one split may have. */
export const MAX_SPLIT_VARIANTS = 20;
/** Largest weight of one variant (weights are relative: `45, 45, 10` is the same split as `9, 9, 2`). */
export const MAX_SPLIT_WEIGHT = 1_000_000;

export const splitVariantSchema = z.strictObject({
  /** Names the variant in stats (`noted: { 'variant:A': n }`), the timeline and `enrollment.variants`. */
  label: z.string().min(1).max(LIMITS.labelLength),
  /** The variant's share, relative to the others' (0: nobody new lands on it). */
  weight: z.number().finite().min(0).max(MAX_SPLIT_WEIGHT),
  /** Where customers of this variant go; `null` ends the journey for them (a holdout). */
  targetStepId: stepIdSchema.nullable(),
});

export const splitConfigSchema = z.strictObject({
  /** Mixed into the assignment: change it to reshuffle everyone for a new experiment. Default `''`. */
  salt: z.string().max(LIMITS.labelLength).optional(),
  variants: z.array(splitVariantSchema).max(MAX_SPLIT_VARIANTS),
});

export const splitStepSchema = z.strictObject({ ...stepBase, type: z.literal('split'), config: splitConfigSchema });

type SplitStep = z.output<typeof splitStepSchema>;

/** `45%` of a variant's weight in its split (rounded to one decimal). */
function share(step: SplitStep, weight: number): string {
  let total = 0;
  for (const v of step.config.variants) total += v.weight;
  return total > 0 ? `${Math.round((weight / total) * 1000) / 10}%` : '0%';
}

/** What a split step is. */
export const splitKind: StepKindModel<'split'> = {
  type: 'split',
  schema: splitStepSchema,
  timeline: { completed: 'split' },
  /** One target per variant, in order (`null`: the end); `next` is not used. */
  targets: (step) =>
    step.config.variants.map((v, j): StepTarget => ({ targetStepId: v.targetStepId, kind: 'variant', path: ['config', 'variants', j, 'targetStepId'] })),
  targetLabel(step, target) {
    const variant = step.config.variants[Number(target.path[2])];
    return variant === undefined ? '' : `${variant.label} · ${share(step, variant.weight)}`;
  },
  /** A trapezoid: one way in, several out. */
  diagramShape: ['[/', '\\]'],
  holdMs: instant,
  ...noExpressions,
  summary: (step) => `split ${step.config.variants.map((v) => `${v.label} ${share(step, v.weight)}`).join(', ')}`,
  /**
   * `split-without-weight` (error): no variant has a weight above 0, so no customer could be
   * assigned. `duplicate-variant-label` (error): two variants share a label, so stats and
   * `enrollment.variants` could not tell them apart; reported at the second one. A single
   * variant of weight 0 is no problem: it is how a variant is switched off.
   */
  check(step) {
    const out: StepFinding[] = [];
    const variants = step.config.variants;
    if (!variants.some((v) => v.weight > 0)) {
      out.push({
        code: 'split-without-weight',
        message: `Split ${JSON.stringify(step.id)} has ${variants.length === 0 ? 'no variants' : 'no variant with a weight above 0'}, so no customer can be assigned. Give at least one variant a positive weight.`,
        path: ['config', 'variants'],
      });
    }
    const seen = new Set<string>();
    variants.forEach((v, j) => {
      if (!seen.has(v.label)) return void seen.add(v.label);
      out.push({
        code: 'duplicate-variant-label',
        message: `Variant label ${JSON.stringify(v.label)} is used twice in split ${JSON.stringify(step.id)}; stats and enrollments name variants by label. Rename one.`,
        path: ['config', 'variants', j, 'label'],
      });
    });
    return out;
  },
};
