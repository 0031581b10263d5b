/**
 * Send policies (docs/send-policies.md): the rules a host declares once for every journey —
 * quiet hours in the customer's own time zone, frequency caps counted across journeys, channel
 * rate limits. The schema and the pure parts (the window of a cap) live here; the decision is
 * taken by the worker before each send (src/runtime/send-gate.ts).
 */
import { z } from 'zod';
import { isValidTimeZone, localDayOf, parseClockTime, WEEKDAYS } from './calendar/index.js';
import { durationToMs, MS_PER_DAY, WAIT_UNITS } from './duration.js';
import { JourneyError } from './errors.js';
import { LIMITS, refId } from './schema-base.js';
import { DIAGNOSTIC_PARAM } from './steps/kind.js';
import { isZoneField } from './steps/wait.js';

/** The longest window a journey's own cap may count: what the slots of every journey's caps must be kept for. */
export const MAX_JOURNEY_CAP_WINDOW_MS = 31 * MS_PER_DAY;

/**
 * How long past the longest cap window a send slot is kept before it may be deleted: a
 * `local-day` window starts at the customer's local midnight, up to a day (and a DST hour)
 * before `now - 1 day`, and workers' clocks may differ a little.
 */
export const SEND_SLOT_RETENTION_MARGIN_MS = 2 * MS_PER_DAY;

/**
 * How long a send slot can still count for a cap: the longest window of the engine's caps or of
 * any journey's (at most {@link MAX_JOURNEY_CAP_WINDOW_MS}), plus
 * {@link SEND_SLOT_RETENTION_MARGIN_MS}. Slots older than that are deleted as sends go.
 */
export function sendSlotRetentionMs(policy: SendPolicy): number {
  let longest = MAX_JOURNEY_CAP_WINDOW_MS;
  for (const cap of policy.caps ?? []) longest = Math.max(longest, durationToMs(cap.per.duration, cap.per.unit));
  return longest + SEND_SLOT_RETENTION_MARGIN_MS;
}

/** Highest `priority` a send step may carry (0 is the default and the lowest). */
export const MAX_SEND_PRIORITY = 10;

const clockTime = (allow24: boolean) =>
  z.string().refine((t) => parseClockTime(t, allow24) !== null, allow24 ? 'must be "HH:MM" from "00:00" to "24:00"' : 'must be "HH:MM" from "00:00" to "23:59"');

// A zone the validator reports as `invalid-time-zone` (the code of the calendar waits' zones).
const zoneParams = { params: { [DIAGNOSTIC_PARAM]: 'invalid-time-zone' } };
const zoneField = () => z.string().max(LIMITS.idLength).refine(isZoneField, { message: 'is not a time zone: use an IANA name, or "customer.<attribute>"', ...zoneParams });
const fallbackZoneField = () => z.string().max(LIMITS.idLength).refine(isValidTimeZone, { message: 'is not a time zone: use an IANA name such as "UTC"', ...zoneParams });

const quietHoursSchema = z.strictObject({
  from: clockTime(false),
  to: clockTime(true),
  /** The nights quiet hours start (default every day). */
  days: z.array(z.enum(WEEKDAYS)).min(1).max(WEEKDAYS.length).optional(),
  timeZone: zoneField().optional(),
  fallbackTimeZone: fallbackZoneField().optional(),
});

const capSchema = z
  .strictObject({
    /** The channel counted; absent: every channel (all sends to the customer). */
    channelId: refId.optional(),
    max: z.number().int().min(1).max(1_000_000),
    per: z.strictObject({ duration: z.number().positive().finite(), unit: z.enum(WAIT_UNITS) }),
    /** `rolling` (default): the last `per`; `local-day`: the customer's calendar day (`per` must be 1 day). */
    calendar: z.enum(['rolling', 'local-day']).optional(),
    /** The zone of a `local-day` cap (default: the quiet hours' zone, else `customer.timezone`). */
    timeZone: zoneField().optional(),
    fallbackTimeZone: fallbackZoneField().optional(),
  })
  .refine((c) => c.calendar !== 'local-day' || (c.per.duration === 1 && c.per.unit === 'days'), {
    message: 'a "local-day" cap counts one calendar day: per must be { "duration": 1, "unit": "days" }',
    path: ['per'],
  });

const rateLimitSchema = z.strictObject({
  channelId: refId,
  perSecond: z.number().positive().max(1_000_000),
});

/** The schema of a send policy (`createEngine({ sendPolicy })`). */
export const sendPolicySchema = z.strictObject({
  quietHours: quietHoursSchema.optional(),
  caps: z.array(capSchema).max(50).optional(),
  rateLimits: z.array(rateLimitSchema).max(200).optional(),
  /** What a capped send does: wait until the cap frees (`defer`, default) or go on without sending (`skip`). */
  onCapped: z.enum(['defer', 'skip']).optional(),
});

/**
 * The schema of a journey's own send policy (the document's top-level `sendPolicy`): rules that
 * apply to this journey's sends **besides** the engine's, which always hold — a journey can add
 * quiet hours and caps, never loosen the engine's. Rate limits belong to a channel, so only the
 * engine sets them.
 */
export const journeySendPolicySchema = z.strictObject({
  /** Quiet hours for this journey's sends, besides the engine's: a send goes when neither is quiet. */
  quietHours: quietHoursSchema.optional(),
  /** Caps checked before this journey's sends, besides the engine's; they count the customer's sends across every journey. Windows of at most 31 days. */
  caps: z
    .array(
      capSchema.refine((c) => durationToMs(c.per.duration, c.per.unit) <= MAX_JOURNEY_CAP_WINDOW_MS, {
        message: "a journey's cap counts at most 31 days (longer windows are the engine's: createEngine({ sendPolicy }))",
        path: ['per'],
      }),
    )
    .max(20)
    .optional(),
  /** What a capped send of this journey does (default: the engine's `onCapped`, else `defer`). */
  onCapped: z.enum(['defer', 'skip']).optional(),
  /** The priority of this journey's sends whose step sets none (default 0). */
  priority: z.number().int().min(0).max(MAX_SEND_PRIORITY).optional(),
});

/** A journey's own send policy (the document's `sendPolicy`); see {@link journeySendPolicySchema}. */
export type JourneySendPolicy = z.infer<typeof journeySendPolicySchema>;

/**
 * A send policy, as the host declares it.
 *
 * @example
 * const sendPolicy: SendPolicy = {
 *   quietHours: { from: '21:00', to: '08:00', timeZone: 'customer.timezone', fallbackTimeZone: 'UTC' },
 *   caps: [{ channelId: 'ch_email', max: 3, per: { duration: 7, unit: 'days' } }],
 *   rateLimits: [{ channelId: 'ch_sms', perSecond: 100 }],
 *   onCapped: 'defer',
 * };
 */
export type SendPolicy = z.infer<typeof sendPolicySchema>;
/** One frequency cap of a {@link SendPolicy}. */
export type SendCap = NonNullable<SendPolicy['caps']>[number];

/**
 * Check a host's send policy: the parsed policy, or `invalid-option` with the path of the first
 * problem (under `sendPolicy`).
 */
export function parseSendPolicy(value: unknown): SendPolicy {
  const parsed = sendPolicySchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issue = parsed.error.issues[0]!;
  throw new JourneyError('invalid-option', `sendPolicy.${issue.path.join('.')}: ${issue.message}`, { path: ['sendPolicy', ...issue.path.map((p) => (typeof p === 'symbol' ? String(p) : p))] });
}

/** The window a cap counts in at `now`: sends at or after `since` and before `until`. */
export interface CapWindow {
  readonly since: number;
  /** When this window stops counting what is in it now: for `local-day` the next local midnight; for `rolling`, sends leave one by one (`at + perMs`). */
  readonly until: number | null;
  readonly perMs: number;
}

/**
 * The window of `cap` at `now`: the last `per` (rolling), or the customer's local calendar day
 * in `zone` (`local-day`, see `localDayOf`).
 */
export function capWindow(cap: SendCap, now: number, zone: string): CapWindow {
  const perMs = durationToMs(cap.per.duration, cap.per.unit);
  if (cap.calendar === 'local-day') {
    const day = localDayOf(now, zone) ?? localDayOf(now, 'UTC')!;
    return { since: day.start, until: day.end, perMs };
  }
  return { since: now - perMs + 1, until: null, perMs };
}

/** A cap as timelines show it: `ch_email 3/7d`, `all 1/local-day`. */
export function capLabel(cap: SendCap): string {
  const unit = cap.per.unit === 'days' ? 'd' : cap.per.unit === 'hours' ? 'h' : 'm';
  return `${cap.channelId ?? 'all'} ${cap.max}/${cap.calendar === 'local-day' ? 'local-day' : `${cap.per.duration}${unit}`}`;
}
