import { z } from 'zod';
import { WAIT_UNITS, MS_PER_DAY, durationToMs } from './duration.js';
import { JOURNEY_STATUSES } from './status.js';

/** Limits on a journey document. Exported so hosts and editors can show them. */
export const LIMITS = Object.freeze({
  nameLength: 255,
  descriptionLength: 2000,
  maxDurationDays: { min: 1, max: 365 },
  steps: 10_000,
  expressionLength: 2000,
  conditionsPerBranch: 100,
  operationsPerUpdate: 100,
  labelLength: 255,
  idLength: 128,
  segmentsPerEntry: 1000,
  eventsPerEntry: 100,
  maxOffers: 100,
  minDaysSinceLastJourney: 3650,
});

/**
 * Step ids: letters, digits, `_`, `-` and `.`. No `:` — idempotency keys are
 * `enrollmentId:stepId:visit`, and a colon in a step id would make them ambiguous.
 */
export const stepIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z0-9_.-]+$/, 'use only letters, digits, "_", "-" and "."');

/** Names readable from an expression (`results.<name>`, `customer.<key>`). */
const FORBIDDEN_KEYS = new Set(['__proto__', 'constructor', 'prototype']);
export const keySchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(/^[A-Za-z_$][A-Za-z0-9_$]*$/, 'must be an identifier: a letter or "_" first, then letters, digits or "_"')
  .refine((k) => !FORBIDDEN_KEYS.has(k), 'this name is reserved');

const refId = z.string().min(1).max(LIMITS.idLength);

export const positionSchema = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

export const waitConfigSchema = z
  .strictObject({
    duration: z.number().finite().positive(),
    unit: z.enum(WAIT_UNITS),
  })
  .refine((c) => durationToMs(c.duration, c.unit) <= 365 * MS_PER_DAY, {
    message: 'a wait may last at most 365 days',
    path: ['duration'],
  });

export const decideConfigSchema = z.strictObject({
  decisionFlowId: refId,
  maxOffers: z.number().int().min(1).max(LIMITS.maxOffers).default(1),
  storeResultAs: keySchema.optional(),
});

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

export const sendConfigSchema = z.strictObject({
  channelId: refId,
  creativeId: refId.optional(),
  resultSource: refId.optional(),
});

/** A JSON value an attribute may be set to. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string().max(10_000),
    z.number().finite(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema).max(1000),
    z.record(keySchema, jsonValueSchema),
  ]),
);

export const updateOperationSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('set_attribute'), key: keySchema, value: jsonValueSchema }),
  z.strictObject({ type: z.literal('unset_attribute'), key: keySchema }),
  z.strictObject({ type: z.literal('add_segment'), segment: refId }),
  z.strictObject({ type: z.literal('remove_segment'), segment: refId }),
  z.strictObject({ type: z.literal('set_flag'), flag: keySchema, value: z.boolean().default(true) }),
]);

export const updateConfigSchema = z.strictObject({
  operations: z.array(updateOperationSchema).min(1).max(LIMITS.operationsPerUpdate),
});

const stepBase = {
  id: stepIdSchema,
  /** Explicit transition: a step id, or `null` to end the journey here. Default: the next step in array order. */
  next: stepIdSchema.nullable().optional(),
  /** Where an editor drew the step. Ignored by the runtime. */
  position: positionSchema.optional(),
  /** A human label for editors and diagrams. */
  label: z.string().max(LIMITS.labelLength).optional(),
};

export const waitStepSchema = z.strictObject({ ...stepBase, type: z.literal('wait'), config: waitConfigSchema });
export const decideStepSchema = z.strictObject({ ...stepBase, type: z.literal('decide'), config: decideConfigSchema });
export const branchStepSchema = z.strictObject({ ...stepBase, type: z.literal('branch'), config: branchConfigSchema });
export const sendStepSchema = z.strictObject({ ...stepBase, type: z.literal('send'), config: sendConfigSchema });
export const updateStepSchema = z.strictObject({ ...stepBase, type: z.literal('update'), config: updateConfigSchema });

export const stepSchema = z.discriminatedUnion('type', [
  waitStepSchema,
  decideStepSchema,
  branchStepSchema,
  sendStepSchema,
  updateStepSchema,
]);

/** An event that enrolls a customer: its `type`, and optionally property values it must carry (equality). */
export const eventTriggerSchema = z.strictObject({
  type: z.string().min(1).max(LIMITS.idLength),
  properties: z.record(z.string().max(LIMITS.idLength), z.union([z.string(), z.number(), z.boolean(), z.null()])).optional(),
});

export const entryConditionsSchema = z.strictObject({
  /** Customer must be in at least one of these segments. Empty or absent: no segment requirement. */
  segments: z.array(refId).max(LIMITS.segmentsPerEntry).optional(),
  /** Events that enroll a customer when ingested. */
  events: z.array(eventTriggerSchema).max(LIMITS.eventsPerEntry).optional(),
  /** Whether the host may enroll customers by hand (default true). */
  manual: z.boolean().optional(),
  /** Days since the customer's last enrollment in any journey ended; being in another journey now counts as 0. */
  minDaysSinceLastJourney: z.number().finite().min(0).max(LIMITS.minDaysSinceLastJourney).optional(),
});

/** The journey document, exactly as the seed writes it. */
export const journeyDocumentSchema = z.strictObject({
  name: z.string().min(1).max(LIMITS.nameLength),
  description: z.string().max(LIMITS.descriptionLength).default(''),
  /** Maximum journey duration in days (calendar time from entry). */
  maxDuration: z.number().finite().min(LIMITS.maxDurationDays.min).max(LIMITS.maxDurationDays.max),
  status: z.enum(JOURNEY_STATUSES).default('draft'),
  steps: z.array(stepSchema).max(LIMITS.steps),
  entryConditions: entryConditionsSchema.default({}),
});
