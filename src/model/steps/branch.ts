/** The `branch` step: the first condition that holds picks the next step. */
import { z } from 'zod';
import { LIMITS, stepBase, stepIdSchema } from '../schema-base.js';
import { instant } from './kind.js';
import type { StepKindModel, StepTarget } from './kind.js';

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

/** What a branch step is. */
export const branchKind: StepKindModel<'branch'> = {
  type: 'branch',
  schema: branchStepSchema,
  diagramShape: ['{', '}'],
  timeline: { completed: 'branched' },
  /** Its condition targets, then its default target, or (when it has none) its normal transition. */
  targets(step, normal) {
    const targets: StepTarget[] = step.config.conditions.map((c, j) => ({
      targetStepId: c.targetStepId,
      kind: 'condition' as const,
      path: ['config', 'conditions', j, 'targetStepId'],
    }));
    const fallback = step.config.defaultTargetStepId;
    targets.push(fallback !== undefined ? { targetStepId: fallback, kind: 'default', path: ['config', 'defaultTargetStepId'] } : normal);
    return targets;
  },
  targetLabel(step, target) {
    if (target.kind === 'condition') {
      const condition = step.config.conditions[Number(target.path[2])];
      return condition?.label ?? condition?.expression ?? 'condition';
    }
    return target.kind === 'default' ? 'default' : 'otherwise';
  },
  holdMs: instant,
  expressions: (step) =>
    step.config.conditions.map((c, j) => ({
      source: c.expression,
      path: ['config', 'conditions', j, 'expression'],
      name: `Condition ${j + 1} of branch ${JSON.stringify(step.id)}`,
    })),
  extraRoots: [],
  summary: () => null,
  /** `branch-without-conditions` (warning): a branch with no conditions always takes its fallback. */
  check(step) {
    if (step.config.conditions.length > 0) return [];
    const id = JSON.stringify(step.id);
    const fallback = step.config.defaultTargetStepId;
    return [
      {
        code: 'branch-without-conditions',
        message: `Branch ${id} has no conditions, so it always goes to ${fallback !== undefined ? `its default target ${JSON.stringify(fallback)}` : 'its normal next step'}. Add conditions, or replace it with a "next" on the previous step.`,
        path: ['config', 'conditions'],
      },
    ];
  },
};
