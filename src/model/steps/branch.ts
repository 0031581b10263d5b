/** The `branch` step: the first condition that holds picks the next step. */
import { z } from 'zod';
import { LIMITS, stepBase, stepIdSchema } from '../schema-base.js';

export const branchConditionSchema = z.strictObject({
  label: z.string().max(LIMITS.labelLength).optional(),
  expression: z.string().min(1).max(LIMITS.expressionLength),
  targetStepId: stepIdSchema,
});

export const branchConfigSchema = z.strictObject({
  conditions: z.array(branchConditionSchema).max(LIMITS.conditionsPerBranch),
  /** Where to go when no condition is true. When absent, the step's normal transition applies. */
  defaultTargetStepId: stepIdSchema.optional(),
});

export const branchStepSchema = z.strictObject({ ...stepBase, type: z.literal('branch'), config: branchConfigSchema });
