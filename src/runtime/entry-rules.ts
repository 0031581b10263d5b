/**
 * The entry rules: whether a customer may enter a journey now, rule by rule. One evaluation
 * serves both enrolling (`enroll`, `ingestEvent`: stop at the first rule that fails, its reason
 * is the skip reason) and explaining (`explainEntry`: every rule, passed or not), so the two can
 * never disagree.
 */
import { MS_PER_DAY } from '../model/duration.js';
import { JourneyError } from '../model/errors.js';
import { checkId } from '../model/ids.js';
import type { JsonValue } from '../model/schema.js';
import type { EventTrigger, JourneyRecord } from '../model/types.js';
import type { EngineContext } from './context.js';
import { checkFields } from './input-checks.js';
import { requireJourney } from './journeys.js';
import type { Enrollment } from './types.js';
import type { EntryHistory } from './ports.js';
import { loadCustomer } from './worker.js';

/** Why a customer was not enrolled (`enroll`, `ingestEvent`), or why they could not enter now (`explainEntry`). */
export type SkipReason =
  | 'already-enrolled'
  | 'duplicate-in-request'
  | 'not-in-segment'
  | 'too-soon'
  | 'manual-disabled'
  | 're-entry-never'
  | 're-entry-too-soon'
  /** Only in `explainEntry` answers: `enroll` refuses the whole call with `journey-not-active`, `ingestEvent` only considers active journeys. */
  | 'journey-not-active'
  /** Only in `explainEntry` answers (`via: 'event'`): the journey has no event trigger, so no event enrolls anyone. */
  | 'no-event-trigger';

/** How a customer comes in: enrolled by the host (`manual`) or by an ingested event that matched a trigger. */
export const ENTRY_VIAS = ['manual', 'event'] as const;
/** One of {@link ENTRY_VIAS}. */
export type EntryVia = (typeof ENTRY_VIAS)[number];

/** The entry rules, in the order they are checked. */
export const ENTRY_RULES = [
  'journey-active',
  'manual-enrollment',
  'event-trigger',
  'segments',
  'already-enrolled',
  'min-days-since-last-journey',
  're-entry',
  're-entry-after-days',
] as const;

/** One of {@link ENTRY_RULES}. `manual-enrollment` is checked for `via: 'manual'`, `event-trigger` for `via: 'event'`. */
export type EntryRule = (typeof ENTRY_RULES)[number];

/**
 * One rule's verdict. `not-applicable`: the journey sets no such condition (or it cannot apply);
 * it does not hold the customer back.
 */
export interface EntryRuleResult {
  readonly rule: EntryRule;
  readonly status: 'passed' | 'failed' | 'not-applicable';
  /** `false` only when `status` is `failed`. */
  readonly passed: boolean;
  /** What was checked and what was found, for a person to read. */
  readonly message: string;
  /** When failed: the skip reason `enroll` / `ingestEvent` report for it. */
  readonly reason?: SkipReason;
  /** The figures behind the verdict (days since, days required, …); instants are ISO-8601 strings. */
  readonly details?: Readonly<Record<string, JsonValue>>;
}

/**
 * The answer to `explainEntry`: whether the customer could enter the journey now and, rule by
 * rule, why not. `canEnter` is exactly whether `enroll` (or, with `via: 'event'`, a matching
 * event) would enroll the customer at `checkedAt`; `reason` is then the skip reason it would give.
 */
export interface EntryExplanation {
  readonly journeyId: string;
  readonly customerId: string;
  readonly via: EntryVia;
  readonly canEnter: boolean;
  /** The first failed rule's reason (the skip reason enrolling would report); absent when `canEnter`. */
  readonly reason?: SkipReason;
  /** When the rules were checked (the engine's clock), ISO-8601. */
  readonly checkedAt: string;
  /** Every rule that applies to `via`, in the order they are checked. */
  readonly rules: readonly EntryRuleResult[];
}

/** How a customer comes in: by hand, or by an event (with the trigger it matched, when there is one). */
export type EntryPath = { readonly via: 'manual' } | { readonly via: 'event'; readonly trigger?: EventTrigger };

/** What one evaluation found: the rules checked, the first failure, and the instant they were checked at. */
export interface EntryCheck {
  readonly now: number;
  readonly rules: readonly EntryRuleResult[];
  readonly failed: EntryRuleResult | undefined;
}

/**
 * Most enrollments of one customer in one journey read to find the latest one that ended. They
 * never overlap (at most one is active at a time, so each one ended before the next was
 * entered), so the latest-ended one is among the latest entered: the last page by `enteredAt`.
 */
const HISTORY_PAGE = 100;

/** What the entry rules read of storage about one customer, each fact at most once per evaluation. */
export interface EntryFacts {
  /** The customer's active enrollment in this journey, if any. */
  activeEnrollment(): Promise<{ readonly id: string; readonly enteredAt: number } | undefined>;
  /** The customer's enrollments in this journey: how many, and when the latest ended one ended. */
  journeyHistory(): Promise<{ enrollments: number; lastEndedAt: number | null }>;
  /** Whether the customer is in any journey now, and when their last one ended. */
  customerHistory(): Promise<{ readonly active: boolean; readonly lastEndedAt: number | null }>;
}

/** Facts read lazily from storage, by whichever rule needs them first. */
class StorageFacts implements EntryFacts {
  private history: Promise<{ enrollments: number; lastEndedAt: number | null }> | undefined;
  private active: Promise<Enrollment | undefined> | undefined;
  private customer: Promise<{ readonly active: boolean; readonly lastEndedAt: number | null }> | undefined;

  constructor(
    private readonly ctx: EngineContext,
    private readonly journey: JourneyRecord,
    private readonly customerId: string,
  ) {}

  activeEnrollment(): Promise<Enrollment | undefined> {
    return (this.active ??= this.ctx.storage
      .listEnrollments({ tenantId: this.journey.tenantId, journeyId: this.journey.id, customerId: this.customerId, status: 'active', limit: 1, offset: 0 })
      .then(({ items }) => items[0]));
  }

  journeyHistory(): Promise<{ enrollments: number; lastEndedAt: number | null }> {
    return (this.history ??= this.readHistory());
  }

  customerHistory(): Promise<{ readonly active: boolean; readonly lastEndedAt: number | null }> {
    return (this.customer ??= this.ctx.storage.customerHistory(this.journey.tenantId, this.customerId));
  }

  private async readHistory(): Promise<{ enrollments: number; lastEndedAt: number | null }> {
    const query = { tenantId: this.journey.tenantId, journeyId: this.journey.id, customerId: this.customerId, limit: HISTORY_PAGE };
    const first = await this.ctx.storage.listEnrollments({ ...query, offset: 0 });
    const last = first.total > first.items.length ? await this.ctx.storage.listEnrollments({ ...query, offset: Math.max(0, first.total - HISTORY_PAGE) }) : first;
    let lastEndedAt: number | null = null;
    for (const e of last.items) if (e.endedAt !== null && (lastEndedAt === null || e.endedAt > lastEndedAt)) lastEndedAt = e.endedAt;
    return { enrollments: Math.max(first.total, last.total), lastEndedAt };
  }
}

/** Facts read already, in bulk (`Storage.entryHistories`): no storage call per customer. */
export function factsOf(history: EntryHistory): EntryFacts {
  const active = history.journey.active ?? undefined;
  return {
    activeEnrollment: () => Promise.resolve(active),
    journeyHistory: () => Promise.resolve({ enrollments: history.journey.enrollments, lastEndedAt: history.journey.lastEndedAt }),
    customerHistory: () => Promise.resolve({ active: history.active, lastEndedAt: history.lastEndedAt }),
  };
}

/** Whether the journey has an entry rule that reads the customer's history (beyond the write's own duplicate check). */
export function readsHistory(journey: JourneyRecord): boolean {
  const c = journey.entryConditions;
  return (c.minDaysSinceLastJourney ?? 0) > 0 || c.reEntry === 'never' || (c.reEntryAfterDays ?? 0) > 0;
}

type Verdict = Omit<EntryRuleResult, 'rule' | 'passed'>;
type RuleCheck = (journey: JourneyRecord, facts: EntryFacts, now: number) => Verdict | Promise<Verdict>;

const pass = (message: string, details?: Record<string, JsonValue>): Verdict => ({ status: 'passed', message, ...(details ? { details } : {}) });
const notApplicable = (message: string): Verdict => ({ status: 'not-applicable', message });
const fail = (reason: SkipReason, message: string, details?: Record<string, JsonValue>): Verdict => ({ status: 'failed', reason, message, ...(details ? { details } : {}) });

const iso = (ms: number): string => new Date(ms).toISOString();
/** Days for a message, one decimal: rounded down when too few (6.99 days is "6.9", never "7.0" of 7 required). */
function daysText(days: number, required: number): string {
  return ((days < required ? Math.floor(days * 10) : Math.round(days * 10)) / 10).toFixed(1);
}

function journeyActive(journey: JourneyRecord): Verdict {
  return journey.status === 'active'
    ? pass('the journey is active')
    : fail('journey-not-active', `the journey is ${journey.status}; only active journeys enroll customers`, { status: journey.status });
}

function manualEnrollment(journey: JourneyRecord): Verdict {
  return journey.entryConditions.manual === false
    ? fail('manual-disabled', 'this journey does not allow manual enrollment (entryConditions.manual is false)')
    : pass('the journey allows manual enrollment');
}

function eventTrigger(journey: JourneyRecord, trigger: EventTrigger | undefined): Verdict {
  if (trigger) return pass(`the event matched the trigger "${trigger.type}"`, { eventType: trigger.type });
  const types = [...new Set((journey.entryConditions.events ?? []).map((t) => t.type))];
  return types.length === 0
    ? fail('no-event-trigger', 'the journey has no event trigger (entryConditions.events), so no event enrolls a customer')
    : pass(`an event of type ${types.map((t) => `"${t}"`).join(', ')} (with the trigger's properties) enrolls the customer`, { eventTypes: types });
}

async function segments(ctx: EngineContext, journey: JourneyRecord, customerId: string): Promise<Verdict> {
  const required = journey.entryConditions.segments ?? [];
  if (required.length === 0) return notApplicable('the journey sets no segment condition');
  const customer = await loadCustomer(ctx, { tenantId: journey.tenantId, customerId });
  const matched = required.filter((s) => customer.segments.includes(s));
  return matched.length > 0
    ? pass(`the customer is in segment ${matched.map((s) => `"${s}"`).join(', ')}`, { segments: [...required], matched })
    : fail('not-in-segment', `the customer is in none of the segments ${required.join(', ')}`, { segments: [...required], matched: [] });
}

/** The message of an `already-enrolled` skip (also when the storage's guard finds it at the write). */
export const ALREADY_ENROLLED = 'the customer is already in this journey';

async function alreadyEnrolled(facts: EntryFacts): Promise<Verdict> {
  const active = await facts.activeEnrollment();
  return active
    ? fail('already-enrolled', ALREADY_ENROLLED, { enrollmentId: active.id, enteredAt: iso(active.enteredAt) })
    : pass('the customer is not in this journey now');
}

async function minDaysSinceLastJourney(journey: JourneyRecord, facts: EntryFacts, now: number): Promise<Verdict> {
  const required = journey.entryConditions.minDaysSinceLastJourney;
  if (required === undefined || required === 0) return notApplicable('the journey sets no minDaysSinceLastJourney');
  const history = await facts.customerHistory();
  if (history.active) {
    const where = (await facts.activeEnrollment()) ? 'this journey' : 'another journey';
    return fail('too-soon', `the customer is in ${where} now, which counts as 0 days; this journey requires ${required} days since the last one`, { requiredDays: required, daysSince: 0 });
  }
  if (history.lastEndedAt === null) return pass('the customer has never been in a journey', { requiredDays: required, daysSince: null });
  const days = (now - history.lastEndedAt) / MS_PER_DAY;
  const details = { requiredDays: required, daysSince: days, lastEndedAt: iso(history.lastEndedAt) };
  return days < required
    ? fail('too-soon', `the customer's last journey ended ${daysText(days, required)} days ago; this journey requires ${required}`, { ...details, canEnterFrom: iso(history.lastEndedAt + required * MS_PER_DAY) })
    : pass(`the customer's last journey ended ${daysText(days, required)} days ago; this journey requires ${required}`, details);
}

async function reEntry(journey: JourneyRecord, facts: EntryFacts): Promise<Verdict> {
  if (journey.entryConditions.reEntry !== 'never') {
    return notApplicable('reEntry is "after-exit" (the default): a customer may enter again once their previous enrollment in this journey ended');
  }
  const { enrollments } = await facts.journeyHistory();
  return enrollments > 0
    ? fail('re-entry-never', `the customer was in this journey before (${enrollments} enrollment${enrollments === 1 ? '' : 's'}) and reEntry is "never"`, { enrollments })
    : pass('the customer has never been in this journey (reEntry is "never": they may enter once)', { enrollments: 0 });
}

async function reEntryAfterDays(journey: JourneyRecord, facts: EntryFacts, now: number): Promise<Verdict> {
  const required = journey.entryConditions.reEntryAfterDays;
  if (required === undefined) return notApplicable('the journey sets no reEntryAfterDays');
  if (journey.entryConditions.reEntry === 'never') return notApplicable(`reEntryAfterDays (${required}) is ignored: reEntry is "never"`);
  if (required === 0) return notApplicable('reEntryAfterDays is 0: no wait after the previous enrollment in this journey');
  const { lastEndedAt } = await facts.journeyHistory();
  if (lastEndedAt === null) return pass('no enrollment of the customer in this journey has ended', { requiredDays: required, daysSince: null });
  const days = (now - lastEndedAt) / MS_PER_DAY;
  const details = { requiredDays: required, daysSince: days, lastEndedAt: iso(lastEndedAt) };
  return days < required
    ? fail(
        're-entry-too-soon',
        `the customer's last enrollment in this journey ended ${daysText(days, required)} days ago; reEntryAfterDays requires ${required} (they may enter again from ${iso(lastEndedAt + required * MS_PER_DAY)})`,
        { ...details, canEnterFrom: iso(lastEndedAt + required * MS_PER_DAY) },
      )
    : pass(`the customer's last enrollment in this journey ended ${daysText(days, required)} days ago; reEntryAfterDays requires ${required}`, details);
}

/**
 * Check the entry rules for one customer, in {@link ENTRY_RULES} order. `until: 'all'` checks
 * every rule (explaining). `'first-failure'` (enrolling) stops at the first rule that fails, and
 * leaves `already-enrolled` to the enrollment's own write — the storage refuses a second active
 * enrollment (`createEnrollment` answers `duplicate`) — unless a later rule fails, when it is
 * checked first so that the reason is the one `'all'` gives. The rules read storage and the
 * profile lazily, each fact at most once — or from `facts` read in bulk beforehand (`enroll` of many customers).
 */
export async function checkEntry(
  ctx: EngineContext,
  journey: JourneyRecord,
  customerId: string,
  path: EntryPath,
  until: 'first-failure' | 'all',
  facts: EntryFacts = new StorageFacts(ctx, journey, customerId),
): Promise<EntryCheck> {
  const now = ctx.clock.now();
  const checks: Array<[EntryRule, RuleCheck]> = [
    ['journey-active', journeyActive],
    path.via === 'manual' ? ['manual-enrollment', manualEnrollment] : ['event-trigger', (j) => eventTrigger(j, path.trigger)],
    ['segments', (j) => segments(ctx, j, customerId)],
    ['already-enrolled', (_, f) => alreadyEnrolled(f)],
    ['min-days-since-last-journey', minDaysSinceLastJourney],
    ['re-entry', reEntry],
    ['re-entry-after-days', reEntryAfterDays],
  ];
  const rules: EntryRuleResult[] = [];
  /** A rule's result, kept in `rules`; without an await when the rule answered at once (most read no storage). */
  const runNow = (entry: [EntryRule, RuleCheck]): EntryRuleResult | Promise<EntryRuleResult> => {
    const verdict = entry[1](journey, facts, now);
    return verdict instanceof Promise ? verdict.then((v) => recorded(entry[0], v)) : recorded(entry[0], verdict);
  };
  const recorded = (rule: EntryRule, verdict: Verdict): EntryRuleResult => {
    // Built field by field in the order `{ rule, passed, ...verdict }` gave (a spread here was a slow path per rule and customer).
    const result = { rule, passed: verdict.status !== 'failed', status: verdict.status } as { -readonly [K in keyof EntryRuleResult]: EntryRuleResult[K] };
    if (verdict.reason !== undefined) result.reason = verdict.reason;
    result.message = verdict.message;
    if (verdict.details !== undefined) result.details = verdict.details;
    rules.push(result);
    return result;
  };
  let failed: EntryRuleResult | undefined;
  let deferred: [EntryRule, RuleCheck] | undefined;
  for (const entry of checks) {
    if (until === 'first-failure' && entry[0] === 'already-enrolled') {
      deferred = entry;
      continue;
    }
    const answer = runNow(entry);
    const result = answer instanceof Promise ? await answer : answer;
    if (result.passed) continue;
    failed ??= result;
    if (until === 'first-failure') {
      if (deferred) {
        const deferredAnswer = runNow(deferred);
        const earlier = deferredAnswer instanceof Promise ? await deferredAnswer : deferredAnswer;
        if (!earlier.passed) failed = earlier;
        // The deferred rule ran last: the list goes back into check order.
        rules.sort((a, b) => ENTRY_RULES.indexOf(a.rule) - ENTRY_RULES.indexOf(b.rule));
      }
      break;
    }
  }
  return { now, rules, failed };
}

const EXPLAIN_OPTION_FIELDS = ['via'] as const;

/** `engine.explainEntry`: check the inputs, then every rule. */
export async function explainEntry(ctx: EngineContext, tenantId: string, journeyId: unknown, customerId: unknown, options: unknown = {}): Promise<EntryExplanation> {
  const journeyIdChecked = checkId(journeyId, ['journeyId']);
  const customer = checkId(customerId, ['customerId']);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new JourneyError('invalid-request', "options are { via?: 'manual' | 'event' }", { path: [] });
  }
  checkFields(options, EXPLAIN_OPTION_FIELDS);
  const given = (options as { via?: unknown }).via ?? 'manual';
  if (!(ENTRY_VIAS as readonly unknown[]).includes(given)) {
    throw new JourneyError('invalid-request', `via must be one of ${ENTRY_VIAS.map((v) => `"${v}"`).join(', ')}`, { path: ['via'] });
  }
  const via = given as EntryVia;
  const journey = await requireJourney(ctx, tenantId, journeyIdChecked, ['journeyId']);
  const { now, rules, failed } = await checkEntry(ctx, journey, customer, { via }, 'all');
  return {
    journeyId: journey.id,
    customerId: customer,
    via,
    canEnter: failed === undefined,
    ...(failed?.reason ? { reason: failed.reason } : {}),
    checkedAt: iso(now),
    rules,
  };
}
