/**
 * The `waitFor` step: wait until the customer does something — an event (`ingestEvent`) or an
 * outcome attributed to the enrollment — with a timeout. Paths are tried in order; the first match
 * moves the customer to its target at once; at the timeout they go to `timeoutTargetStepId` (or
 * the normal transition).
 */
import { z } from 'zod';
import { durationToMs, WAIT_UNITS } from '../duration.js';
import { LIMITS, refId, stepBase, stepIdSchema } from '../schema-base.js';
import type { StepKindModel, StepTarget } from './kind.js';
import { durationBoundJsonSchema, MAX_WAIT_MS } from './wait.js';

/** Most paths one `waitFor` step may have. */
export const MAX_WAIT_FOR_PATHS = 20;

/** The root a `where` expression reads the event through: `{ type, properties, at }`. */
export const EVENT_ROOT = 'event';

export const waitForPathSchema = z
  .strictObject({
    label: z.string().max(LIMITS.labelLength).optional(),
    /** The event type that takes this path (`ingestEvent`'s `type`). */
    event: refId.optional(),
    /** The outcome type that takes this path (`recordOutcome`'s `type`, attributed to this enrollment). */
    outcome: refId.optional(),
    /** For an event path: a condition on the event (`event.properties.amount >= 100`) and the usual roots. */
    where: z.string().min(1).max(LIMITS.expressionLength).optional(),
    /** Where the path leads; `null` ends the journey. */
    targetStepId: stepIdSchema.nullable(),
  })
  .superRefine((path, ctx) => {
    if ((path.event === undefined) === (path.outcome === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a path waits for exactly one of event or outcome', path: path.event === undefined ? ['event'] : ['outcome'] });
    }
    if (path.where !== undefined && path.event === undefined) {
      ctx.addIssue({ code: 'custom', message: 'where applies to event paths only', path: ['where'] });
    }
  })
  .meta({ oneOf: [{ required: ['event'] }, { required: ['outcome'] }], dependentRequired: { where: ['event'] } });

export const waitForConfigSchema = z.strictObject({
  paths: z.array(waitForPathSchema).min(1).max(MAX_WAIT_FOR_PATHS),
  timeout: z
    .strictObject({ duration: z.number().finite().positive(), unit: z.enum(WAIT_UNITS) })
    .refine((t) => durationToMs(t.duration, t.unit) <= MAX_WAIT_MS, { message: 'a timeout may last at most 365 days', path: ['duration'] })
    .meta(durationBoundJsonSchema(MAX_WAIT_MS)),
  /** Where the customer goes at the timeout; absent: the step's normal transition; `null` ends the journey. */
  timeoutTargetStepId: stepIdSchema.nullable().optional(),
});

export const waitForStepSchema = z.strictObject({ ...stepBase, type: z.literal('waitFor'), config: waitForConfigSchema });

type WaitForPath = z.output<typeof waitForPathSchema>;

/** How a diagram names a path: its label, else what it waits for. */
export function pathName(path: WaitForPath): string {
  return path.label ?? (path.event !== undefined ? `event ${path.event}` : `outcome ${String(path.outcome)}`);
}

/** What a waitFor step is. */
export const waitForKind: StepKindModel<'waitFor'> = {
  type: 'waitFor',
  schema: waitForStepSchema,
  diagramShape: ['>', ']'],
  timeline: { holding: 'waiting for', completed: 'received' },
  /** Its paths' targets in order, then the timeout's target (or the normal transition). */
  targets(step, normal) {
    const targets: StepTarget[] = step.config.paths.map((p, j) => ({
      targetStepId: p.targetStepId,
      kind: 'condition' as const,
      path: ['config', 'paths', j, 'targetStepId'],
    }));
    const timeout = step.config.timeoutTargetStepId;
    targets.push(timeout !== undefined ? { targetStepId: timeout, kind: 'default', path: ['config', 'timeoutTargetStepId'] } : normal);
    return targets;
  },
  targetLabel(step, target) {
    if (target.kind === 'condition') {
      const path = step.config.paths[Number(target.path[2])];
      return path === undefined ? 'path' : pathName(path);
    }
    return `timeout ${String(step.config.timeout.duration)} ${step.config.timeout.unit}`;
  },
  /** From at once (the event may come right away) to the timeout; it blocks until something arrives. */
  holdMs(step) {
    return { min: 0, max: durationToMs(step.config.timeout.duration, step.config.timeout.unit), blocks: true };
  },
  expressions: (step) =>
    step.config.paths.flatMap((p, j) =>
      p.where === undefined ? [] : [{ source: p.where, path: ['config', 'paths', j, 'where'], name: `The where of path ${j + 1} of waitFor ${JSON.stringify(step.id)}` }],
    ),
  extraRoots: [EVENT_ROOT],
  listensTo: (step) => step.config.paths.flatMap((p) => (p.event === undefined ? [] : [p.event])),
  summary: (step) =>
    `wait for ${step.config.paths.map(pathName).join(' or ')} · ${String(step.config.timeout.duration)} ${step.config.timeout.unit}`,
};
