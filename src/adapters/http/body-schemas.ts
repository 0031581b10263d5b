/**
 * Schemas of the request bodies the adapter checks itself (journey documents are checked by the
 * engine's validator, which answers diagnostics instead).
 */
import { z } from 'zod';
import { parseDuration } from '../../model/duration.js';
import { idProblem } from '../../model/ids.js';

const MIN_INSTANT = 0;
/** 9000-01-01: far enough for anyone, and far from where `Date` stops being able to print. */
const MAX_INSTANT = Date.UTC(9000, 0, 1);
const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d{1,3})?)?(?:Z|[+-]\d{2}:\d{2})$/;

/** A customer, journey or key id, checked by the engine's one id checker (`invalid-id`). */
export const idSchema = z.string().superRefine((value, ctx) => {
  const problem = idProblem(value);
  if (problem !== undefined) ctx.addIssue({ code: 'custom', message: problem, params: { code: 'invalid-id' } });
});

/** An instant: epoch milliseconds or an ISO-8601 date-time with a zone; answered as epoch ms. */
export const instantSchema = z
  .union([
    z.number().int().min(MIN_INSTANT).max(MAX_INSTANT),
    z
      .string()
      .regex(ISO, 'expected an ISO-8601 date-time such as 2026-03-10T09:00:00Z')
      .refine((s) => {
        const ms = Date.parse(s);
        return Number.isFinite(ms) && ms >= MIN_INSTANT && ms <= MAX_INSTANT;
      }, 'not a date-time between 1970 and 9000'),
  ])
  .transform((v) => (typeof v === 'number' ? v : Date.parse(v)));

const DURATION = /^\d{1,6}(?:\.\d{1,3})?(?:ms|s|m|h|d|w)$/;
const MAX_OFFSET_MS = 400 * 86_400_000;

/** A duration shorthand (`'90s'`, `'3d'`, `'2w'`) of at most 400 days. */
export const durationSchema = z
  .string()
  .regex(DURATION, "expected a duration such as '15m', '3h', '3d' or '2w'")
  // zod runs this refinement even when the regex failed: parse only what the regex accepts.
  .refine((s) => !DURATION.test(s) || parseDuration(s) <= MAX_OFFSET_MS, 'at most 400 days');

const jsonObject = z.record(z.string().max(256), z.unknown());

/** `POST /journeys/:id/enroll`. */
export const enrollBodySchema = z.strictObject({
  // Checked by the engine's id checker (`invalid-id`), so left open here; documented as ids.
  customerId: z.unknown().meta({ type: 'string', description: 'One customer (give this or customerIds)' }).optional(),
  customerIds: z.array(z.unknown().meta({ type: 'string' })).meta({ description: 'At most 1,000 customers (give this or customerId)' }).optional(),
  context: jsonObject.optional(),
});

/** `POST /events`. */
export const eventBodySchema = z.strictObject({
  customerId: idSchema,
  type: idSchema,
  properties: jsonObject.optional(),
  at: instantSchema.optional(),
});

/** `POST /outcomes`. */
export const outcomeBodySchema = z.strictObject({
  customerId: idSchema,
  type: idSchema,
  journeyId: idSchema.optional(),
  sendKey: idSchema.optional(),
  messageId: idSchema.optional(),
  idempotencyKey: idSchema.optional(),
  at: instantSchema.optional(),
});

const offerSchema = z.looseObject({ id: idSchema });

/** `POST /journeys/:id/test`. */
export const testBodySchema = z.strictObject({
  customer: z
    .strictObject({
      id: idSchema.optional(),
      attributes: jsonObject.optional(),
      segments: z.array(idSchema).max(1000).optional(),
    })
    .optional(),
  outcomes: z
    .array(
      z.union([
        z.strictObject({ afterStepId: z.string().min(1).max(128), type: idSchema, visit: z.number().int().min(1).max(10_000).optional() }),
        z.strictObject({ at: z.union([instantSchema, durationSchema]), type: idSchema }),
      ]),
    )
    .max(1000)
    .optional(),
  events: z
    .array(
      z.union([
        z.strictObject({ afterStepId: z.string().min(1).max(128), type: idSchema, visit: z.number().int().min(1).max(10_000).optional(), properties: jsonObject.optional() }),
        z.strictObject({ at: z.union([instantSchema, durationSchema]), type: idSchema, properties: jsonObject.optional() }),
      ]),
    )
    .max(1000)
    .optional(),
  decisions: z.record(z.string().min(1).max(128), z.array(offerSchema).max(100)).optional(),
  start: instantSchema.optional(),
  checkEntry: z.boolean().optional(),
});
