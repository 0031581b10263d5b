/**
 * The interpreter: a pure function from (journey, enrollment, input, now) to the next enrollment
 * state, the commands the engine must carry out, and the step events that happened.
 *
 * It reads no clock, does no I/O, uses no randomness and never mutates its arguments: the same
 * inputs always give the same outputs. "Activations in, commands out", as in Temporal's workflow
 * core and XState's `transition()`.
 */
import { own } from '../model/own.js';
import { firstInstantAfter } from '../model/duration.js';
import type { JsonValue } from '../model/schema.js';
import type { CompiledGoal, CompiledJourney, CompiledStep } from './compile-journey.js';
import { arrivalAt, meets } from './arrival-match.js';
import { goalExitReason } from '../model/goals.js';
import { assertNever } from './compile-journey.js';
import { KIND_BY_EFFECT_RESULT, runtimeOf, type EffectResult, type StepRun } from './steps/index.js';
import type { Mutable } from './steps/kind.js';
import type { Arrival } from './steps/kind.js';
import type {
  AdvanceResult,
  Command,
  CustomerEvent,
  CustomerProfile,
  Enrollment,
  EnrollmentError,
  ExitReason,
  InboxItem,
  Input,
  Offer,
  OutcomeEntry,
  SentMessage,
  StepEvent,
} from './types.js';
import { MAX_INBOX_ITEMS, MAX_SENDS_KEPT } from './types.js';

/** Most outcomes kept on an enrollment; older ones are dropped first. */
export const MAX_OUTCOMES_KEPT = 100;
/**
 * Most steps one advance runs without blocking before failing with `instant-loop`, unless the
 * journey has more steps: the budget is `max(DEFAULT_MAX_INSTANT_STEPS, step count + 1)`. Without
 * an instant cycle (which the validator refuses) an advance enters each step at most once, so any
 * acyclic chain of instant steps finishes; only a true cycle exhausts the budget.
 */
export const DEFAULT_MAX_INSTANT_STEPS = 1000;

/** Facts the engine hands the interpreter along with an input. */
export interface AdvanceOptions {
  /** The customer, for branch expressions (`customer`, `segments`). Absent: an empty profile. */
  readonly customer?: CustomerProfile | null;
  /**
   * Guard against instant loops the validator would have reported: most steps one advance runs
   * without blocking. Default `max(DEFAULT_MAX_INSTANT_STEPS, journey step count + 1)`.
   */
  readonly maxInstantSteps?: number;
}

/**
 * The empties a new enrollment starts with, shared and frozen: an enrollment waiting at its first
 * wait step holds no copy of its own (the interpreter copies `visits`, `flags`, `results`,
 * `outcomes` and `sends` on their first write, never writing into the stored objects).
 */
const NO_COUNTS: Readonly<Record<string, number>> = Object.freeze({});
const NO_RESULTS: Readonly<Record<string, readonly Offer[]>> = Object.freeze({});
const NO_FLAGS: Readonly<Record<string, boolean>> = Object.freeze({});
const NO_CONTEXT: Readonly<Record<string, JsonValue>> = Object.freeze({});
const NO_OUTCOMES: readonly OutcomeEntry[] = Object.freeze([]);
const NO_SENDS: readonly SentMessage[] = Object.freeze([]);

/** What a new enrollment needs. */
export interface NewEnrollment {
  readonly id: string;
  readonly customerId: string;
  readonly context?: Readonly<Record<string, JsonValue>>;
}

/**
 * The state of a customer who enters `journey` at `now`: at the first step, due at once.
 *
 * @example
 * const e = createEnrollment(journey, { id: 'enr_1', customerId: 'c1' }, clock.now());
 * const { enrollment, commands } = advance(journey, e, { type: 'wake' }, clock.now());
 */
export function createEnrollment(journey: CompiledJourney, init: NewEnrollment, now: number): Enrollment {
  return {
    id: init.id,
    tenantId: journey.tenantId,
    journeyId: journey.id,
    journeyVersion: journey.version,
    customerId: init.customerId,
    status: 'active',
    stepId: journey.firstStepId,
    phase: 'ready',
    visits: NO_COUNTS,
    results: NO_RESULTS,
    flags: NO_FLAGS,
    outcomes: NO_OUTCOMES,
    latestOutcome: null,
    lastSendAt: null,
    sends: NO_SENDS,
    attempts: 0,
    lastError: null,
    context: init.context ?? NO_CONTEXT,
    enteredAt: now,
    deadline: now + journey.maxDurationMs,
    wakeAt: now,
    endedAt: null,
    exitReason: null,
    version: 1,
    updatedAt: now,
  };
}

/**
 * A copy of an enrollment with its fields in one fixed order, the optional ones last and only when
 * set. Every enrollment the worker holds or hands to storage comes from here, so they share a few
 * hidden classes (property reads stay monomorphic) and none is left in V8's slow dictionary mode:
 * the interpreter clears an optional field of a working copy by setting it to `undefined` — never
 * `delete`, which turns an object into a dictionary when the field is not its last — and this copy
 * leaves such a field out, as if it had been deleted. Fields an adapter added beyond the type are
 * not copied.
 */
export function copyEnrollment(e: Enrollment): Mutable<Enrollment> {
  const copy: Mutable<Enrollment> = {
    id: e.id,
    tenantId: e.tenantId,
    journeyId: e.journeyId,
    journeyVersion: e.journeyVersion,
    customerId: e.customerId,
    status: e.status,
    stepId: e.stepId,
    phase: e.phase,
    visits: e.visits,
    results: e.results,
    flags: e.flags,
    outcomes: e.outcomes,
    latestOutcome: e.latestOutcome,
    lastSendAt: e.lastSendAt,
    sends: e.sends,
    attempts: e.attempts,
    lastError: e.lastError,
    context: e.context,
    enteredAt: e.enteredAt,
    deadline: e.deadline,
    wakeAt: e.wakeAt,
    endedAt: e.endedAt,
    exitReason: e.exitReason,
    version: e.version,
    updatedAt: e.updatedAt,
  };
  if (e.variants !== undefined) copy.variants = e.variants;
  if (e.goals !== undefined) copy.goals = e.goals;
  if (e.stepEnteredAt !== undefined) copy.stepEnteredAt = e.stepEnteredAt;
  if (e.inbox !== undefined) copy.inbox = e.inbox;
  if (e.resumeAt !== undefined) copy.resumeAt = e.resumeAt;
  return copy;
}

/** Keys {@link idempotencyKey} built lately, direct-mapped by a hash of their parts (a miss just builds the key again). */
const KEY_CACHE_SIZE = 256;
const keyCache: ({ readonly enrollmentId: string; readonly stepId: string; readonly visit: number; readonly key: string } | undefined)[] = new Array(KEY_CACHE_SIZE);

/**
 * The idempotency key of one visit of one step: `enrollmentId:stepId:visit`.
 *
 * Built flat (`join`, not `+`, which makes a tree of rope strings: four 32-byte nodes per key), and
 * a key built lately is handed out again for the same visit, so the send record in the effect log
 * and the enrollment's `sends` entry of one send share one string, also when a worker advances
 * many claims in turn. Only the memory cost changes: the value is the same string either way.
 */
export function idempotencyKey(enrollmentId: string, stepId: string, visit: number): string {
  const n = enrollmentId.length;
  const slot = (n === 0 ? 0 : enrollmentId.charCodeAt(n - 1) * 31 + (n > 1 ? enrollmentId.charCodeAt(n - 2) * 7 : 0) + (n > 2 ? enrollmentId.charCodeAt(n - 3) : 0) + visit + stepId.length) & (KEY_CACHE_SIZE - 1);
  const hit = keyCache[slot];
  if (hit !== undefined && hit.visit === visit && hit.enrollmentId === enrollmentId && hit.stepId === stepId) return hit.key;
  const key = [enrollmentId, stepId, visit].join(':');
  keyCache[slot] = { enrollmentId, stepId, visit, key };
  return key;
}

/**
 * The current visit of a step the enrollment has entered: its count in `visits`, else 1 (a step on
 * no cycle is entered at most once and is not counted).
 *
 * @example
 * visitOf(enrollment, enrollment.stepId!); // the visit its idempotency keys carry
 */
export function visitOf(enrollment: Pick<Enrollment, 'visits'>, stepId: string): number {
  return own(enrollment.visits, stepId) ?? 1;
}

/**
 * Advance an enrollment by one input. Returns the same enrollment object (and no commands) when
 * the input changes nothing — an ended enrollment, a stale effect result, a wake-up that is early.
 * Pure: `enrollment` is never written to; the answer is a new object (sharing the parts that did
 * not change).
 */
export function advance(
  journey: CompiledJourney,
  enrollment: Enrollment,
  input: Input,
  now: number,
  options: AdvanceOptions = {},
): AdvanceResult {
  if (unchangedBy(enrollment, input, now)) return unchanged(enrollment);
  const draft = copyEnrollment(enrollment);
  const { commands, events } = step(journey, draft, enrollment, input, now, options);
  return { enrollment: copyEnrollment(draft), commands, events };
}

/** What {@link advanceInPlace} answers: the commands and events of the advance, and whether it changed the enrollment. */
export interface InPlaceResult {
  /** False: the input changed nothing and `working` was not touched (what {@link advance} answers with its input unchanged). */
  readonly changed: boolean;
  readonly commands: readonly Command[];
  readonly events: readonly StepEvent[];
}

const NOTHING: InPlaceResult = Object.freeze({ changed: false, commands: Object.freeze([]) as readonly Command[], events: Object.freeze([]) as readonly StepEvent[] });

/**
 * {@link advance} on a working copy the caller owns, written in place: no new enrollment object
 * per advance. Internal (not exported by the package), for a worker that advances one claim many
 * times: it copies the claimed enrollment once, advances the copy in place, and hands storage a
 * copy of its own at each commit. After the call `working` holds exactly what `advance` would
 * have answered (same fields, same values: `advance` is this function on a shallow copy); the
 * objects it refers to (`visits`, `flags`, `results`, `outcomes`, `sends`, …) are never written
 * into — a changed one is replaced by a new object — so a snapshot taken with a shallow copy
 * stays as it was. The commands and events are the same too.
 *
 * @example
 * const working = { ...claim.enrollment };
 * let r = advanceInPlace(journey, working, { type: 'wake' }, now, { customer });
 * if (r.changed) await storage.commit({ enrollment: { ...working }, expectedVersion: claim.enrollment.version, now });
 */
export function advanceInPlace(
  journey: CompiledJourney,
  working: Mutable<Enrollment>,
  input: Input,
  now: number,
  options: AdvanceOptions = {},
): InPlaceResult {
  if (unchangedBy(working, input, now)) return NOTHING;
  // The checks below read the enrollment as it was before this advance: keep the few fields they need.
  const before: BeforeAdvance = { phase: working.phase };
  const { commands, events } = step(journey, working, before, input, now, options);
  return { changed: true, commands, events };
}

/** What the input handlers read of the enrollment as it was before the advance. */
type BeforeAdvance = Pick<Enrollment, 'phase'>;

/**
 * Whether `input` leaves the enrollment as it is (without writing anything): an ended
 * enrollment, pause/resume, a duplicate outcome, an early wake-up, a stale effect result.
 */
function unchangedBy(enrollment: Enrollment, input: Input, now: number): boolean {
  if (enrollment.status !== 'active') return true;
  switch (input.type) {
    case 'pause':
    case 'resume':
      // Paused enrollments stay in place; the engine simply does not wake them until resume.
      return true;
    case 'outcome':
      return enrollment.outcomes.some((o) => o.key === input.outcome.key);
    case 'wake':
      return !hasInbox(enrollment) && (enrollment.wakeAt === null || now < enrollment.wakeAt);
    case 'decided':
    case 'sent':
    case 'updated':
    case 'effect-failed':
    case 'deferred':
    case 'effect-skipped':
      return !isPending(enrollment, input.stepId, input.visit);
    default:
      return false;
  }
}

function isPending(enrollment: Enrollment, stepId: string, visit: number): boolean {
  return enrollment.phase === 'effect' && enrollment.stepId === stepId && visitOf(enrollment, stepId) === visit;
}

/** Apply an input that changes the enrollment to `draft` (written in place); `before` is the enrollment before it. */
function step(
  journey: CompiledJourney,
  draft: Mutable<Enrollment>,
  before: BeforeAdvance,
  input: Input,
  now: number,
  options: AdvanceOptions,
): { readonly commands: Command[]; readonly events: StepEvent[] } {
  draft.version += 1;
  draft.updatedAt = now;
  const run = new Run(journey, draft, now, options);
  switch (input.type) {
    case 'pause':
    case 'resume':
      break;
    case 'archive':
      run.exit('archived');
      break;
    case 'exit':
      run.exit(input.reason);
      break;
    case 'outcome':
      run.outcome(input.outcome);
      // A waiting step that took it moved the customer on: run the steps that follow.
      if (before.phase === 'waiting' && run.draft.phase === 'ready') run.wake();
      break;
    case 'event':
      run.customerEvent(input.event);
      if (before.phase === 'waiting' && run.draft.phase === 'ready') run.wake();
      break;
    case 'wake':
      run.drainInbox();
      if (run.draft.status === 'active' && run.draft.wakeAt !== null && now >= run.draft.wakeAt) run.wake();
      break;
    case 'decided':
    case 'sent':
    case 'updated':
      run.effectDone(input);
      break;
    case 'effect-failed':
      run.effectFailed(input.error, input.retryAt);
      break;
    case 'deferred':
      run.deferEffect(input);
      break;
    case 'effect-skipped':
      run.skipEffect(input);
      break;
    default:
      assertNever(input);
  }
  return { commands: run.commands, events: run.events };
}

function hasInbox(enrollment: Enrollment): boolean {
  return enrollment.inbox !== undefined && enrollment.inbox.length > 0;
}

/** Why {@link deliver} refused an item. */
export type DeliveryRefusal = 'ended' | 'duplicate' | 'full';

/**
 * Deliver an input from outside (an outcome, an event, an exit) to an enrollment: the item joins
 * its inbox and the enrollment is due at once; the worker applies it under its claim, with the
 * customer loaded (`advance` with a `wake` applies the inbox first). Pure: returns the new
 * enrollment (version + 1), or why not — `ended` (not active), `duplicate` (an item or outcome
 * with this key is already there), `full` ({@link MAX_INBOX_ITEMS} items wait already).
 *
 * @example
 * const next = deliver(enrollment, { kind: 'exit', key: 'exit:1', receivedAt: now, reason: 'manual' }, now);
 * if (typeof next !== 'string') await storage.commit({ enrollment: next, expectedVersion: enrollment.version, now });
 */
export function deliver(enrollment: Enrollment, item: InboxItem, now: number): Enrollment | DeliveryRefusal {
  if (enrollment.status !== 'active') return 'ended';
  const inbox = enrollment.inbox ?? [];
  if (inbox.some((i) => i.key === item.key)) return 'duplicate';
  if (item.kind === 'outcome' && enrollment.outcomes.some((o) => o.key === item.outcome.key)) return 'duplicate';
  if (inbox.length >= MAX_INBOX_ITEMS) return 'full';
  const wakeAt = enrollment.wakeAt === null ? now : Math.min(enrollment.wakeAt, now);
  const next = copyEnrollment(enrollment);
  next.inbox = [...inbox, item];
  next.resumeAt = inbox.length === 0 ? enrollment.wakeAt : (enrollment.resumeAt ?? enrollment.wakeAt);
  next.wakeAt = wakeAt;
  next.version = enrollment.version + 1;
  next.updatedAt = now;
  return next;
}

/** `record[key] = value` as an own property, also for `__proto__` (which `=` on a plain object would not store). */
function putOwn<T>(record: Record<string, T>, key: string, value: T): void {
  if (key === '__proto__') Object.defineProperty(record, key, { value, writable: true, enumerable: true, configurable: true });
  else record[key] = value;
}

function unchanged(enrollment: Enrollment): AdvanceResult {
  return { enrollment, commands: [], events: [] };
}

/** One advance in progress: the enrollment it writes (a draft), plus what it produced. */
class Run implements StepRun {
  readonly commands: Command[] = [];
  readonly events: StepEvent[] = [];
  /** The draft's own copy of `visits`, once the first visit of this advance was counted. */
  private ownVisits: Record<string, number> | null = null;
  /** The draft's own copy of `flags`, once a flag was set in this advance. */
  private ownFlags: Record<string, boolean> | null = null;

  constructor(
    private readonly journey: CompiledJourney,
    /** The enrollment being advanced, written in place (a copy `advance` made, or the caller's working copy). */
    readonly draft: Mutable<Enrollment>,
    readonly now: number,
    private readonly options: AdvanceOptions,
  ) {}

  // ── inputs ──────────────────────────────────────────────────────────────

  /**
   * Apply the inbox, oldest item first, and empty it; the step's own wake-up (`resumeAt`) is due
   * again. An item that ends the enrollment (an exit, a goal with `exit: true`) drops the rest.
   */
  drainInbox(): void {
    const d = this.draft;
    const inbox = d.inbox;
    if (inbox === undefined) return;
    d.wakeAt = d.resumeAt === undefined ? d.wakeAt : d.resumeAt;
    d.inbox = undefined; // not `delete`: see copyEnrollment
    d.resumeAt = undefined;
    for (const item of inbox) {
      if (d.status !== 'active') return;
      switch (item.kind) {
        case 'outcome':
          if (!d.outcomes.some((o) => o.key === item.outcome.key)) this.outcome(item.outcome);
          break;
        case 'event':
          this.customerEvent(item.event);
          break;
        case 'exit':
          this.exit(item.reason);
          break;
        default:
          assertNever(item);
      }
    }
  }

  /** An outcome reached the enrollment: record it, check the goals, then let the current step react (a `waitFor` path). */
  outcome(outcome: OutcomeEntry): void {
    this.recordOutcome(outcome);
    this.arrived({ kind: 'outcome', outcome });
  }

  /** An event reached the enrollment: check the goals, then the current step may react (a `waitFor` path). */
  customerEvent(event: CustomerEvent): void {
    this.arrived({ kind: 'event', event });
  }

  private arrived(arrival: Arrival): void {
    this.checkGoals(arrival);
    this.react(arrival);
  }

  /**
   * The journey's goals, on every event and outcome that reaches the active enrollment (at any
   * step): a goal converts at most once, on what happened since the customer entered; each
   * conversion is noted for stats — for the journey, for every split variant the customer holds,
   * and for the last send before it (last-touch) — and a goal with `exit` ends the enrollment.
   */
  private checkGoals(arrival: Arrival): void {
    const goals = this.journey.goals;
    if (goals.length === 0) return;
    const d = this.draft;
    const at = arrivalAt(arrival);
    if (at < d.enteredAt) return;
    for (const goal of goals) {
      if (d.status !== 'active') return;
      if (d.goals !== undefined && own(d.goals, goal.id) !== undefined) continue;
      if (!meets(goal, arrival, (roots) => this.scope(roots))) continue;
      this.convert(goal, at);
    }
  }

  private convert(goal: CompiledGoal, at: number): void {
    const d = this.draft;
    const goals: Record<string, number> = { ...d.goals };
    putOwn(goals, goal.id, at);
    d.goals = goals;
    let touch: SentMessage | undefined;
    for (const sent of d.sends) if (sent.at <= at) touch = sent;
    const variants = d.variants ?? {};
    const note = `goal:${goal.id}`;
    this.events.push({
      type: 'noted',
      stepId: null,
      at: this.now,
      note,
      detail: { goal: goal.id, at, ...(touch === undefined ? {} : { lastTouch: touch.stepId }), ...(d.variants === undefined ? {} : { variants }) },
    });
    for (const splitStepId of Object.keys(variants)) {
      this.events.push({ type: 'noted', stepId: splitStepId, at: this.now, note: `${note}:variant:${variants[splitStepId]!}`, detail: { goal: goal.id } });
    }
    if (touch !== undefined) this.events.push({ type: 'noted', stepId: touch.stepId, at: this.now, note: `${note}:last-touch`, detail: { goal: goal.id } });
    if (goal.exit) this.exit(goalExitReason(goal.id));
  }

  /** Hand what arrived to the current step's kind, when it is waiting there and the kind reacts. */
  private react(arrival: Arrival): void {
    const d = this.draft;
    if (d.status !== 'active' || d.phase !== 'waiting' || d.stepId === null) return;
    const step = this.journey.steps.get(d.stepId);
    if (step === undefined) return;
    const react = runtimeOf(step).react;
    // A kind that moves the customer on leaves them `ready`: the wake-up after the inbox runs the steps.
    if (react !== undefined) react(step, arrival, this);
  }

  wake(): void {
    const d = this.draft;
    if (this.pastDeadline()) return;
    switch (d.phase) {
      case 'waiting': {
        const step = this.currentStep();
        if (!step) return;
        const waited = runtimeOf(step).waited;
        if (waited !== undefined) waited(step, this);
        else {
          this.completed(step);
          this.moveTo(step.successor);
        }
        this.runSteps();
        return;
      }
      case 'ready':
        this.runSteps();
        return;
      case 'effect': {
        const step = this.currentStep();
        if (!step) return;
        this.issueEffect(step, visitOf(d, step.id));
        return;
      }
      case 'done':
        return;
      default:
        assertNever(d.phase);
    }
  }

  effectDone(input: EffectResult): void {
    const d = this.draft;
    const step = this.currentStep();
    if (!step) return;
    d.attempts = 0;
    d.lastError = null;
    // The kind whose effect answers with this input must be the step's (a stale or misrouted result fails it).
    const kind = runtimeOf(step);
    if (kind.effect?.result !== input.type) {
      return this.fail(step.id, 'effect-mismatch', `step "${step.id}" is not a ${KIND_BY_EFFECT_RESULT.get(input.type)} step`);
    }
    const detail = kind.effect.done(step, input, this);
    this.completed(step, detail);
    this.moveTo(step.successor);
    this.runSteps();
  }

  effectFailed(error: { message: string; code?: string }, retryAt: number | null): void {
    const d = this.draft;
    const stepId = d.stepId!;
    d.attempts += 1;
    const lastError: EnrollmentError = {
      message: error.message,
      ...(error.code === undefined ? {} : { code: error.code }),
      stepId,
      at: this.now,
      attempts: d.attempts,
    };
    d.lastError = lastError;
    if (retryAt === null) {
      this.end('failed');
      this.events.push({ type: 'failed', stepId, error: lastError, at: this.now });
      this.commands.push({ type: 'fail', error: lastError });
      return;
    }
    d.wakeAt = Math.min(Math.max(retryAt, this.now), firstInstantAfter(d.deadline));
    this.commands.push({ type: 'schedule', wakeAt: d.wakeAt });
  }

  /**
   * The send policy holds the effect back: wait at the step (phase `effect`) until `until` (no
   * later than the first instant past the deadline), noted as `deferred:<reason>`; the wake-up
   * issues the same effect again, with the same visit and key.
   */
  deferEffect(input: Extract<Input, { type: 'deferred' }>): void {
    const d = this.draft;
    d.wakeAt = Math.min(Math.max(input.until, this.now), firstInstantAfter(d.deadline));
    this.events.push({ type: 'noted', stepId: input.stepId, at: this.now, note: `deferred:${input.reason}`, detail: { until: input.until, ...input.detail } });
    this.commands.push({ type: 'schedule', wakeAt: d.wakeAt });
  }

  /** The send policy drops the effect: the step is skipped (counted `skipped:<reason>`) and the journey goes on. */
  skipEffect(input: Extract<Input, { type: 'effect-skipped' }>): void {
    const step = this.currentStep();
    if (!step) return;
    const skipped: StepEvent = { type: 'skipped', stepId: step.id, stepType: step.type, visit: input.visit, at: this.now, reason: input.reason };
    this.events.push(input.detail === undefined ? skipped : { ...skipped, detail: input.detail });
    this.moveTo(step.successor);
    this.runSteps();
  }

  /**
   * Keep the outcome; it becomes `latestOutcome` when it answers the most recent send and is
   * not older (by `at`) than the current latest. Arrival order breaks ties: the newer arrival wins.
   */
  recordOutcome(outcome: OutcomeEntry): void {
    const d = this.draft;
    // `concat` makes an array of the exact length (`push` or a spread leave room for 16 more elements, kept as long as the enrollment).
    d.outcomes = (d.outcomes.length >= MAX_OUTCOMES_KEPT ? d.outcomes.slice(1 - MAX_OUTCOMES_KEPT) : d.outcomes).concat([outcome]);
    if (this.answersLatestSend(outcome) && (d.latestOutcome === null || outcome.at >= d.latestOutcome.at)) d.latestOutcome = outcome;
  }

  /**
   * A send completed now: remember it (bounded) and start a new `latestOutcome`. Outcomes that
   * already name this send (a webhook that beat the commit) count; every other outcome is older.
   */
  recordSend(stepId: string, visit: number, messageId: string | undefined): void {
    const d = this.draft;
    const sent: SentMessage = { key: idempotencyKey(d.id, stepId, visit), stepId, at: this.now, ...(messageId === undefined ? {} : { messageId }) };
    d.sends = (d.sends.length >= MAX_SENDS_KEPT ? d.sends.slice(1 - MAX_SENDS_KEPT) : d.sends).concat([sent]);
    d.lastSendAt = this.now;
    let latest: OutcomeEntry | null = null;
    for (const o of d.outcomes) if (o.sendKey === sent.key && (latest === null || o.at >= latest.at)) latest = o;
    d.latestOutcome = latest;
  }

  private answersLatestSend(outcome: OutcomeEntry): boolean {
    const d = this.draft;
    const last = d.sends.length > 0 ? d.sends[d.sends.length - 1]! : undefined;
    // An outcome that names its send answers the latest one only if it names that one (rows from
    // before `sends` existed have no record to compare with: they fall back to the time rule).
    if (outcome.sendKey !== undefined && last !== undefined) return outcome.sendKey === last.key;
    return d.lastSendAt === null || outcome.at >= d.lastSendAt;
  }

  /** End the enrollment with `reason`; `at` is when it ended (default now). */
  exit(reason: ExitReason, at: number = this.now): void {
    const stepId = this.draft.stepId;
    this.end('exited', reason, at);
    this.events.push({ type: 'exited', stepId, reason, at });
    this.commands.push({ type: 'exit', reason });
  }

  // ── stepping ────────────────────────────────────────────────────────────

  /**
   * Run steps from the current one until something blocks: a wait, an effect, or the end.
   * A loop, not recursion: instant steps (branches, skipped sends, flag-only updates) cost no stack.
   */
  private runSteps(): void {
    const d = this.draft;
    const limit = this.options.maxInstantSteps ?? Math.max(DEFAULT_MAX_INSTANT_STEPS, this.journey.steps.size + 1);
    let budget = limit;
    while (d.status === 'active' && d.phase === 'ready') {
      if (this.pastDeadline()) return;
      if (budget-- <= 0) {
        return this.fail(d.stepId, 'instant-loop', `more than ${limit} steps ran without a wait`);
      }
      const step = this.currentStep();
      if (!step) return;
      const visit = this.enter(step);
      this.events.push({ type: 'entered', stepId: step.id, stepType: step.type, visit, at: this.now });
      this.runStep(step, visit);
    }
  }

  /** Enter the step: its kind decides (src/runtime/steps/<kind>.ts). */
  private runStep(step: CompiledStep, visit: number): void {
    runtimeOf(step).enter(step, visit, this);
  }

  /** The names a branch expression may read; only the roots its conditions name are built. */
  scope(roots: ReadonlySet<string>): Record<string, unknown> {
    const d = this.draft;
    const customer = this.options.customer;
    const scope: Record<string, unknown> = {};
    for (const root of roots) {
      switch (root) {
        case 'outcome':
          scope['outcome'] = d.latestOutcome?.type ?? null;
          break;
        case 'outcomes':
          scope['outcomes'] = d.outcomes.map((o) => o.type);
          break;
        case 'customer':
          scope['customer'] = customer?.attributes ?? {};
          break;
        case 'segments':
          scope['segments'] = customer?.segments ?? [];
          break;
        case 'results':
          scope['results'] = d.results;
          break;
        case 'journey':
          scope['journey'] = { id: this.journey.id, name: this.journey.name, version: this.journey.version };
          break;
        case 'enrollment':
          scope['enrollment'] = {
            id: d.id,
            customerId: d.customerId,
            enteredAt: d.enteredAt,
            stepId: d.stepId,
            visits: d.visits,
            flags: d.flags,
            variants: d.variants ?? {},
            context: d.context,
            lastSendAt: d.lastSendAt,
          };
          break;
      }
    }
    return scope;
  }

  /** Wait for the step's effect: issue the command its kind builds (a kind without an effect fails). */
  issueEffect(step: CompiledStep, visit: number): void {
    const d = this.draft;
    d.phase = 'effect';
    d.wakeAt = this.now;
    const key = idempotencyKey(d.id, step.id, visit);
    const effect = runtimeOf(step).effect;
    if (effect === undefined) return this.fail(step.id, 'effect-mismatch', `step "${step.id}" has no effect`);
    this.commands.push(effect.command(step, visit, key, this));
  }

  moveTo(next: string | null): void {
    const d = this.draft;
    if (d.stepEnteredAt !== undefined) d.stepEnteredAt = undefined; // not `delete`: see copyEnrollment
    if (next === null) {
      this.end('completed');
      this.events.push({ type: 'journey-completed', at: this.now });
      this.commands.push({ type: 'complete' });
      return;
    }
    d.stepId = next;
    d.phase = 'ready';
    d.wakeAt = this.now;
  }

  // ── helpers ─────────────────────────────────────────────────────────────

  private currentStep(): CompiledStep | undefined {
    const d = this.draft;
    const step = d.stepId === null ? undefined : this.journey.steps.get(d.stepId);
    if (!step) this.fail(d.stepId, 'unknown-step', `step "${d.stepId}" is not in journey version ${this.journey.version}`);
    return step;
  }

  /**
   * The deadline rule: a step due at or before the deadline runs; past it (now > deadline) the
   * enrollment exits with `max-duration`, recorded as ending at the deadline itself however late
   * it was noticed (a late worker, a paused journey).
   */
  private pastDeadline(): boolean {
    if (this.now <= this.draft.deadline) return false;
    this.exit('max-duration', this.draft.deadline);
    return true;
  }

  /**
   * Enter `step` and return its visit number. Only steps on a cycle are counted (and every step
   * when an expression reads `enrollment.visits`, or when the row already holds a count for it, as
   * rows written by older versions do); any other step is entered at most once, its visit is 1 and
   * nothing is written, so an acyclic journey never copies `visits`. When a count is written, the
   * draft's `visits` is copied once per advance, on its first write, and then written in place; the
   * input is never touched.
   */
  private enter(step: CompiledStep): number {
    const counted = own(this.draft.visits, step.id);
    if (counted === undefined && !step.revisitable && !this.journey.countsEveryVisit) return 1;
    const visit = (counted ?? 0) + 1;
    let visits = this.ownVisits;
    if (visits === null) {
      visits = this.ownVisits = { ...this.draft.visits };
      this.draft.visits = visits;
    }
    putOwn(visits, step.id, visit);
    return visit;
  }

  completed(step: CompiledStep, detail?: Readonly<Record<string, unknown>>): void {
    const visit = visitOf(this.draft, step.id);
    this.events.push(
      detail === undefined
        ? { type: 'completed', stepId: step.id, stepType: step.type, visit, at: this.now }
        : { type: 'completed', stepId: step.id, stepType: step.type, visit, at: this.now, detail },
    );
  }

  /** Set flags; like `visits`, the draft's `flags` is copied once per advance, on its first write. */
  applyFlags(flags: Readonly<Record<string, boolean>>): void {
    let any = false;
    for (const _ in flags) { any = true; break; }
    if (!any) return;
    if (this.ownFlags === null) this.draft.flags = this.ownFlags = { ...this.draft.flags, ...flags };
    else for (const flag in flags) putOwn(this.ownFlags, flag, flags[flag]!);
  }

  private fail(stepId: string | null, code: string, message: string): void {
    const d = this.draft;
    const error: EnrollmentError = { message, code, stepId: stepId ?? '', at: this.now, attempts: d.attempts };
    d.lastError = error;
    this.end('failed');
    this.events.push({ type: 'failed', stepId, error, at: this.now });
    this.commands.push({ type: 'fail', error });
  }

  private end(status: 'completed' | 'exited' | 'failed', reason: ExitReason | null = null, at: number = this.now): void {
    const d = this.draft;
    d.status = status;
    d.phase = 'done';
    d.wakeAt = null;
    d.endedAt = at;
    d.exitReason = reason;
    if (status !== 'failed') d.stepId = status === 'completed' ? null : d.stepId;
  }
}
