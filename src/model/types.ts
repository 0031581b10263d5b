import type { z } from 'zod';
import type {
  branchConditionSchema,
  branchStepSchema,
  decideStepSchema,
  entryConditionsSchema,
  eventTriggerSchema,
  journeyDocumentSchema,
  sendStepSchema,
  stepSchema,
  updateOperationSchema,
  updateStepSchema,
  waitStepSchema,
} from './schema.js';
import type { Goal } from './goals.js';
import type { JourneySendPolicy } from './send-policy.js';
import type { JourneyStatus } from './status.js';
import { STEP_SCHEMAS } from './steps/schemas.js';

/** A journey document after parsing: defaults filled in. */
export type JourneyDocument = z.output<typeof journeyDocumentSchema>;
/** A journey document as a host writes it (defaults optional). */
export type JourneyDocumentInput = z.input<typeof journeyDocumentSchema>;
export type Step = z.output<typeof stepSchema>;
export type StepType = Step['type'];
export type WaitStep = z.output<typeof waitStepSchema>;
export type DecideStep = z.output<typeof decideStepSchema>;
export type BranchStep = z.output<typeof branchStepSchema>;
export type SendStep = z.output<typeof sendStepSchema>;
export type UpdateStep = z.output<typeof updateStepSchema>;
export type BranchCondition = z.output<typeof branchConditionSchema>;
export type UpdateOperation = z.output<typeof updateOperationSchema>;
export type EntryConditions = z.output<typeof entryConditionsSchema>;
export type EventTrigger = z.output<typeof eventTriggerSchema>;

/** Every step type, in the order of the schema list (src/model/steps/schemas.ts). */
export const STEP_TYPES: readonly StepType[] = STEP_SCHEMAS.map((schema) => schema.shape.type.value);

/**
 * The parts of a journey that define how enrollments move. Changing any of these is a
 * structural change: allowed only in draft or paused, and it creates a new version.
 */
export interface JourneyDefinition {
  readonly maxDuration: number;
  readonly steps: readonly Step[];
  readonly entryConditions: EntryConditions;
  /** Conversion goals (absent: none). */
  readonly goals?: readonly Goal[];
  /** The journey's own send policy, besides the engine's (absent: none). */
  readonly sendPolicy?: JourneySendPolicy;
}

/** A stored journey: the document plus identity, version and timestamps. */
export interface JourneyRecord {
  readonly id: string;
  readonly tenantId: string;
  readonly name: string;
  readonly description: string;
  readonly status: JourneyStatus;
  readonly maxDuration: number;
  readonly steps: readonly Step[];
  readonly entryConditions: EntryConditions;
  /** Conversion goals (absent: none). */
  readonly goals?: readonly Goal[];
  /** The journey's own send policy, besides the engine's (absent: none). */
  readonly sendPolicy?: JourneySendPolicy;
  /** Structural version: starts at 1, +1 for each structural change. Enrollments are pinned to one. */
  readonly version: number;
  /** Optimistic-concurrency revision: +1 on every write of the record. */
  readonly revision: number;
  /** Epoch ms. */
  readonly createdAt: number;
  /** Epoch ms. */
  readonly updatedAt: number;
}

/** The summary the seed's API returns (`201 Created` body). Timestamps are ISO-8601 strings. */
export interface JourneySummary {
  readonly id: string;
  readonly name: string;
  readonly status: JourneyStatus;
  readonly maxDuration: number;
  readonly stepCount: number;
  readonly createdAt: string;
  readonly updatedAt: string;
}
