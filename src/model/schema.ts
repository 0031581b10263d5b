import { z } from 'zod';
import { LIMITS, refId } from './schema-base.js';
import { goalsSchema } from './goals.js';
import { journeySendPolicySchema } from './send-policy.js';
import { STEP_SCHEMAS } from './steps/schemas.js';
import { JOURNEY_STATUSES } from './status.js';

export { LIMITS, stepIdSchema, keySchema, positionSchema, jsonValueSchema } from './schema-base.js';
export type { JsonValue } from './schema-base.js';
export {
  waitConfigSchema,
  waitStepSchema,
  decideConfigSchema,
  decideStepSchema,
  branchConditionSchema,
  branchConfigSchema,
  branchStepSchema,
  sendConfigSchema,
  sendStepSchema,
  updateOperationSchema,
  updateConfigSchema,
  updateStepSchema,
} from './steps/schemas.js';

/** A step of any kind: the union of the kinds' schemas (src/model/steps/). */
export const stepSchema = z.discriminatedUnion('type', STEP_SCHEMAS);

/** `entryConditions.reEntry`: when a customer who was in the journey before may enter it again. */
export const RE_ENTRY_MODES = ['after-exit', 'never'] as const;

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
  /**
   * Whether a customer may enter this journey again: `after-exit` (default) once their previous
   * enrollment in it ended, `never` if they were ever enrolled in it.
   */
  reEntry: z.enum(RE_ENTRY_MODES).optional(),
  /**
   * Days since the customer's last enrollment in **this** journey ended (exactly that many days
   * is enough; a customer in it now is `already-enrolled`). Ignored with `reEntry: "never"`.
   */
  reEntryAfterDays: z.number().finite().min(0).max(LIMITS.reEntryAfterDays).optional(),
});

/** The journey document, exactly as the seed writes it. */
export const journeyDocumentSchema = z.strictObject({
  /** The JSON Schema the document follows, for editors (`journey-engine/journey.schema.json`); ignored by the engine. */
  $schema: z.string().max(2048).optional(),
  name: z.string().min(1).max(LIMITS.nameLength),
  description: z.string().max(LIMITS.descriptionLength).default(''),
  /** Maximum journey duration in days (calendar time from entry). */
  maxDuration: z.number().finite().min(LIMITS.maxDurationDays.min).max(LIMITS.maxDurationDays.max),
  status: z.enum(JOURNEY_STATUSES).default('draft'),
  steps: z.array(stepSchema).max(LIMITS.steps),
  entryConditions: entryConditionsSchema.default({}),
  /** Conversion goals and exit criteria, checked on every event and outcome (see src/model/goals.ts). */
  goals: goalsSchema.optional(),
  /** This journey's own send policy, besides the engine's (docs/send-policies.md). */
  sendPolicy: journeySendPolicySchema.optional(),
});
