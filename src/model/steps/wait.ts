/** The `wait` step: holds the customer for a fixed duration. */
import { z } from 'zod';
import { durationToMs, MS_PER_DAY, WAIT_UNITS } from '../duration.js';
import { stepBase } from '../schema-base.js';
import type { StepKindModel } from './kind.js';
import { noExpressions, endsByNormalTransition } from './kind.js';

/** The longest a wait may last. */
export const MAX_WAIT_MS = 365 * MS_PER_DAY;

export const waitConfigSchema = z
  .strictObject({
    duration: z.number().finite().positive(),
    unit: z.enum(WAIT_UNITS),
  })
  .refine((c) => durationToMs(c.duration, c.unit) <= MAX_WAIT_MS, {
    message: 'a wait may last at most 365 days',
    path: ['duration'],
  });

export const waitStepSchema = z.strictObject({ ...stepBase, type: z.literal('wait'), config: waitConfigSchema });

/** What a wait step is. */
export const waitKind: StepKindModel<'wait'> = {
  type: 'wait',
  schema: waitStepSchema,
  diagramShape: ['([', '])'],
  timeline: { holding: 'waiting', completed: 'waited' },
  ...endsByNormalTransition,
  ...noExpressions,
  holdMs(step) {
    const ms = durationToMs(step.config.duration, step.config.unit);
    return { min: ms, max: ms };
  },
  summary: (step) => `wait ${String(step.config.duration)} ${String(step.config.unit)}`,
};
