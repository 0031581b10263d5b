/**
 * `createEngine`: the host's handle on journeys. It owns the loop; the interpreter owns the
 * semantics; the ports own the I/O.
 */
import { goalStats, type GoalStats } from './goal-stats.js';
import { JourneyError } from '../model/errors.js';
import { checkId } from '../model/ids.js';
import type { JourneyStatus } from '../model/status.js';
import { JOURNEY_STATUSES } from '../model/status.js';
import { emptyRecord, own } from '../model/own.js';
import type { JourneyRecord } from '../model/types.js';
import type { ValidationResult } from '../validate/diagnostics.js';
import { validateJourney } from '../validate/validate-journey.js';
import { DiagnosticsCache, JourneyCache, TriggerIndex, validationOptions, type EngineContext } from './context.js';
import type { CustomerSchema } from '../validate/expression/customer-schema.js';
import { isCustomerSchema } from '../validate/expression/customer-schema.js';
import {
  enroll,
  exitEnrollment,
  ingestEvent,
  recordOutcome,
  type EnrollResult,
  type EnrollTarget,
  type IngestedEvent,
  type IngestResult,
  type OutcomeReport,
  type OutcomeResult,
} from './enrollments.js';
import { explainEntry, type EntryExplanation, type EntryVia } from './entry-rules.js';
import { createEmitter, observeEmitter, type EngineEmitter } from './events.js';
import { createObserver, loadTracerProvider, type EngineLogger, type TracerProviderLike } from './observe.js';
import {
  createJourney,
  deleteJourney,
  documentOf,
  requireJourney,
  updateJourney,
  withDiagnostics,
  type CreatedJourney,
  type JourneyDetails,
  type JourneyPatch,
} from './journeys.js';
import type { Channels, Clock, DecisionFlows, Profiles, QuarantinedEnrollment, StepStats, Storage } from './ports.js';
import { guardStorage } from './storage-guard.js';
import { DEFAULT_RETRY_POLICY, type RetryPolicy } from './retry.js';
import type { Enrollment, EnrollmentStatus, ExitReason } from './types.js';
import { ENROLLMENT_STATUSES } from './types.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_IN_FLIGHT, runDue, type RunDueResult } from './worker.js';
import { parseSendPolicy, type SendPolicy } from '../model/send-policy.js';
import type { JsonValue } from '../model/schema.js';

/** What `createEngine` needs. Storage and clock are required; the effect ports are needed by the steps that use them. */
export interface EngineOptions {
  readonly storage: Storage;
  readonly clock: Clock;
  /** Needed by decide steps. */
  readonly decisions?: DecisionFlows;
  /** Needed by send steps. */
  readonly channels?: Channels;
  /** Read customers (entry segments, branch expressions) and apply update steps. Without it customers read as empty. */
  readonly profiles?: Profiles;
  /** Tenant of the engine's own methods (default `'default'`); `forTenant` gives other tenants' views. */
  readonly tenantId?: string;
  /** Retries of failing adapter calls. */
  readonly retry?: Partial<RetryPolicy>;
  /** How long a worker holds a claimed enrollment before another may take it, ms. Default 30,000. */
  readonly leaseMs?: number;
  /**
   * Claimed enrollments a worker advances together (default 100, from 1 to 1000), so also the most
   * effects in flight at once: each claim runs until its next effect or until it blocks, the
   * claims' effects run concurrently, and their commits go to storage together in one
   * transaction (`commitMany`: group commit). A lone due enrollment is committed as soon as its
   * effect returns: a batch never waits for more work. 1: one claim after another, in wake-up
   * order. See `runDue` and docs/runtime.md.
   */
  readonly inFlight?: number;
  /** Enrollments claimed per `claimDue` call (default 100, from 1 to 10,000; raised to `inFlight` when lower). */
  readonly batchSize?: number;
  /** The former name of `inFlight` (an alias: giving both with different values is an `invalid-option`). */
  readonly concurrency?: number;
  /** Names this worker in claims (default: random). */
  readonly workerId?: string;
  /** Id generator (default: `jrn_`/`enr_` + random UUID). */
  readonly newId?: (kind: 'journey' | 'enrollment') => string;
  /** Called with errors thrown by event handlers and by the background loop. */
  readonly onError?: (error: unknown) => void;
  /**
   * The customer attributes (a zod schema or a JSON Schema of `customer`). Activation then
   * type-checks every expression and `set_attribute` against it: a `type-mismatch` blocks
   * activation; `unknown-attribute` and `never-true` are warnings. See docs/validation.md.
   */
  readonly customerSchema?: CustomerSchema;
  /**
   * A pino-shaped logger (`debug/info/warn/error(obj, msg)`): structured lines for claims,
   * effects, retries, failures, deferrals, commits and lifecycle changes, with tenant, journey,
   * step and enrollment ids. No customer data (attributes, profile, context, offers, customer
   * ids) unless `logCustomerData`. A logger that throws is reported to `onError` and ignored.
   * See docs/observability.md.
   */
  readonly logger?: EngineLogger;
  /** Let log lines carry customer data (customer ids, enrollment context, profiles, offers). Default false: they may be personal data. */
  readonly logCustomerData?: boolean;
  /**
   * OpenTelemetry: the tracer provider for a span per effect and per commit. Default: the global
   * one of `@opentelemetry/api` when that optional peer is installed (nothing when it is not);
   * `false`: no spans.
   */
  readonly tracerProvider?: TracerProviderLike | false;
  /**
   * Rules for every send of every journey: quiet hours in the customer's zone, frequency caps
   * counted across journeys and workers, channel rate limits (docs/send-policies.md). A send step
   * with `bypassPolicy: true` skips them. Caps need a storage with `reserveSendSlot` (every
   * bundled adapter has it). Checked here: `invalid-option` with the path of the first problem.
   */
  readonly sendPolicy?: SendPolicy;
}

/** Per-step figures of one journey. */
export interface JourneyStats {
  readonly journeyId: string;
  /** Every step in journey order, zeros included. */
  readonly steps: ReadonlyArray<{ readonly stepId: string; readonly type: string } & StepStats>;
  /** Enrollments that finished the journey. */
  readonly completed: number;
  /** Exits by reason, over all steps. */
  readonly exited: Readonly<Record<string, number>>;
  readonly failed: number;
  /** Active enrollments now. */
  readonly active: number;
  /** Per goal of the journey: conversions, per split variant (rate, 95% interval, p-value) and last touch. Empty without goals. */
  readonly goals: readonly GoalStats[];
}

/** Query for `listEnrollments`. */
export interface EnrollmentListQuery {
  readonly journeyId?: string;
  readonly customerId?: string;
  readonly status?: EnrollmentStatus;
  readonly stepId?: string;
  readonly limit?: number;
  readonly offset?: number;
}

/** The engine's API, scoped to one tenant. */
export interface JourneyEngine {
  readonly tenantId: string;
  /** Typed events (mitt): `enrolled`, `step`, `sent`, `outcome`, `completed`, `exited`, `failed`, `retry`, `quarantined`. */
  readonly events: EngineEmitter;

  /** Save a journey (a draft may hold validation errors). Answers the seed's 201 body plus diagnostics. */
  createJourney(document: unknown): Promise<CreatedJourney>;
  getJourney(id: string): Promise<JourneyDetails | null>;
  listJourneys(query?: { status?: JourneyStatus; limit?: number; offset?: number }): Promise<{ items: JourneyRecord[]; total: number }>;
  /** Change fields under the lifecycle rules (active: name/description only; structural change while paused: new version). */
  updateJourney(id: string, patch: JourneyPatch): Promise<JourneyDetails>;
  /**
   * Delete a draft or an archived journey; an active or paused one is refused with
   * `journey-not-archived` (archive it first). The journey's enrollments are kept: `getEnrollment`
   * still answers them (ended, naming the deleted journey) and `minDaysSinceLastJourney` still
   * counts them.
   */
  deleteJourney(id: string): Promise<void>;
  /** Move through the lifecycle: activate (refused with errors), pause, resume, archive (exits everyone). */
  setStatus(id: string, status: JourneyStatus): Promise<JourneyDetails>;
  /** Validate a stored journey. */
  validate(id: string): Promise<ValidationResult>;

  /** Manual enrollment (at most 1,000 ids a call); duplicates and refusals are reported, not thrown. */
  enroll(journeyId: string, target: EnrollTarget, options?: { context?: Record<string, JsonValue> }): Promise<EnrollResult>;
  /** Enroll the customer into every active journey whose event triggers match. */
  ingestEvent(event: IngestedEvent): Promise<IngestResult>;
  /**
   * Whether the customer could enter the journey now and, rule by rule, why not (the question
   * "why didn't this customer enter?"). Every entry rule is listed in the order it is checked —
   * journey active, manual enrollment (or, with `via: 'event'`, an event trigger), segments,
   * already in this journey, `minDaysSinceLastJourney`, `reEntry`, `reEntryAfterDays` — each
   * `passed`, `failed` or `not-applicable`, with a message and the figures behind it. Changes
   * nothing. `canEnter` is exactly whether `enroll` (or a matching event, for `via: 'event'`)
   * would enroll the customer now, and `reason` the skip reason it would report.
   * `journey-not-found` for an unknown journey; ids are checked like `enroll`'s.
   *
   * @example
   * const why = await engine.explainEntry(journeyId, 'c1');
   * if (!why.canEnter) for (const r of why.rules) if (!r.passed) console.log(`${r.rule}: ${r.message}`);
   * // re-entry-after-days: the customer's last enrollment in this journey ended 3.2 days ago; reEntryAfterDays requires 30 (…)
   */
  explainEntry(journeyId: string, customerId: string, options?: { via?: EntryVia }): Promise<EntryExplanation>;
  /** Record a customer response; branch expressions read it as `outcome`. Same key twice = one outcome. */
  recordOutcome(report: OutcomeReport): Promise<OutcomeResult>;
  /** End an enrollment now. */
  exitEnrollment(enrollmentId: string, reason?: ExitReason): Promise<Enrollment>;

  getEnrollment(id: string): Promise<Enrollment | null>;
  listEnrollments(query?: EnrollmentListQuery): Promise<{ items: readonly Enrollment[]; total: number }>;
  stats(journeyId: string): Promise<JourneyStats>;

  /**
   * This tenant's quarantined enrollments: due enrollments whose stored row could not be read
   * (bad JSON, a field failing the row checks), taken out of due work so that the rest keep
   * running. Oldest quarantine first; `limit` 1..1000 (default 50).
   *
   * @example
   * engine.events.on('quarantined', (q) => log.error(`enrollment ${q.enrollmentId} quarantined: ${q.reason}`));
   * const { items } = await engine.listQuarantined();
   */
  listQuarantined(query?: { limit?: number; offset?: number }): Promise<{ items: readonly QuarantinedEnrollment[]; total: number }>;
  /**
   * Repair a quarantined enrollment: its stored row is replaced by `enrollment` (the whole
   * enrollment as it should be; same id, journey and customer, this tenant) and it is due again at
   * its `wakeAt`. Throws `invalid-request` (naming the field) when `enrollment` does not pass the
   * row checks or changes its journey or customer, and `enrollment-not-found` when it is not
   * quarantined in this tenant. Nothing is written then.
   *
   * @example
   * const [q] = (await engine.listQuarantined()).items;
   * await engine.repairEnrollment({ ...lastGoodCopy, version: lastGoodCopy.version + 1 });
   */
  repairEnrollment(enrollment: Enrollment): Promise<void>;
  /**
   * Give back to due work a quarantined enrollment whose stored row was fixed in place (with the
   * database's own client). The row must now read cleanly (else `corrupt-row`, and it stays
   * quarantined); it is due at the fixed row's `wakeAt`, else at the one it had when it was
   * quarantined. `enrollment-not-found` when it is not quarantined in this tenant.
   */
  releaseQuarantined(enrollmentId: string): Promise<void>;

  /**
   * Advance every enrollment due now (all tenants), in wake-up order. `inFlight` and `batchSize`
   * (default: the engine's; `concurrency` is the former name of `inFlight`) are how many claimed
   * enrollments are advanced together and how many are claimed at once; they start in wake-up order.
   */
  runDue(options?: { limit?: number } & WorkerOptions): Promise<RunDueResult>;
  /** Run `runDue` in the background, polling every `pollMs` when idle. */
  start(options?: { pollMs?: number }): void;
  /** Stop the background loop after the enrollment in hand is committed. */
  stop(): Promise<void>;
  /** The earliest pending wake-up, or null (useful with a virtual clock). */
  nextWakeAt(): Promise<number | null>;
  /** The same engine for another tenant. */
  forTenant(tenantId: string): JourneyEngine;
  /** Stop and close the storage. */
  close(): Promise<void>;
}

/** A random UUID from the platform's Web Crypto (Node 20+, Deno, Bun, browsers, workers). */
function randomUUID(): string {
  return globalThis.crypto.randomUUID();
}

function page(limit: unknown, offset: unknown, max = 1000): { limit: number; offset: number } {
  const l = limit === undefined ? 50 : limit;
  const o = offset === undefined ? 0 : offset;
  if (typeof l !== 'number' || !Number.isInteger(l) || l < 1 || l > max) {
    throw new JourneyError('invalid-request', `limit must be an integer from 1 to ${max}`, { path: ['limit'] });
  }
  if (typeof o !== 'number' || !Number.isInteger(o) || o < 0) {
    throw new JourneyError('invalid-request', 'offset must be an integer >= 0', { path: ['offset'] });
  }
  return { limit: l, offset: o };
}

/**
 * Create an engine.
 *
 * @example
 * import { createEngine, memoryStorage, virtualClock } from 'journey-engine';
 * import { recordingChannels, scriptedDecisions, memoryProfiles } from 'journey-engine/testing';
 * import loanNurture from 'journey-engine/examples/journeys/loan-nurture.json' with { type: 'json' };
 *
 * const clock = virtualClock('2026-03-10T09:00:00Z');
 * const engine = createEngine({ storage: memoryStorage(), clock, channels: recordingChannels(),
 *   decisions: scriptedDecisions(), profiles: memoryProfiles([{ id: 'c1', segments: ['loan_interested'] }]) });
 * const { id } = await engine.createJourney(loanNurture);
 * await engine.setStatus(id, 'active');
 * await engine.enroll(id, { customerId: 'c1' });
 * await engine.runDue();          // decide + send, then wait 3 days
 * clock.advance('3d');
 * await engine.runDue();          // branch on the outcome
 */
export function createEngine(options: EngineOptions): JourneyEngine {
  if (!options || typeof options.storage?.claimDue !== 'function') throw new JourneyError('invalid-option', 'createEngine needs a storage adapter', { path: ['storage'] });
  if (typeof options.clock?.now !== 'function') throw new JourneyError('invalid-option', 'createEngine needs a clock (systemClock() or virtualClock())', { path: ['clock'] });
  const leaseMs = options.leaseMs ?? 30_000;
  if (!Number.isFinite(leaseMs) || leaseMs <= 0) throw new JourneyError('invalid-option', 'leaseMs must be a positive number', { path: ['leaseMs'] });
  const worker = checkWorkerOptions(options, { inFlight: DEFAULT_IN_FLIGHT, batchSize: DEFAULT_BATCH_SIZE });
  if (options.logger !== undefined && (options.logger === null || typeof options.logger !== 'object')) {
    throw new JourneyError('invalid-option', 'logger must be a pino-shaped object with debug/info/warn/error(obj, msg) methods', { path: ['logger'] });
  }
  if (options.customerSchema !== undefined && !isCustomerSchema(options.customerSchema)) {
    throw new JourneyError('invalid-option', 'customerSchema must be a zod schema or a JSON Schema object', { path: ['customerSchema'] });
  }
  const sendPolicy = options.sendPolicy === undefined ? undefined : parseSendPolicy(options.sendPolicy);
  if ((sendPolicy?.caps?.length ?? 0) > 0 && typeof options.storage.reserveSendSlot !== 'function') {
    throw new JourneyError('invalid-option', 'sendPolicy.caps needs a storage that counts sends (reserveSendSlot): the bundled adapters do', { path: ['sendPolicy', 'caps'] });
  }

  // Every storage, the host's own included, through the one wrapper that keeps the port's contract.
  const storage = guardStorage(options.storage);
  const ctx: EngineContext = {
    storage,
    clock: options.clock,
    decisions: options.decisions,
    channels: options.channels,
    profiles: options.profiles,
    events: createEmitter(),
    retry: { ...DEFAULT_RETRY_POLICY, ...options.retry },
    leaseMs,
    workerId: options.workerId ?? `worker_${randomUUID()}`,
    // Built flat (`join`, not a template, which makes a rope string): ids are compared and hashed on every claim.
    newId: options.newId ?? ((kind) => [kind === 'journey' ? 'jrn' : 'enr', randomUUID().replaceAll('-', '')].join('_')),
    onListenerError: options.onError,
    journeys: new JourneyCache(storage),
    triggers: new TriggerIndex(storage),
    diagnostics: new DiagnosticsCache(),
    customerSchema: options.customerSchema,
    observer: createObserver({
      logger: options.logger,
      logCustomerData: options.logCustomerData,
      tracerProvider: options.tracerProvider === false ? undefined : options.tracerProvider,
      onError: options.onError,
    }),
    ...(sendPolicy === undefined ? {} : { sendPolicy: { policy: sendPolicy, buckets: new Map() } }),
  };
  observeEmitter(ctx.events, ctx.observer);
  // Without a tracer provider, look for @opentelemetry/api once, before the first operation.
  const tracing = options.tracerProvider === undefined ? loadTracerProvider().then((provider) => ctx.observer.setTracerProvider(provider)) : undefined;

  let ready: Promise<void> | undefined;
  const init = () => (ready ??= tracing === undefined ? ctx.storage.init() : Promise.all([ctx.storage.init(), tracing]).then(() => undefined));

  let loop: Promise<void> | undefined;
  let running = false;
  let wakeSleeper: (() => void) | undefined;

  function view(tenantId: string): JourneyEngine {
    const withInit = <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
      async (...args: A): Promise<R> => {
        await init();
        return fn(...args);
      };

    const engine: JourneyEngine = {
      tenantId,
      events: ctx.events,
      createJourney: withInit((document: unknown) => createJourney(ctx, tenantId, document)),
      getJourney: withInit(async (id: string) => {
        const record = typeof id === 'string' ? await ctx.storage.getJourney(tenantId, checkId(id, ['journeyId'])) : null;
        return record ? withDiagnostics(ctx, record) : null;
      }),
      listJourneys: withInit(async (query: { status?: JourneyStatus; limit?: number; offset?: number } = {}) => {
        if (query.status !== undefined && !(JOURNEY_STATUSES as readonly string[]).includes(query.status)) {
          throw new JourneyError('invalid-request', `status must be one of ${JOURNEY_STATUSES.join(', ')}`, { path: ['status'] });
        }
        const result = await ctx.storage.listJourneys(tenantId, { ...(query.status ? { status: query.status } : {}), ...page(query.limit, query.offset) });
        return { items: [...result.items], total: result.total };
      }),
      updateJourney: withInit((id: string, patch: JourneyPatch) => updateJourney(ctx, tenantId, id, patch)),
      deleteJourney: withInit((id: string) => deleteJourney(ctx, tenantId, id)),
      setStatus: withInit((id: string, status: JourneyStatus) => updateJourney(ctx, tenantId, id, { status })),
      validate: withInit(async (id: string) => validateJourney(documentOf(await requireJourney(ctx, tenantId, id, ['id'])), validationOptions(ctx))),

      enroll: withInit((journeyId: string, target: EnrollTarget, opts: { context?: Record<string, JsonValue> } = {}) =>
        enroll(ctx, tenantId, journeyId, target, opts)),
      ingestEvent: withInit((event: IngestedEvent) => ingestEvent(ctx, tenantId, event)),
      explainEntry: withInit((journeyId: string, customerId: string, opts: { via?: EntryVia } = {}) => explainEntry(ctx, tenantId, journeyId, customerId, opts)),
      recordOutcome: withInit((report: OutcomeReport) => recordOutcome(ctx, tenantId, report)),
      exitEnrollment: withInit((id: string, reason?: ExitReason) => exitEnrollment(ctx, tenantId, id, reason)),

      getEnrollment: withInit((id: string) => (typeof id === 'string' ? ctx.storage.getEnrollment(tenantId, checkId(id, ['enrollmentId'])) : Promise.resolve(null))),
      listEnrollments: withInit(async (query: EnrollmentListQuery = {}) => {
        if (query.status !== undefined && !(ENROLLMENT_STATUSES as readonly string[]).includes(query.status)) {
          throw new JourneyError('invalid-request', `status must be one of ${ENROLLMENT_STATUSES.join(', ')}`, { path: ['status'] });
        }
        for (const field of ['journeyId', 'customerId', 'stepId'] as const) if (query[field] !== undefined) checkId(query[field], [field]);
        const result = await ctx.storage.listEnrollments({
          tenantId,
          ...(query.journeyId === undefined ? {} : { journeyId: query.journeyId }),
          ...(query.customerId === undefined ? {} : { customerId: query.customerId }),
          ...(query.status === undefined ? {} : { status: query.status }),
          ...(query.stepId === undefined ? {} : { stepId: query.stepId }),
          ...page(query.limit, query.offset),
        });
        return { items: result.items, total: result.total };
      }),
      stats: withInit(async (journeyId: string) => journeyStats(ctx, tenantId, await requireJourney(ctx, tenantId, journeyId, ['journeyId']))),
      listQuarantined: withInit(async (query: { limit?: number; offset?: number } = {}) => {
        const result = await ctx.storage.listQuarantined(tenantId, page(query.limit, query.offset));
        return { items: result.items, total: result.total };
      }),
      repairEnrollment: withInit(async (enrollment: Enrollment) => {
        if (enrollment === null || typeof enrollment !== 'object' || typeof enrollment.id !== 'string') {
          throw new JourneyError('invalid-request', 'give the whole enrollment as it should be', { path: ['enrollment'] });
        }
        if (enrollment.tenantId !== tenantId) {
          throw new JourneyError('invalid-request', `the enrollment belongs to tenant ${String(enrollment.tenantId)}, not ${tenantId}`, { path: ['enrollment', 'tenantId'] });
        }
        if ((await ctx.storage.repairEnrollment(enrollment)) === 'missing') {
          throw new JourneyError('enrollment-not-found', `no quarantined enrollment "${enrollment.id}"`, { path: ['enrollment', 'id'] });
        }
      }),
      releaseQuarantined: withInit(async (enrollmentId: string) => {
        if (typeof enrollmentId !== 'string' || (await ctx.storage.releaseQuarantined(tenantId, enrollmentId)) === 'missing') {
          throw new JourneyError('enrollment-not-found', `no quarantined enrollment "${String(enrollmentId)}"`, { path: ['enrollmentId'] });
        }
      }),

      runDue: withInit((opts: { limit?: number } & WorkerOptions = {}) =>
        runDue(ctx, { ...(opts.limit === undefined ? {} : { limit: opts.limit }), ...checkWorkerOptions(opts ?? {}, worker) })),
      start(opts = {}) {
        if (running) return;
        running = true;
        const pollMs = opts.pollMs ?? 1000;
        loop = (async () => {
          await init();
          while (running) {
            let processed = 0;
            try {
              processed = (await runDue(ctx, { limit: 1000, ...worker })).processed;
            } catch (error) {
              options.onError?.(error);
            }
            if (processed === 0 && running) {
              await new Promise<void>((resolve) => {
                const timer = setTimeout(resolve, pollMs);
                wakeSleeper = () => {
                  clearTimeout(timer);
                  resolve();
                };
              });
              wakeSleeper = undefined;
            }
          }
        })();
      },
      async stop() {
        running = false;
        wakeSleeper?.();
        await loop;
        loop = undefined;
      },
      nextWakeAt: withInit(() => ctx.storage.nextWakeAt()),
      forTenant: (other: string) => {
        return view(checkId(other, ['tenantId']));
      },
      async close() {
        await engine.stop();
        await ctx.storage.close();
      },
    };
    return engine;
  }

  return view(options.tenantId ?? 'default');
}

/** The worker's batch options (engine-wide or per `runDue` call). */
export interface WorkerOptions {
  /** See {@link EngineOptions.inFlight}. */
  readonly inFlight?: number;
  /** See {@link EngineOptions.batchSize}. */
  readonly batchSize?: number;
  /** The former name of `inFlight`. */
  readonly concurrency?: number;
}

/** `inFlight` and `batchSize` checked (`invalid-option` naming the option), each defaulting to `defaults`'. */
function checkWorkerOptions(options: WorkerOptions, defaults: { readonly inFlight: number; readonly batchSize: number }): { inFlight: number; batchSize: number } {
  const inFlight = options.inFlight === undefined ? undefined : checkCount(options.inFlight, 'inFlight', 1000);
  const alias = options.concurrency === undefined ? undefined : checkCount(options.concurrency, 'concurrency', 1000);
  if (inFlight !== undefined && alias !== undefined && inFlight !== alias) {
    throw new JourneyError('invalid-option', `concurrency is the former name of inFlight: give one of them (got inFlight ${inFlight}, concurrency ${alias})`, { path: ['concurrency'] });
  }
  return {
    inFlight: inFlight ?? alias ?? defaults.inFlight,
    batchSize: options.batchSize === undefined ? defaults.batchSize : checkCount(options.batchSize, 'batchSize', 10_000),
  };
}

function checkCount(value: unknown, name: string, max: number): number {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < 1 || value > max) {
    throw new JourneyError('invalid-option', `${name} must be an integer from 1 to ${max.toLocaleString('en-US')}`, { path: [name] });
  }
  return value;
}

async function journeyStats(ctx: EngineContext, tenantId: string, journey: JourneyRecord): Promise<JourneyStats> {
  const raw = await ctx.storage.stats(tenantId, journey.id);
  const zero: StepStats = { entered: 0, completed: 0, skipped: {}, current: 0, exited: {}, failed: 0, noted: {} };
  const exited = emptyRecord<number>();
  let failed = 0;
  let active = 0;
  for (const stats of Object.values(raw)) {
    for (const [reason, n] of Object.entries(stats.exited)) exited[reason] = (exited[reason] ?? 0) + n;
    failed += stats.failed;
    active += stats.current;
  }
  const completed = own(raw, '$journey')?.completed ?? 0;
  let exits = 0;
  for (const n of Object.values(exited)) exits += n;
  return {
    journeyId: journey.id,
    steps: journey.steps.map((step) => ({ stepId: step.id, type: step.type, ...zero, ...own(raw, step.id) })),
    completed,
    exited,
    failed,
    active,
    goals: goalStats(journey, raw, completed + exits + failed + active),
  };
}
