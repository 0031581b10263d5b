/**
 * Entering journeys (manual enrollment, event triggers, entry conditions) and recording
 * customer outcomes.
 */
import { JourneyError } from '../model/errors.js';
import { checkId } from '../model/ids.js';
import type { JsonValue } from '../model/schema.js';
import type { EventTrigger, JourneyRecord } from '../model/types.js';
import type { EngineContext } from './context.js';
import { ALREADY_ENROLLED, checkEntry, factsOf, readsHistory, type EntryPath, type SkipReason } from './entry-rules.js';
import { safeEmit } from './events.js';
import { plainData } from '../validate/expression/plain-data.js';
import { createEnrollment, deliver } from './interpreter.js';
import { requireJourney } from './journeys.js';
import { checkContext, checkFields, MAX_ENROLL_CONTEXT_BYTES } from './input-checks.js';
import { attributeOutcome, enrollmentWithOutcome, type OutcomeUnmatched } from './outcome-attribution.js';
import { processClaim } from './worker.js';
import type { CustomerEvent, Enrollment, ExitReason, InboxItem, OutcomeEntry } from './types.js';
import { MAX_INBOX_ITEMS } from './types.js';

export { MAX_CONTEXT_BYTES, MAX_CONTEXT_DEPTH, MAX_CONTEXT_ENTRIES, MAX_ENROLL_CONTEXT_BYTES } from './input-checks.js';

/** Most customers one `enroll` call takes. */
export const MAX_CUSTOMERS_PER_ENROLL = 1000;
const MAX_COMMIT_RETRIES = 10;

export type { SkipReason } from './entry-rules.js';

/** The answer to `enroll` (the HTTP API's `POST /journeys/:id/enroll` answers the same). */
export interface EnrollResult {
  readonly enrolled: ReadonlyArray<{ readonly customerId: string; readonly enrollmentId: string }>;
  readonly skipped: ReadonlyArray<{ readonly customerId: string; readonly reason: SkipReason; readonly message: string }>;
  /**
   * `requested` = `enrolled` + `skipped` (ids in the call, repeats included); `duplicates` counts
   * the skips for `already-enrolled` and `duplicate-in-request`.
   */
  readonly counts: { readonly requested: number; readonly enrolled: number; readonly skipped: number; readonly duplicates: number };
}

/** Who to enroll. */
export type EnrollTarget = { readonly customerId: string } | { readonly customerIds: readonly string[] };

/** An event from the host (`ingestEvent`). */
export interface IngestedEvent {
  readonly customerId: string;
  readonly type: string;
  readonly properties?: Readonly<Record<string, JsonValue>>;
  /** When it happened, epoch ms (default: now). */
  readonly at?: number;
}

/** The answer to `ingestEvent`. */
export interface IngestResult {
  /**
   * The customer's active enrollments the event was delivered to: those in journeys that wait for
   * events of this type (a `waitFor` path, a goal). Delivered before any entry below.
   */
  readonly delivered: ReadonlyArray<{ readonly journeyId: string; readonly enrollmentId: string }>;
  readonly enrolled: ReadonlyArray<{ readonly journeyId: string; readonly enrollmentId: string }>;
  readonly skipped: ReadonlyArray<{ readonly journeyId: string; readonly reason: SkipReason; readonly message: string }>;
}

/**
 * A customer response (`recordOutcome`). It lands on one enrollment: the one that sent the message
 * named by `sendKey` or `messageId`; else the customer's enrollment in `journeyId`; else the
 * active enrollment whose send came last at or before `at` (see docs/runtime.md, "Outcomes").
 */
export interface OutcomeReport {
  readonly customerId: string;
  /** The journey whose enrollment the outcome answers. */
  readonly journeyId?: string;
  /**
   * The idempotency key of the send this outcome answers (`enrollmentId:stepId:visit`, as the
   * Channels port received it in `SendRequest.idempotencyKey`).
   */
  readonly sendKey?: string;
  /** The channel's message id of the send this outcome answers (`SendReceipt.messageId`). Not with `sendKey`. */
  readonly messageId?: string;
  /** `impression`, `click`, `conversion`, … or a custom type. */
  readonly type: string;
  /** Unique per customer: a key recorded once is never recorded again for that customer. */
  readonly idempotencyKey: string;
  /** When it happened, epoch ms (default: now). */
  readonly at?: number;
}

/**
 * The answer to `recordOutcome`: exactly one of `recorded`, `duplicates` or `unmatched` says
 * what happened.
 *
 * @example
 * const r = await engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'evt_1', sendKey });
 * if (r.unmatched) log.warn(r.unmatched.reason, r.unmatched.message);
 */
export interface OutcomeResult {
  /** The enrollment the outcome was recorded on now (at most one). */
  readonly recorded: readonly string[];
  /** The enrollment that already holds this idempotency key (the outcome was recorded before). */
  readonly duplicates: readonly string[];
  /** Present when the outcome matched no enrollment and nothing was recorded: why. */
  readonly unmatched?: OutcomeUnmatched;
}

/** The fields of each input; anything else is an `unknown-field` with a did-you-mean. */
const TARGET_FIELDS = ['customerId', 'customerIds'] as const;
const ENROLL_OPTION_FIELDS = ['context'] as const;
const EVENT_FIELDS = ['customerId', 'type', 'properties', 'at'] as const satisfies ReadonlyArray<keyof IngestedEvent>;
const OUTCOME_FIELDS = ['customerId', 'journeyId', 'sendKey', 'messageId', 'type', 'idempotencyKey', 'at'] as const satisfies ReadonlyArray<keyof OutcomeReport>;
/** Compile-time: every field of the input types is listed above (a new field must be added there). */
type Unlisted = Exclude<keyof IngestedEvent, (typeof EVENT_FIELDS)[number]> | Exclude<keyof OutcomeReport, (typeof OUTCOME_FIELDS)[number]>;
const everyFieldListed: [Unlisted] extends [never] ? true : Unlisted = true;
void everyFieldListed;

function checkInstant(value: unknown, path: ReadonlyArray<string | number>): number | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== 'number' || !Number.isFinite(value)) {
    throw new JourneyError('invalid-request', 'expected an instant in epoch milliseconds', { path });
  }
  return value;
}

/** Enroll one customer if the journey's entry rules (entry-rules.ts) allow it. */
async function tryEnroll(
  ctx: EngineContext,
  journey: JourneyRecord,
  customerId: string,
  path: EntryPath,
  context: Readonly<Record<string, JsonValue>>,
): Promise<{ enrollmentId: string } | { reason: SkipReason; message: string }> {
  const { now, failed } = await checkEntry(ctx, journey, customerId, path, 'first-failure');
  if (failed) return { reason: failed.reason!, message: failed.message };
  const compiled = await ctx.journeys.get(journey.tenantId, journey.id, journey.version);
  if (!compiled) throw new JourneyError('journey-not-found', `journey ${journey.id} version ${journey.version} is missing`);
  const enrollment = createEnrollment(compiled, { id: ctx.newId('enrollment'), customerId, context }, now);
  if ((await ctx.storage.createEnrollment(enrollment)) === 'duplicate') {
    return { reason: 'already-enrolled', message: ALREADY_ENROLLED };
  }
  safeEmit(ctx.events, 'enrolled', { enrollment }, ctx.onListenerError);
  return { enrollmentId: enrollment.id };
}

type EntryAnswer = { enrollmentId: string } | { reason: SkipReason; message: string };

/**
 * Enroll distinct customers of one journey by hand, with O(1) storage calls whatever their
 * number: the entry rules' facts come from one `entryHistories` read (only when a rule needs
 * them), and the enrollments are written by one `createEnrollments` (each still refused as
 * `duplicate` on its own). A storage without those gets the single methods, customer by customer.
 */
async function enrollMany(
  ctx: EngineContext,
  journey: JourneyRecord,
  customerIds: readonly string[],
  context: Readonly<Record<string, JsonValue>>,
): Promise<Map<string, EntryAnswer>> {
  const storage = ctx.storage;
  const histories =
    readsHistory(journey) && storage.entryHistories !== undefined ? await storage.entryHistories(journey.tenantId, journey.id, customerIds) : undefined;
  const answers = new Map<string, EntryAnswer>();
  const admitted: Enrollment[] = [];
  let compiled: Awaited<ReturnType<EngineContext['journeys']['get']>> | undefined;
  for (let i = 0; i < customerIds.length; i++) {
    const customerId = customerIds[i]!;
    const facts = histories === undefined ? undefined : factsOf(histories[i]!);
    const { now, failed } = await checkEntry(ctx, journey, customerId, { via: 'manual' }, 'first-failure', facts);
    if (failed) {
      answers.set(customerId, { reason: failed.reason!, message: failed.message });
      continue;
    }
    compiled ??= await ctx.journeys.get(journey.tenantId, journey.id, journey.version);
    if (!compiled) throw new JourneyError('journey-not-found', `journey ${journey.id} version ${journey.version} is missing`);
    admitted.push(createEnrollment(compiled, { id: ctx.newId('enrollment'), customerId, context }, now));
  }
  const results =
    storage.createEnrollments !== undefined && admitted.length > 1
      ? await storage.createEnrollments(admitted.map((enrollment) => ({ enrollment })))
      : await mapInOrder(admitted, (enrollment) => storage.createEnrollment(enrollment));
  admitted.forEach((enrollment, i) => {
    if (results[i] === 'duplicate') {
      answers.set(enrollment.customerId, { reason: 'already-enrolled', message: ALREADY_ENROLLED });
      return;
    }
    answers.set(enrollment.customerId, { enrollmentId: enrollment.id });
    safeEmit(ctx.events, 'enrolled', { enrollment }, ctx.onListenerError);
  });
  return answers;
}

/** `fn` over `items`, one after another. */
async function mapInOrder<T, R>(items: readonly T[], fn: (item: T) => Promise<R>): Promise<R[]> {
  const out: R[] = [];
  for (const item of items) out.push(await fn(item));
  return out;
}

function requireActive(journey: JourneyRecord): void {
  if (journey.status !== 'active') {
    throw new JourneyError('journey-not-active', `journey "${journey.id}" is ${journey.status}; only active journeys enroll customers`, { path: [] });
  }
}

export async function enroll(
  ctx: EngineContext,
  tenantId: string,
  journeyId: string,
  target: unknown,
  options: unknown = {},
): Promise<EnrollResult> {
  checkId(journeyId, ['journeyId']);
  if (target === null || typeof target !== 'object' || Array.isArray(target)) {
    throw new JourneyError('invalid-request', 'give { customerId } or { customerIds: [...] }', { path: [] });
  }
  checkFields(target, TARGET_FIELDS);
  if (options === null || typeof options !== 'object' || Array.isArray(options)) {
    throw new JourneyError('invalid-request', 'options are { context? }', { path: [] });
  }
  checkFields(options, ENROLL_OPTION_FIELDS);
  const rawContext = (options as { context?: unknown }).context ?? {};
  const t = target as { customerId?: unknown; customerIds?: unknown };
  let ids: string[];
  if (t.customerIds !== undefined) {
    if (t.customerId !== undefined) throw new JourneyError('invalid-request', 'give customerId or customerIds, not both', { path: ['customerId'] });
    if (!Array.isArray(t.customerIds) || t.customerIds.length === 0) {
      throw new JourneyError('invalid-request', 'customerIds must be a non-empty array of customer ids', { path: ['customerIds'] });
    }
    if (t.customerIds.length > MAX_CUSTOMERS_PER_ENROLL) {
      throw new JourneyError('too-many-customers', `at most ${MAX_CUSTOMERS_PER_ENROLL} customers per call; got ${t.customerIds.length}`, { path: ['customerIds'] });
    }
    ids = t.customerIds.map((id, i) => checkId(id, ['customerIds', i]));
  } else {
    ids = [checkId(t.customerId, ['customerId'])];
  }
  const contextBytes = checkContext(rawContext, ['context']);
  const customers = new Set(ids).size;
  if (customers * contextBytes > MAX_ENROLL_CONTEXT_BYTES) {
    throw new JourneyError(
      'context-too-large',
      `${customers} customers × ${contextBytes} bytes of context is more than the ${MAX_ENROLL_CONTEXT_BYTES} bytes one call may write; send fewer customers per call or a smaller context`,
      { path: ['context'], details: { limit: MAX_ENROLL_CONTEXT_BYTES, customers, bytes: contextBytes } },
    );
  }
  const context = plainData(rawContext) as Readonly<Record<string, JsonValue>>;
  const journey = await requireJourney(ctx, tenantId, journeyId, ['journeyId']);
  requireActive(journey);

  // In bulk: the rules' storage facts in one read, the enrollments in one write (see enrollMany).
  const answers = await enrollMany(ctx, journey, [...new Set(ids)], context);
  const enrolled: Array<{ customerId: string; enrollmentId: string }> = [];
  const skipped: Array<{ customerId: string; reason: SkipReason; message: string }> = [];
  const seen = new Set<string>();
  for (const customerId of ids) {
    if (seen.has(customerId)) {
      skipped.push({ customerId, reason: 'duplicate-in-request', message: 'this customer id appears earlier in the request' });
      continue;
    }
    seen.add(customerId);
    const result = answers.get(customerId)!;
    if ('enrollmentId' in result) enrolled.push({ customerId, enrollmentId: result.enrollmentId });
    else skipped.push({ customerId, ...result });
  }
  const duplicates = skipped.filter((s) => s.reason === 'already-enrolled' || s.reason === 'duplicate-in-request').length;
  return { enrolled, skipped, counts: { requested: ids.length, enrolled: enrolled.length, skipped: skipped.length, duplicates } };
}

function matches(trigger: EventTrigger, event: IngestedEvent): boolean {
  if (trigger.type !== event.type) return false;
  if (!trigger.properties) return true;
  const props = event.properties ?? {};
  for (const [key, value] of Object.entries(trigger.properties)) {
    if (!Object.hasOwn(props, key) || props[key] !== value) return false;
  }
  return true;
}

export async function ingestEvent(ctx: EngineContext, tenantId: string, event: unknown): Promise<IngestResult> {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new JourneyError('invalid-request', 'an event is { customerId, type, properties?, at? }', { path: [] });
  }
  checkFields(event, EVENT_FIELDS);
  const e = event as Record<string, unknown>;
  const customerId = checkId(e['customerId'], ['customerId']);
  const type = checkId(e['type'], ['type']);
  const at = checkInstant(e['at'], ['at']);
  const properties = e['properties'];
  if (properties !== undefined && (properties === null || typeof properties !== 'object' || Array.isArray(properties))) {
    throw new JourneyError('invalid-request', 'properties must be an object', { path: ['properties'] });
  }
  // The properties become every matching enrollment's context: the same bounds apply (an accessor
  // is refused, never called), and the data-only copy is what triggers match on and expressions read.
  if (properties !== undefined) checkContext(properties, ['properties']);
  const props = properties === undefined ? undefined : ((plainData(properties) ?? {}) as Record<string, JsonValue>);
  const ingested: IngestedEvent = { customerId, type, ...(props ? { properties: props } : {}), ...(at === undefined ? {} : { at }) };
  const when = at ?? ctx.clock.now();
  const customerEvent: CustomerEvent = { type, properties: (ingested.properties ?? {}) as Record<string, JsonValue>, at: when };
  const { triggered, listeners } = await ctx.triggers.forEvent(tenantId, type);
  const delivered = await deliverEvent(ctx, tenantId, customerId, customerEvent, listeners);
  const enrolled: Array<{ journeyId: string; enrollmentId: string }> = [];
  const skipped: Array<{ journeyId: string; reason: SkipReason; message: string }> = [];
  // Only the active journeys with a trigger on this event type (indexed per tenant, see TriggerIndex).
  for (const journey of triggered) {
    const trigger = (journey.entryConditions.events ?? []).find((t) => matches(t, ingested));
    if (!trigger) continue;
    const context: Record<string, JsonValue> = { event: { type, properties: (ingested.properties ?? {}) as JsonValue, at: when } };
    const result = await tryEnroll(ctx, journey, customerId, { via: 'event', trigger }, context);
    if ('enrollmentId' in result) enrolled.push({ journeyId: journey.id, enrollmentId: result.enrollmentId });
    else skipped.push({ journeyId: journey.id, ...result });
  }
  return { delivered, enrolled, skipped };
}

/** Events delivered by this process, for unique inbox keys (an event has no host key). */
let eventSerial = 0;

/**
 * Deliver an event to the customer's active enrollments in journeys that wait for its type
 * (looked up in the trigger index, so an event nobody waits for costs no enrollment read).
 */
async function deliverEvent(
  ctx: EngineContext,
  tenantId: string,
  customerId: string,
  event: CustomerEvent,
  listeners: ReadonlySet<string>,
): Promise<Array<{ journeyId: string; enrollmentId: string }>> {
  if (listeners.size === 0) return [];
  const delivered: Array<{ journeyId: string; enrollmentId: string }> = [];
  const { items } = await ctx.storage.listEnrollments({ tenantId, customerId, status: 'active', limit: MAX_ACTIVE_LISTED, offset: 0 });
  for (const enrollment of items) {
    if (!listeners.has(enrollment.journeyId)) continue;
    const key = `event:${event.at}:${++eventSerial}`;
    const answer = await deliverAndApply(ctx, enrollment, (now) => ({ kind: 'event', key, receivedAt: now, event }));
    if (typeof answer !== 'string') delivered.push({ journeyId: enrollment.journeyId, enrollmentId: enrollment.id });
  }
  return delivered;
}

/** Most active enrollments of one customer an event is delivered to (a customer is in a handful of journeys at once). */
const MAX_ACTIVE_LISTED = 1000;

/**
 * The one way an input from outside reaches an enrollment: deliver it to the enrollment's inbox
 * (a commit: durable, deduplicated by the item's key, due at once), then apply it right away under
 * a claim — the worker's own path, with the customer loaded and every command the input produces
 * carried out. When another worker holds the claim, that worker applies it: its next commit
 * conflicts and it reloads, or the enrollment is due at its next claim. `outcomeKey` makes the
 * delivery commit the customer's outcome-key dedupe as well.
 *
 * Answers the enrollment as it stands after applying (or as delivered, when it could not be
 * claimed), or why nothing was delivered.
 */
async function deliverAndApply(
  ctx: EngineContext,
  start: Enrollment,
  item: (now: number) => InboxItem,
  outcomeKey?: string,
): Promise<Enrollment | 'ended' | 'duplicate'> {
  let current: Enrollment | null = start;
  for (let attempt = 0; attempt < MAX_COMMIT_RETRIES; attempt++) {
    if (current === null) return 'ended';
    const now = ctx.clock.now();
    const delivered = deliver(current, item(now), now);
    if (delivered === 'full') {
      throw new JourneyError('inbox-full', `enrollment "${current.id}" holds ${MAX_INBOX_ITEMS} inputs no worker has applied yet; run the worker and retry`, {
        path: [],
        details: { enrollmentId: current.id, limit: MAX_INBOX_ITEMS },
      });
    }
    if (delivered === 'ended' || delivered === 'duplicate') return delivered;
    const answer = await ctx.storage.commit({ enrollment: delivered, expectedVersion: current.version, now, ...(outcomeKey === undefined ? {} : { outcomeKey }) });
    if (answer === 'ok') return applyNow(ctx, delivered);
    if (answer === 'duplicate') return 'duplicate';
    if (answer === 'missing') return 'ended';
    current = await ctx.storage.getEnrollment(current.tenantId, current.id);
  }
  throw new JourneyError('concurrent-update', 'the enrollment kept changing; try again', { path: [] });
}

/** Apply a delivered inbox now, under a claim, when the storage can claim one enrollment and nobody holds it. */
async function applyNow(ctx: EngineContext, delivered: Enrollment): Promise<Enrollment> {
  const claim = await ctx.storage.claimEnrollment?.(delivered.tenantId, delivered.id, { now: ctx.clock.now(), leaseMs: ctx.leaseMs, workerId: ctx.workerId });
  if (!claim) return delivered;
  await processClaim(ctx, claim);
  return (await ctx.storage.getEnrollment(delivered.tenantId, delivered.id)) ?? delivered;
}

export async function recordOutcome(ctx: EngineContext, tenantId: string, report: unknown): Promise<OutcomeResult> {
  if (report === null || typeof report !== 'object' || Array.isArray(report)) {
    throw new JourneyError('invalid-request', 'an outcome is { customerId, type, idempotencyKey, journeyId?, sendKey?, messageId?, at? }', { path: [] });
  }
  checkFields(report, OUTCOME_FIELDS);
  const r = report as Record<string, unknown>;
  const customerId = checkId(r['customerId'], ['customerId']);
  const type = checkId(r['type'], ['type']);
  const key = checkId(r['idempotencyKey'], ['idempotencyKey']);
  const journeyId = r['journeyId'] === undefined ? undefined : checkId(r['journeyId'], ['journeyId']);
  const sendKey = r['sendKey'] === undefined ? undefined : checkId(r['sendKey'], ['sendKey']);
  const messageId = r['messageId'] === undefined ? undefined : checkId(r['messageId'], ['messageId']);
  if (sendKey !== undefined && messageId !== undefined) {
    throw new JourneyError('invalid-request', 'name the message by sendKey or by messageId, not both', { path: ['messageId'] });
  }
  const at = checkInstant(r['at'], ['at']);
  if (journeyId !== undefined) await requireJourney(ctx, tenantId, journeyId, ['journeyId']);

  const when = at ?? ctx.clock.now();
  const target = await attributeOutcome(ctx, tenantId, {
    customerId,
    at: when,
    ...(journeyId === undefined ? {} : { journeyId }),
    ...(sendKey === undefined ? {} : { sendKey }),
    ...(messageId === undefined ? {} : { messageId }),
  });
  if ('unmatched' in target) {
    // A retry of an outcome recorded before (its enrollment may have ended since) is a duplicate.
    const holder = await enrollmentWithOutcome(ctx, tenantId, customerId, key);
    return holder === undefined ? { recorded: [], duplicates: [], unmatched: target.unmatched } : { recorded: [], duplicates: [holder] };
  }
  const outcome: OutcomeEntry = { type, key, at: when, ...(target.sendKey === undefined ? {} : { sendKey: target.sendKey }) };
  const answer = await deliverAndApply(ctx, target.enrollment, (now) => ({ kind: 'outcome', key: `outcome:${key}`, receivedAt: now, outcome }), key);
  if (answer === 'duplicate' || answer === 'ended') {
    const holder = await enrollmentWithOutcome(ctx, tenantId, customerId, key);
    if (holder !== undefined || answer === 'duplicate') return { recorded: [], duplicates: [holder ?? target.enrollment.id] };
    const now = await ctx.storage.getEnrollment(tenantId, target.enrollment.id);
    return {
      recorded: [],
      duplicates: [],
      unmatched: {
        reason: 'enrollment-ended',
        message: `enrollment "${target.enrollment.id}" ${now ? `has ${now.status}` : 'is gone'}; outcomes change nothing there`,
      },
    };
  }
  safeEmit(ctx.events, 'outcome', { enrollment: answer, outcome }, ctx.onListenerError);
  return { recorded: [answer.id], duplicates: [] };
}

/** End one enrollment now (`reason` default `manual`). */
export async function exitEnrollment(ctx: EngineContext, tenantId: string, enrollmentId: string, reason: ExitReason = 'manual'): Promise<Enrollment> {
  const enrollment = await ctx.storage.getEnrollment(tenantId, checkId(enrollmentId, ['enrollmentId']));
  if (!enrollment) throw new JourneyError('enrollment-not-found', `no enrollment "${enrollmentId}"`, { path: ['enrollmentId'] });
  const answer = await deliverAndApply(ctx, enrollment, (now) => ({ kind: 'exit', key: `exit:${now}`, receivedAt: now, reason }));
  if (answer === 'ended' || answer === 'duplicate') return (await ctx.storage.getEnrollment(tenantId, enrollmentId)) ?? enrollment;
  return answer;
}
