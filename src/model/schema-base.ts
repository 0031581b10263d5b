/** The parts of the journey schema every step kind shares: limits, ids, keys, JSON values, the step base. */
import { z } from 'zod';

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
  reEntryAfterDays: 3650,
});

/**
 * Step ids: letters, digits, `_`, `-` and `.`. No `:` — idempotency keys are
 * `enrollmentId:stepId:visit`, and a colon in a step id would make them ambiguous.
 */
export const STEP_ID_PATTERN = /^[A-Za-z0-9_.-]+$/;
export const stepIdSchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(STEP_ID_PATTERN, 'use only letters, digits, "_", "-" and "."');

/** Names readable from an expression (`results.<name>`, `customer.<key>`). */
export const FORBIDDEN_KEYS: ReadonlySet<string> = new Set(['__proto__', 'constructor', 'prototype']);
export const KEY_PATTERN = /^[A-Za-z_$][A-Za-z0-9_$]*$/;
export const keySchema = z
  .string()
  .min(1)
  .max(LIMITS.idLength)
  .regex(KEY_PATTERN, 'must be an identifier: a letter or "_" first, then letters, digits or "_"')
  .refine((k) => !FORBIDDEN_KEYS.has(k), 'this name is reserved')
  // The refinement, for the JSON Schema (src/model/json-schema.ts).
  .meta({ not: { enum: [...FORBIDDEN_KEYS] } });

export const refId = z.string().min(1).max(LIMITS.idLength);

export const positionSchema = z.strictObject({ x: z.number().finite(), y: z.number().finite() });

/** Longest string an attribute value may hold. */
export const MAX_STRING_VALUE_LENGTH = 10_000;

/** A JSON value an attribute may be set to. */
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
export const jsonValueSchema: z.ZodType<JsonValue> = z.lazy(() =>
  z.union([
    z.string().max(MAX_STRING_VALUE_LENGTH),
    z.number().finite(),
    z.boolean(),
    z.null(),
    z.array(jsonValueSchema).max(1000),
    z.record(keySchema, jsonValueSchema),
  ]),
);

/** The fields every step has besides `type` and `config`. */
export const stepBase = {
  id: stepIdSchema,
  /** Explicit transition: a step id, or `null` to end the journey here. Default: the next step in array order. */
  next: stepIdSchema.nullable().optional(),
  /** Where an editor drew the step. Ignored by the runtime. */
  position: positionSchema.optional(),
  /** A human label for editors and diagrams. */
  label: z.string().max(LIMITS.labelLength).optional(),
};

