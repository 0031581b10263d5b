/** The `update` step: changes the customer's profile and the enrollment's flags. */
import { z } from 'zod';
import { jsonValueSchema, keySchema, LIMITS, refId, stepBase } from '../schema-base.js';
import type { StepKindModel } from './kind.js';
import { noExpressions, endsByNormalTransition, instant } from './kind.js';

/** The value a `set_flag` operation sets when it names none. */
export const DEFAULT_FLAG_VALUE = true;

export const updateOperationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('set_attribute'), key: keySchema, value: jsonValueSchema }),
  z.strictObject({ type: z.literal('unset_attribute'), key: keySchema }),
  z.strictObject({ type: z.literal('add_segment'), segment: refId }),
  z.strictObject({ type: z.literal('remove_segment'), segment: refId }),
  z.strictObject({ type: z.literal('set_flag'), flag: keySchema, value: z.boolean().default(DEFAULT_FLAG_VALUE) }),
]);

export const updateConfigSchema = z.strictObject({
  operations: z.array(updateOperationSchema).min(1).max(LIMITS.operationsPerUpdate),
});

export const updateStepSchema = z.strictObject({ ...stepBase, type: z.literal('update'), config: updateConfigSchema });

/** What an update step is. */
export const updateKind: StepKindModel<'update'> = {
  type: 'update',
  schema: updateStepSchema,
  diagramShape: ['[[', ']]'],
  timeline: { completed: 'updated' },
  ...endsByNormalTransition,
  ...noExpressions,
  holdMs: instant,
  attributeWrites: (step) =>
    step.config.operations.flatMap((op, j) => (op.type === 'set_attribute' ? [{ key: op.key, value: op.value, path: ['config', 'operations', j] }] : [])),
  summary: (step) => `update, ${step.config.operations.length} operation${step.config.operations.length === 1 ? '' : 's'}`,
};
