/**
 * Journey goals: conversions a journey is for ("took the loan"), checked on every event and
 * outcome that reaches an active enrollment, at any step. A goal converts at most once per
 * enrollment; `exit: true` ends the enrollment at once (reason `goal:<id>`).
 */
import { z } from 'zod';
import { keySchema, LIMITS, refId } from './schema-base.js';

/** Most goals one journey may have. */
export const MAX_GOALS = 20;

export const goalSchema = z
  .strictObject({
    /** An identifier, unique in the journey: stats, the enrollment's `goals` and exit reasons (`goal:<id>`) name the goal by it. */
    id: keySchema,
    label: z.string().max(LIMITS.labelLength).optional(),
    /** The outcome type that converts (attributed to the enrollment). */
    outcome: refId.optional(),
    /** The event type that converts (`ingestEvent` for the customer). */
    event: refId.optional(),
    /** For an event goal: a condition on the event (`event.properties.amount >= 1000`) and the usual roots. */
    where: z.string().min(1).max(LIMITS.expressionLength).optional(),
    /** Whether converting ends the enrollment at once (reason `goal:<id>`). Default false. */
    exit: z.boolean().default(false),
  })
  .superRefine((goal, ctx) => {
    if ((goal.event === undefined) === (goal.outcome === undefined)) {
      ctx.addIssue({ code: 'custom', message: 'a goal is met by exactly one of event or outcome', path: goal.event === undefined ? ['event'] : ['outcome'] });
    }
    if (goal.where !== undefined && goal.event === undefined) {
      ctx.addIssue({ code: 'custom', message: 'where applies to event goals only', path: ['where'] });
    }
  })
  .meta({ oneOf: [{ required: ['event'] }, { required: ['outcome'] }], dependentRequired: { where: ['event'] } });

export const goalsSchema = z.array(goalSchema).max(MAX_GOALS);

export type Goal = z.output<typeof goalSchema>;

/** The exit reason of a goal with `exit: true`. */
export function goalExitReason(goalId: string): string {
  return `goal:${goalId}`;
}
