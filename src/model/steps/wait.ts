/**
 * The `wait` step: holds the customer for a fixed duration, until an instant (`until`), or until
 * an instant a customer attribute holds (`untilAttribute`, shifted by `offset`) — and, with a
 * `window`, on to the first instant after that inside a recurring window of local time
 * (docs/time-zones.md; the calendar functions are in ../calendar/).
 */
import { z } from 'zod';
import { CUSTOMER_ZONE_PREFIX, isEmptyWindow, isValidTimeZone, parseClockTime, parseIsoInstant, WEEKDAYS } from '../calendar/index.js';
import { durationToMs, MS_PER_DAY, WAIT_UNITS, type WaitUnit } from '../duration.js';
import { KEY_PATTERN, keySchema, LIMITS, stepBase } from '../schema-base.js';
import type { StepKindModel, StepOf } from './kind.js';
import { DIAGNOSTIC_PARAM, noExpressions, endsByNormalTransition } from './kind.js';

/** The longest a wait may last; also the most an `until`/`untilAttribute` wait is taken to hold (the deadline clips it). */
export const MAX_WAIT_MS = 365 * MS_PER_DAY;
/** The most a window adds to a wait: a window that opens at all opens within a week. */
export const MAX_WINDOW_DELAY_MS = 7 * MS_PER_DAY;

/**
 * A JSON Schema fragment for an object with `duration` and `unit`: `duration` at most `maxMs` in
 * each unit (and at least `-maxMs` when `signed`). The zod schemas check it in a refinement; this
 * says the same to a JSON Schema validator (the shipped journey schema).
 */
export function durationBoundJsonSchema(maxMs: number, options: { signed?: boolean } = {}): { allOf: Record<string, unknown>[] } {
  return {
    allOf: WAIT_UNITS.map((unit) => {
      const max = maxMs / durationToMs(1, unit);
      return {
        if: { properties: { unit: { const: unit } }, required: ['unit'] },
        then: { properties: { duration: { maximum: max, ...(options.signed ? { minimum: -max } : {}) } } },
      };
    }),
  };
}

/** The three forms of a wait: exactly one of these fields is given. */
export const WAIT_FORMS = ['duration', 'until', 'untilAttribute'] as const;

const zoneIssue = (message: string) => ({ code: 'custom' as const, message, params: { [DIAGNOSTIC_PARAM]: 'invalid-time-zone' } });

/** An IANA zone name, or `customer.<attribute>` naming the attribute that holds one. */
export function isZoneField(text: string): boolean {
  if (text.startsWith(CUSTOMER_ZONE_PREFIX)) return KEY_PATTERN.test(text.slice(CUSTOMER_ZONE_PREFIX.length));
  return isValidTimeZone(text);
}

/** A wait's `window`: `{ days, from, to, timeZone?, fallbackTimeZone? }`. */
export const waitWindowSchema = z
  .strictObject({
    days: z.array(z.enum(WEEKDAYS)).max(WEEKDAYS.length * 2).meta({ minItems: 1 }),
    from: z
      .string()
      .refine((t) => parseClockTime(t) !== null, 'must be a local time "HH:MM" from "00:00" to "23:59"')
      .meta({ pattern: '^([01][0-9]|2[0-3]):[0-5][0-9]$' }),
    to: z
      .string()
      .refine((t) => parseClockTime(t, true) !== null, 'must be a local time "HH:MM" from "00:00" to "23:59", or "24:00"')
      .meta({ pattern: '^(([01][0-9]|2[0-3]):[0-5][0-9]|24:00)$' }),
    timeZone: z.string().max(LIMITS.idLength).optional(),
    fallbackTimeZone: z.string().max(LIMITS.idLength).optional(),
  })
  .superRefine((w, ctx) => {
    if (w.timeZone !== undefined && !isZoneField(w.timeZone)) {
      ctx.addIssue({ ...zoneIssue('is not a time zone: use an IANA name such as "America/New_York", or "customer.<attribute>"'), path: ['timeZone'] });
    }
    if (w.fallbackTimeZone !== undefined && !isValidTimeZone(w.fallbackTimeZone)) {
      ctx.addIssue({ ...zoneIssue('is not a time zone: use an IANA name such as "America/New_York" (default "UTC")'), path: ['fallbackTimeZone'] });
    }
    if (isEmptyWindow(w)) {
      ctx.addIssue({
        code: 'custom',
        message: w.days.length === 0 ? 'the window names no days, so it never opens: add days ("mon" … "sun")' : `"from" equals "to", so the window never opens: for a whole day write "00:00" to "24:00"`,
        path: w.days.length === 0 ? ['days'] : ['to'],
        params: { [DIAGNOSTIC_PARAM]: 'empty-window' },
      });
    }
  });

/** `untilAttribute`'s signed shift: `{ duration: -3, unit: 'days' }`. */
export const waitOffsetSchema = z
  .strictObject({ duration: z.number().finite(), unit: z.enum(WAIT_UNITS) })
  .refine((o) => Math.abs(durationToMs(o.duration, o.unit)) <= MAX_WAIT_MS, { message: 'an offset may be at most 365 days either way', path: ['duration'] })
  .meta(durationBoundJsonSchema(MAX_WAIT_MS, { signed: true }));

export const waitConfigSchema = z
  .strictObject({
    duration: z.number().finite().positive().optional(),
    unit: z.enum(WAIT_UNITS).optional(),
    until: z
      .string()
      .refine((t) => parseIsoInstant(t) !== null, 'must be an ISO 8601 instant with "Z" or an offset, such as "2026-12-24T09:00:00Z"')
      .optional(),
    untilAttribute: keySchema.optional(),
    offset: waitOffsetSchema.optional(),
    window: waitWindowSchema.optional(),
  })
  .superRefine((c, ctx) => {
    const forms = WAIT_FORMS.filter((f) => c[f] !== undefined);
    if (forms.length === 0) {
      ctx.addIssue({ code: 'custom', message: 'a wait needs one of "duration" (with "unit"), "until" or "untilAttribute"', path: ['duration'] });
    } else if (forms.length > 1) {
      ctx.addIssue({ code: 'custom', message: `give only one of "duration", "until" and "untilAttribute" (this wait has ${forms.map((f) => `"${f}"`).join(' and ')})`, path: [forms[1]!] });
    }
    if (c.duration !== undefined && c.unit === undefined) ctx.addIssue({ code: 'custom', message: 'is required with "duration": "minutes", "hours" or "days"', path: ['unit'] });
    if (c.duration === undefined && c.unit !== undefined && forms.length > 0) ctx.addIssue({ code: 'custom', message: 'goes with "duration" only: remove it', path: ['unit'] });
    if (c.offset !== undefined && c.untilAttribute === undefined) ctx.addIssue({ code: 'custom', message: 'shifts "untilAttribute" only: remove it, or wait "untilAttribute"', path: ['offset'] });
    if (c.duration !== undefined && c.unit !== undefined && durationToMs(c.duration, c.unit) > MAX_WAIT_MS) {
      ctx.addIssue({ code: 'custom', message: 'a wait may last at most 365 days', path: ['duration'] });
    }
  })
  // The refinement's rules that JSON Schema can say, for editors (src/model/json-schema.ts).
  .meta({
    oneOf: WAIT_FORMS.map((form) => ({ required: [form] })),
    dependentRequired: { duration: ['unit'], unit: ['duration'], offset: ['untilAttribute'] },
    ...durationBoundJsonSchema(MAX_WAIT_MS),
  });

export const waitStepSchema = z.strictObject({ ...stepBase, type: z.literal('wait'), config: waitConfigSchema });

type WaitConfig = StepOf<'wait'>['config'];

/** A wait's window as written. */
export type WaitWindow = NonNullable<WaitConfig['window']>;

/** What a valid wait's config waits for. */
export type WaitForm =
  | { readonly form: 'duration'; readonly ms: number }
  | { readonly form: 'until'; readonly at: number }
  | { readonly form: 'untilAttribute'; readonly attribute: string; readonly offset?: { readonly duration: number; readonly unit: WaitUnit } };

/** The form of a parsed (so valid) wait config. */
export function waitForm(config: WaitConfig): WaitForm {
  if (config.until !== undefined) return { form: 'until', at: parseIsoInstant(config.until)! };
  if (config.untilAttribute !== undefined) {
    return config.offset === undefined ? { form: 'untilAttribute', attribute: config.untilAttribute } : { form: 'untilAttribute', attribute: config.untilAttribute, offset: config.offset };
  }
  return { form: 'duration', ms: durationToMs(config.duration!, config.unit!) };
}

/** The zone a window is read in as written: `timeZone`, else `fallbackTimeZone`, else `UTC`. */
export function windowZoneName(window: WaitWindow): string {
  return window.timeZone ?? window.fallbackTimeZone ?? 'UTC';
}

const DAY_LABELS: Readonly<Record<string, string>> = { sun: 'Sun', mon: 'Mon', tue: 'Tue', wed: 'Wed', thu: 'Thu', fri: 'Fri', sat: 'Sat' };
const WEEK_ORDER = ['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'];

/** `Mon–Fri`, `Sat, Sun`, `Mon, Wed–Fri`, `every day`. */
function daysText(days: readonly string[]): string {
  const set = new Set(days);
  if (set.size === 7) return 'every day';
  const runs: string[] = [];
  for (let i = 0; i < 7; i++) {
    if (!set.has(WEEK_ORDER[i]!)) continue;
    let j = i;
    while (j + 1 < 7 && set.has(WEEK_ORDER[j + 1]!)) j++;
    const [a, b] = [DAY_LABELS[WEEK_ORDER[i]!]!, DAY_LABELS[WEEK_ORDER[j]!]!];
    runs.push(j === i ? a : j === i + 1 ? `${a}, ${b}` : `${a}–${b}`);
    i = j;
  }
  return runs.join(', ');
}

/** An instant as ISO 8601 text in UTC (pure: formats the given instant, reads no clock). */
export function isoInstant(at: number): string {
  return new Date(at).toISOString();
}

/** `2026-12-24 09:00 UTC` (seconds only when written). */
function instantText(at: number): string {
  const iso = isoInstant(at);
  const time = iso.slice(17, 23) === '00.000' ? iso.slice(11, 16) : iso.slice(11, 19);
  return `${iso.slice(0, 10)} ${time} UTC`;
}

/** The diagram's words for a wait: `wait 1 days · Mon–Fri 09:00–17:00 customer.timezone`. */
export function waitSummary(config: WaitConfig): string {
  const form = waitForm(config);
  const head =
    form.form === 'duration'
      ? `wait ${String(config.duration)} ${String(config.unit)}`
      : form.form === 'until'
        ? `wait until ${instantText(form.at)}`
        : `wait until customer.${form.attribute}${form.offset === undefined ? '' : ` ${form.offset.duration < 0 ? '−' : '+'} ${String(Math.abs(form.offset.duration))} ${form.offset.unit}`}`;
  const w = config.window;
  return w === undefined ? head : `${head} · ${daysText(w.days)} ${w.from}–${w.to} ${windowZoneName(w)}`;
}

/** What a wait step is. */
export const waitKind: StepKindModel<'wait'> = {
  type: 'wait',
  schema: waitStepSchema,
  diagramShape: ['([', '])'],
  timeline: { holding: 'waiting', completed: 'waited' },
  ...endsByNormalTransition,
  ...noExpressions,
  holdMs(step) {
    const form = waitForm(step.config);
    const extra = step.config.window === undefined ? 0 : MAX_WINDOW_DELAY_MS;
    // A calendar instant may be now or already past (0), or as late as the longest wait.
    if (form.form !== 'duration') return { min: 0, max: MAX_WAIT_MS };
    return { min: form.ms, max: form.ms + extra };
  },
  summary: (step) => waitSummary(step.config),
  check(step, { now }) {
    if (now === undefined || step.config.until === undefined) return [];
    const at = parseIsoInstant(step.config.until)!;
    if (at >= now) return [];
    return [
      {
        code: 'until-in-the-past',
        message: `Wait "${step.id}" waits until ${step.config.until}, which has already passed: customers continue at once. Set a later instant, or remove the wait.`,
        path: ['config', 'until'],
      },
    ];
  },
};
