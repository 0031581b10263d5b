/**
 * The shapes of the HTTP API's answers, as zod schemas: the response side of the OpenAPI
 * document (openapi.ts). They describe what views.ts and the engine answer, field for field;
 * fixed objects are strict (an undocumented field is a mismatch), open ones (offers, contexts,
 * timeline details, rule figures) say so. test/http/http-helpers.ts checks every answer the HTTP
 * tests receive against the document, so these cannot drift from the handler unnoticed.
 */
import { z } from 'zod';
import { goalSchema } from '../../model/goals.js';
import { journeySendPolicySchema } from '../../model/send-policy.js';
import { entryConditionsSchema, jsonValueSchema, stepSchema } from '../../model/schema.js';
import { JOURNEY_STATUSES } from '../../model/status.js';
import { ENTRY_RULES, ENTRY_VIAS, type SkipReason } from '../../runtime/entry-rules.js';
import type { OutcomeUnmatchedReason } from '../../runtime/outcome-attribution.js';
import { ENROLLMENT_STATUSES, type EnrollmentPhase, type InboxItem } from '../../runtime/types.js';
import { DIAGNOSTIC_CODES } from '../../validate/diagnostics.js';

/** An instant as the API answers it: ISO-8601, UTC, milliseconds (`2026-03-10T09:00:00.000Z`). */
const isoInstant = z.iso.datetime();
const count = z.number().int().min(0);
const counts = z.record(z.string(), count);
const jsonObject = z.record(z.string(), jsonValueSchema);

const SKIP_REASONS = [
  'already-enrolled',
  'duplicate-in-request',
  'not-in-segment',
  'too-soon',
  'manual-disabled',
  're-entry-never',
  're-entry-too-soon',
  'journey-not-active',
  'no-event-trigger',
] as const;
const OUTCOME_UNMATCHED_REASONS = ['no-active-enrollment', 'journey-not-entered', 'enrollment-ended', 'message-not-found', 'ambiguous'] as const;
const PHASES = ['ready', 'waiting', 'effect', 'done'] as const;
const INBOX_KINDS = ['outcome', 'event', 'exit'] as const;

/** Compile-time: each list above holds exactly the members of the runtime's union (a new member must be added here). */
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const listsComplete: [
  Same<(typeof SKIP_REASONS)[number], SkipReason>,
  Same<(typeof OUTCOME_UNMATCHED_REASONS)[number], OutcomeUnmatchedReason>,
  Same<(typeof PHASES)[number], EnrollmentPhase>,
  Same<(typeof INBOX_KINDS)[number], InboxItem['kind']>,
] = [true, true, true, true];
void listsComplete;

/** A validator finding (`validateJourney`'s `Diagnostic`). */
export const diagnosticView = z.strictObject({
  code: z.enum(DIAGNOSTIC_CODES),
  severity: z.enum(['error', 'warning']),
  message: z.string(),
  stepId: z.string().optional(),
  path: z.array(z.union([z.string(), z.number().int()])),
});

/** `GET /journeys` items. */
export const journeyListItemView = z.strictObject({
  id: z.string(),
  name: z.string(),
  description: z.string(),
  status: z.enum(JOURNEY_STATUSES),
  maxDuration: z.number(),
  stepCount: count,
  version: z.number().int().min(1),
  createdAt: isoInstant,
  updatedAt: isoInstant,
});

/** `POST /journeys` (201): the summary and the saved document's diagnostics. */
export const createdJourneyView = z.strictObject({
  id: z.string(),
  name: z.string(),
  status: z.enum(JOURNEY_STATUSES),
  maxDuration: z.number(),
  stepCount: count,
  createdAt: isoInstant,
  updatedAt: isoInstant,
  diagnostics: z.array(diagnosticView),
});

/** `GET /journeys/:id`, `PUT /journeys/:id`: the whole journey as stored (defaults filled in). */
export const journeyView = journeyListItemView.extend({
  steps: z.array(stepSchema),
  entryConditions: entryConditionsSchema,
  goals: z.array(goalSchema).optional(),
  sendPolicy: journeySendPolicySchema.optional(),
  diagnostics: z.array(diagnosticView),
});

const pagination = z.strictObject({ total: count, limit: z.number().int().min(1), offset: count, hasMore: z.boolean() });

/** `{ data, pagination }` of a list answer. */
export function pagedView<T extends z.ZodType>(item: T) {
  return z.strictObject({ data: z.array(item), pagination });
}

/** `POST /journeys/:id/validate`. */
export const validationView = z.strictObject({ valid: z.boolean(), diagnostics: z.array(diagnosticView) });

const outcomeView = z.strictObject({ type: z.string(), at: isoInstant, idempotencyKey: z.string(), sendKey: z.string().optional() });
const offerView = z.looseObject({ id: z.string() });

/** An enrollment (`GET /journeys/:id/enrollments` items). */
export const enrollmentView = z.strictObject({
  id: z.string(),
  journeyId: z.string(),
  journeyVersion: z.number().int().min(1),
  customerId: z.string(),
  status: z.enum(ENROLLMENT_STATUSES),
  stepId: z.string().nullable(),
  phase: z.enum(PHASES),
  visits: counts,
  results: z.record(z.string(), z.array(offerView)),
  flags: z.record(z.string(), z.boolean()),
  variants: z.record(z.string(), z.string()),
  outcomes: z.array(outcomeView),
  latestOutcome: outcomeView.nullable(),
  lastError: z
    .strictObject({ message: z.string(), code: z.string().optional(), stepId: z.string(), at: isoInstant, attempts: count })
    .nullable(),
  context: jsonObject,
  enteredAt: isoInstant,
  deadline: isoInstant,
  wakeAt: isoInstant.nullable(),
  endedAt: isoInstant.nullable(),
  exitReason: z.string().nullable(),
  updatedAt: isoInstant,
  /** Inputs delivered and not applied yet. */
  inbox: z.array(z.strictObject({ kind: z.enum(INBOX_KINDS), key: z.string(), receivedAt: isoInstant })).optional(),
  /** Goals converted: goal id → when. */
  goals: z.record(z.string(), isoInstant).optional(),
});

/** `POST /journeys/:id/enroll`. */
export const enrollResultView = z.strictObject({
  enrolled: z.array(z.strictObject({ customerId: z.string(), enrollmentId: z.string() })),
  skipped: z.array(z.strictObject({ customerId: z.string(), reason: z.enum(SKIP_REASONS), message: z.string() })),
  counts: z.strictObject({ requested: count, enrolled: count, skipped: count, duplicates: count }),
});

/** `POST /journeys/:id/test`: the simulated timeline. */
export const simulationView = z.strictObject({
  status: z.enum([...ENROLLMENT_STATUSES, 'not-enrolled']),
  exitReason: z.string().nullable(),
  timeline: z.array(
    z.strictObject({ at: isoInstant, stepId: z.string().nullable(), type: z.string(), detail: z.record(z.string(), z.unknown()).optional() }),
  ),
  refusal: z.strictObject({ reason: z.string(), message: z.string() }).optional(),
});

const stepStatsView = z.strictObject({
  stepId: z.string(),
  type: z.string(),
  entered: count,
  completed: count,
  skipped: counts,
  current: count,
  exited: counts,
  failed: count,
  noted: counts,
});

const variantStatsView = z.strictObject({
  label: z.string(),
  assigned: count,
  converted: count,
  rate: z.number().nullable(),
  interval: z.strictObject({ low: z.number(), high: z.number() }).nullable(),
  pValue: z.number().nullable(),
  lift: z.number().nullable(),
});

/** `GET /journeys/:id/stats`. */
export const statsView = z.strictObject({
  journeyId: z.string(),
  steps: z.array(stepStatsView),
  completed: count,
  exited: counts,
  failed: count,
  active: count,
  goals: z.array(
    z.strictObject({
      id: z.string(),
      label: z.string().optional(),
      exit: z.boolean(),
      conversions: count,
      enrolled: count,
      rate: z.number().nullable(),
      byVariant: z.array(z.strictObject({ stepId: z.string(), variants: z.array(variantStatsView) })),
      lastTouch: z.array(z.strictObject({ stepId: z.string(), conversions: count })),
    }),
  ),
});

/** `GET /journeys/:id/entry/:customerId`. */
export const entryExplanationView = z.strictObject({
  journeyId: z.string(),
  customerId: z.string(),
  via: z.enum(ENTRY_VIAS),
  canEnter: z.boolean(),
  reason: z.enum(SKIP_REASONS).optional(),
  checkedAt: isoInstant,
  rules: z.array(
    z.strictObject({
      rule: z.enum(ENTRY_RULES),
      status: z.enum(['passed', 'failed', 'not-applicable']),
      passed: z.boolean(),
      message: z.string(),
      reason: z.enum(SKIP_REASONS).optional(),
      details: jsonObject.optional(),
    }),
  ),
});

const journeyEnrollment = z.strictObject({ journeyId: z.string(), enrollmentId: z.string() });

/** `POST /events`. */
export const ingestResultView = z.strictObject({
  delivered: z.array(journeyEnrollment),
  enrolled: z.array(journeyEnrollment),
  skipped: z.array(z.strictObject({ journeyId: z.string(), reason: z.enum(SKIP_REASONS), message: z.string() })),
});

/** `POST /outcomes` (200). */
export const outcomeResultView = z.strictObject({ recorded: z.array(z.string()), duplicates: z.array(z.string()) });

/** `GET /health` (200). */
export const healthView = z.strictObject({ status: z.literal('ok') });

/** The `error` member of every error answer, for the given codes. */
export function errorMember(codes: readonly [string, ...string[]]) {
  return z.strictObject({
    code: z.enum(codes),
    message: z.string(),
    status: z.number().int(),
    details: z.looseObject({ path: z.array(z.union([z.string(), z.number().int()])).optional(), diagnostics: z.array(diagnosticView).optional() }).optional(),
  });
}

/** `POST /outcomes` (422): nothing was recorded; the library's answer plus the error shape. */
export const outcomeUnmatchedView = z.strictObject({
  recorded: z.array(z.string()).max(0),
  duplicates: z.array(z.string()).max(0),
  unmatched: z.strictObject({ reason: z.enum(OUTCOME_UNMATCHED_REASONS), message: z.string() }),
  error: errorMember(['outcome-unmatched']).extend({ details: z.strictObject({ reason: z.enum(OUTCOME_UNMATCHED_REASONS) }) }),
});

/** `GET /health` (503). */
export const healthUnavailableView = z.strictObject({ status: z.literal('unavailable'), error: errorMember(['storage-unavailable']) });
