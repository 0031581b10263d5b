/**
 * The seed's "test with a sample customer": run one customer through a journey on a virtual
 * clock, with scripted decisions and outcomes, and read back the timeline.
 */
import { memoryStorage } from '../adapters/memory/index.js';
import { virtualClock } from '../adapters/clock/virtual-clock.js';
import { memoryProfiles, type ProfileSeed } from '../adapters/testing/memory-profiles.js';
import { recordingChannels } from '../adapters/testing/recording-channels.js';
import { scriptedDecisions, type DecisionScript } from '../adapters/testing/scripted-decisions.js';
import { parseDuration } from '../model/duration.js';
import { JourneyError } from '../model/errors.js';
import { own } from '../model/own.js';
import type { JsonValue } from '../model/schema.js';
import { STEP_KINDS, type StepKindModel } from '../model/steps/index.js';
import type { StepType } from '../model/types.js';
import { createEngine } from '../runtime/engine.js';
import { YIELD_EVERY, yieldToEventLoop } from '../runtime/yield.js';
import type { DecisionFlows } from '../runtime/ports.js';
import type { SendPolicy } from '../model/send-policy.js';
import type { EnrollmentStatus, ExitReason, StepEvent } from '../runtime/types.js';
import { closestKey } from '../validate/closest-key.js';
import { validateJourney } from '../validate/validate-journey.js';

/** A scripted customer response: after a step completes, or at an instant. */
export type SimulatedOutcome =
  | { readonly afterStepId: string; readonly type: string; readonly visit?: number }
  | {
      /** Epoch ms, an ISO-8601 string, or a duration after the start such as `'2d'`. */
      readonly at: number | string;
      readonly type: string;
    };

/** A scripted customer event (`ingestEvent`): after a step completes, or at an instant. */
export type SimulatedEvent = (
  | { readonly afterStepId: string; readonly visit?: number }
  | {
      /** Epoch ms, an ISO-8601 string, or a duration after the start such as `'2d'`. */
      readonly at: number | string;
    }
) & { readonly type: string; readonly properties?: Readonly<Record<string, JsonValue>> };

/** Options for {@link simulate}. */
export interface SimulateOptions {
  /** The sample customer (default: id `sample-customer`, no attributes, no segments). */
  readonly customer?: Partial<ProfileSeed>;
  readonly outcomes?: readonly SimulatedOutcome[];
  /** Scripted events the customer does (a `waitFor` path or a goal may be waiting for them). */
  readonly events?: readonly SimulatedEvent[];
  /** Offers per decision flow id, or a DecisionFlows port. Default: one offer `<flowId>:offer`. */
  readonly decisions?: Readonly<Record<string, DecisionScript>> | DecisionFlows;
  /** When the customer enters (epoch ms or ISO-8601). Default 2026-01-01T00:00:00Z. */
  readonly start?: number | string;
  /** Check entry conditions (segments) and report a refusal instead of running. Default false. */
  readonly checkEntry?: boolean;
  /** Data the enrollment enters with (e.g. an event). */
  readonly context?: Record<string, JsonValue>;
  /**
   * The journey's id in the run (default `jrn_sim_1`). Pass the stored journey's id to see what
   * depends on it as it really is: a split assigns by (journey id, step id, customer id, salt).
   */
  readonly journeyId?: string;
  /**
   * The host's send policy (quiet hours, caps, rate limits), applied as the engine applies it:
   * a held-back send shows as a `deferred` line (`detail.reason`, `detail.until`), a capped send
   * with `onCapped: 'skip'` as `skipped` (`detail.skipped: 'cap'`). See docs/send-policies.md.
   */
  readonly sendPolicy?: SendPolicy;
}

/** One line of a simulated timeline. */
export interface TimelineEntry {
  /** ISO-8601 instant. */
  readonly at: string;
  readonly stepId: string | null;
  /**
   * `entered`, `decided`, `sent`, `skipped`, `updated`, `waiting`, `waited`, `branched`,
   * `deferred` (the send policy held a send back: `detail.reason`, `detail.until`),
   * `outcome`, `outcome-unmatched` (a scripted outcome that found no enrollment, e.g. after the
   * customer left; `detail.reason`), `event` (a scripted event; `detail.delivered`: whether a
   * step or goal of the journey was waiting for it), `noted` (something a step counted: a split's
   * variant, a time-zone fallback, a goal conversion; `detail.note`), `completed`, `exited`, `failed`, `retry`,
   * and each kind's own words (`waiting for`, `received`, …).
   */
  readonly type: string;
  readonly detail?: Readonly<Record<string, unknown>>;
}

/** What {@link simulate} returns. */
export interface SimulationResult {
  readonly status: EnrollmentStatus | 'not-enrolled';
  readonly exitReason: ExitReason | null;
  readonly timeline: readonly TimelineEntry[];
  /** Why the customer was not enrolled, when `checkEntry` refused them. */
  readonly refusal?: { readonly reason: string; readonly message: string };
}

const MAX_ITERATIONS = 100_000;

function isDecisionFlows(value: unknown): value is DecisionFlows {
  return typeof (value as DecisionFlows | undefined)?.decide === 'function';
}

/**
 * Run one sample customer through a journey document on a virtual clock.
 *
 * @throws JourneyError `invalid-journey` (with `details.diagnostics`) when the journey has errors;
 *   `unknown-step` (path `outcomes[i].afterStepId`, with a "did you mean") when an outcome names a
 *   step the journey does not have.
 * @example
 * import loanNurture from 'journey-engine/examples/journeys/loan-nurture.json' with { type: 'json' };
 *
 * const result = await simulate(loanNurture, {
 *   customer: { id: 'c1', segments: ['loan_interested'] },
 *   outcomes: [{ afterStepId: 'step_send_email', type: 'click' }],
 * });
 * result.timeline.map((t) => `${t.at} ${t.stepId} ${t.type}`);
 */
export async function simulate(journey: unknown, options: SimulateOptions = {}): Promise<SimulationResult> {
  const validation = validateJourney(journey);
  if (!validation.valid || !validation.journey) {
    throw new JourneyError('invalid-journey', 'the journey has errors; fix them before simulating', {
      details: { diagnostics: validation.diagnostics },
      path: validation.diagnostics.find((d) => d.severity === 'error')?.path ?? [],
    });
  }
  const clock = virtualClock(options.start ?? Date.UTC(2026, 0, 1));
  const startAt = clock.now();
  const customerId = options.customer?.id ?? 'sample-customer';
  const profiles = memoryProfiles([{ id: customerId, attributes: options.customer?.attributes ?? {}, segments: options.customer?.segments ?? [] }]);
  const decisions = isDecisionFlows(options.decisions) ? options.decisions : scriptedDecisions((options.decisions as Record<string, DecisionScript> | undefined) ?? {});
  const storage = memoryStorage();
  let counter = 0;
  const engine = createEngine({
    storage,
    clock,
    decisions,
    channels: recordingChannels(),
    profiles,
    newId: (kind) => `${kind === 'journey' ? 'jrn' : 'enr'}_sim_${++counter}`,
    retry: { maxAttempts: 3, initialDelayMs: 60_000 },
    ...(options.sendPolicy === undefined ? {} : { sendPolicy: options.sendPolicy }),
  });

  const timeline: TimelineEntry[] = [];
  const iso = (ms: number) => new Date(ms).toISOString();
  const push = (entry: TimelineEntry) => timeline.push(entry);

  // Outcomes and events at fixed instants, in time order; those after a step, queued when it completes.
  type Scripted = { readonly kind: 'outcome' | 'event'; readonly type: string; readonly properties?: Readonly<Record<string, JsonValue>> };
  const scripts: Array<{ field: 'outcomes' | 'events'; list: ReadonlyArray<SimulatedOutcome | SimulatedEvent> }> = [
    { field: 'outcomes', list: options.outcomes ?? [] },
    { field: 'events', list: options.events ?? [] },
  ];
  const scripted = (field: 'outcomes' | 'events', o: SimulatedOutcome | SimulatedEvent): Scripted => ({
    kind: field === 'outcomes' ? 'outcome' : 'event',
    type: o.type,
    ...('properties' in o && o.properties !== undefined ? { properties: o.properties } : {}),
  });
  const timed = scripts
    .flatMap(({ field, list }) =>
      list.flatMap((o, i) => ('at' in o ? [{ ...scripted(field, o), at: resolveAt(o.at, startAt, [field, i, 'at']) }] : [])),
    )
    .sort((a, b) => a.at - b.at);
  const afterStep = scripts.flatMap(({ field, list }) =>
    list.flatMap((o) => ('afterStepId' in o ? [{ ...scripted(field, o), afterStepId: o.afterStepId, visit: o.visit ?? 1 }] : [])),
  );
  for (const { field, list } of scripts) checkOutcomeSteps(list, validation.journey.steps.map((s) => s.id), field);
  const queued: Scripted[] = [];

  engine.events.on('step', ({ enrollment, event }) => {
    // A holding step is "waiting until" only when the advance left the customer held there (a
    // calendar wait whose instant has passed continues at once).
    const held = enrollment.phase === 'waiting' && 'stepId' in event && enrollment.stepId === event.stepId ? enrollment.wakeAt : null;
    push(describe(event, held, iso));
    if (event.type === 'completed') {
      for (const o of afterStep) if (o.afterStepId === event.stepId && o.visit === event.visit) queued.push(o);
    }
  });
  engine.events.on('retry', ({ error, retryAt }) => push({ at: iso(clock.now()), stepId: error.stepId, type: 'retry', detail: { message: error.message, retryAt: iso(retryAt) } }));

  // The document was validated above: store it as an active journey directly rather than through
  // engine.createJourney, which would validate it a second time.
  const doc = validation.journey;
  const journeyId = options.journeyId ?? `jrn_sim_${++counter}`;
  await storage.createJourney({
    id: journeyId,
    tenantId: engine.tenantId,
    name: doc.name,
    description: doc.description,
    status: 'active',
    maxDuration: doc.maxDuration,
    steps: doc.steps,
    entryConditions: options.checkEntry ? doc.entryConditions : {},
    ...(doc.goals === undefined ? {} : { goals: doc.goals }),
    ...(doc.sendPolicy === undefined ? {} : { sendPolicy: doc.sendPolicy }),
    version: 1,
    revision: 1,
    createdAt: startAt,
    updatedAt: startAt,
  });
  const entered = await engine.enroll(journeyId, { customerId }, { context: options.context ?? {} });
  const skip = entered.skipped[0];
  if (skip) return { status: 'not-enrolled', exitReason: null, timeline, refusal: { reason: skip.reason, message: skip.message } };
  const enrollmentId = entered.enrolled[0]!.enrollmentId;

  let n = 0;
  const record = async (item: Scripted) => {
    n += 1;
    const at = clock.now();
    const { type } = item;
    if (item.kind === 'event') {
      // The timeline line comes first: what the event set off follows it.
      const line = { at: iso(at), stepId: null, type: 'event', detail: { type, ...(item.properties ? { properties: item.properties } : {}), delivered: false } };
      push(line);
      const result = await engine.ingestEvent({ customerId, type, ...(item.properties ? { properties: item.properties } : {}), at });
      line.detail.delivered = result.delivered.length > 0;
      return;
    }
    const result = await engine.recordOutcome({ customerId, journeyId, type, idempotencyKey: `sim-outcome-${n}`, at });
    if (result.recorded.length > 0) push({ at: iso(at), stepId: null, type: 'outcome', detail: { type } });
    else if (result.unmatched) push({ at: iso(at), stepId: null, type: 'outcome-unmatched', detail: { type, reason: result.unmatched.reason } });
  };

  for (let i = 0; i < MAX_ITERATIONS; i++) {
    // Everything here is in memory: give the event loop a turn now and then (a server stays responsive).
    if (i % YIELD_EVERY === YIELD_EVERY - 1) await yieldToEventLoop();
    await engine.runDue();
    while (queued.length > 0) await record(queued.shift()!);
    const current = await engine.getEnrollment(enrollmentId);
    if (!current || current.status !== 'active') {
      return { status: current?.status ?? 'exited', exitReason: current?.exitReason ?? null, timeline };
    }
    const wake = current.wakeAt ?? Number.POSITIVE_INFINITY;
    const nextOutcome = timed[0];
    if (nextOutcome && nextOutcome.at <= wake) {
      if (nextOutcome.at > clock.now()) clock.set(nextOutcome.at);
      timed.shift();
      await record(nextOutcome);
      continue;
    }
    if (wake > clock.now()) clock.set(wake);
  }
  throw new JourneyError('simulation-too-long', `the simulation did not finish within ${MAX_ITERATIONS} steps`);
}

/** Every `afterStepId` must name a step of the journey: a typo would otherwise never fire. */
function checkOutcomeSteps(outcomes: ReadonlyArray<SimulatedOutcome | SimulatedEvent>, stepIds: readonly string[], field: 'outcomes' | 'events'): void {
  const known = new Set(stepIds);
  outcomes.forEach((o, i) => {
    if (!('afterStepId' in o) || known.has(o.afterStepId)) return;
    const suggestion = closestKey(String(o.afterStepId), stepIds);
    throw new JourneyError(
      'unknown-step',
      `no step "${String(o.afterStepId)}" in this journey${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}`,
      { path: [field, i, 'afterStepId'], details: suggestion === undefined ? undefined : { suggestion } },
    );
  });
}

function resolveAt(at: number | string, startAt: number, path: ReadonlyArray<string | number>): number {
  if (typeof at === 'number' && Number.isFinite(at)) return at;
  if (typeof at === 'string') {
    const iso = Date.parse(at);
    if (Number.isFinite(iso) && /^\d{4}-/.test(at)) return iso;
    try {
      return startAt + parseDuration(at);
    } catch {
      // fall through to the coded error
    }
  }
  throw new JourneyError('invalid-instant', `"${String(at)}" is not an instant (epoch ms or ISO-8601) or a duration after the start (like '2d')`, { path });
}

/** The model of the kind named `type`, if it is one (events carry the type as a string). */
function kindNamed(type: string): StepKindModel<StepType> | undefined {
  return own(STEP_KINDS as Readonly<Record<string, StepKindModel<StepType>>>, type);
}

function describe(event: StepEvent, wakeAt: number | null, iso: (ms: number) => string): TimelineEntry {
  const at = iso(event.at);
  switch (event.type) {
    case 'entered': {
      // A kind that holds the customer on entering (a wait) reads as its holding word until the wake-up.
      const holding = kindNamed(event.stepType)?.timeline.holding;
      return holding !== undefined && wakeAt !== null
        ? { at, stepId: event.stepId, type: holding, detail: { until: iso(wakeAt) } }
        : { at, stepId: event.stepId, type: 'entered', detail: { stepType: event.stepType, visit: event.visit } };
    }
    case 'completed': {
      const type = kindNamed(event.stepType)?.timeline.completed ?? 'completed';
      return event.detail === undefined ? { at, stepId: event.stepId, type } : { at, stepId: event.stepId, type, detail: event.detail };
    }
    case 'skipped':
      return { at, stepId: event.stepId, type: 'skipped', detail: { skipped: event.reason, ...event.detail } };
    case 'noted':
      if (event.note.startsWith('deferred:')) {
        const { until, ...rest } = event.detail ?? {};
        return { at, stepId: event.stepId, type: 'deferred', detail: { reason: event.note.slice('deferred:'.length), until: iso(Number(until)), ...rest } };
      }
      return { at, stepId: event.stepId, type: 'noted', detail: { note: event.note, ...event.detail } };
    case 'exited':
      return { at, stepId: event.stepId, type: 'exited', detail: { reason: event.reason } };
    case 'failed':
      return { at, stepId: event.stepId, type: 'failed', detail: { message: event.error.message, ...(event.error.code ? { code: event.error.code } : {}) } };
    case 'journey-completed':
      return { at, stepId: null, type: 'completed' };
  }
}
