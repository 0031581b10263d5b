/**
 * The imperative shell around the interpreter: claim due enrollments, carry out the commands
 * through the ports, commit every step atomically, emit events.
 */
import { JourneyError } from '../model/errors.js';
import type { JourneyStatus } from '../model/status.js';
import type { CompiledJourney } from './compile-journey.js';
import type { EngineContext } from './context.js';
import { safeEmit } from './events.js';
import { plainProfile } from './host-data.js';
import { advanceInPlace, copyEnrollment } from './interpreter.js';
import { idsOf } from './observe.js';
import type { Claim, Commit, DecideRequest, EffectRecord, SendRequest, StepCounter, Storage } from './ports.js';
import { nextRetryAt } from './retry.js';
import { ClaimBatch, directIo, type ClaimIo } from './group-commit.js';
import { gateSend, sendIsGated } from './send-gate.js';
import { plainData } from '../validate/expression/plain-data.js';
import type { Command, CustomerProfile, EffectCommand, Enrollment, Input, Offer, StepEvent } from './types.js';
import type { Mutable } from './steps/kind.js';
import { YIELD_EVERY, yieldToEventLoop } from './yield.js';

/** What one `runDue` call did. */
export interface RunDueResult {
  /** Enrollments claimed and advanced. */
  readonly processed: number;
  /** Claims lost to another worker or a concurrent change (nothing was written twice). */
  readonly lost: number;
}

const JOURNEY_LEVEL = '$journey';
/** The note of a send the policy held back: `deferred:<reason>`. */
const DEFERRED = 'deferred:';
const MAX_CONFLICT_RETRIES = 10;
const NO_EVENTS: readonly StepEvent[] = Object.freeze([]);
const NO_EFFECTS: readonly EffectRecord[] = Object.freeze([]);
const NO_RECEIPT = Object.freeze({});

/** A step's `entered` and `completed` counters, made once per compiled journey and shared by every commit (frozen). */
interface StepCounterPair {
  readonly entered: StepCounter;
  readonly completed: StepCounter;
}
type CounterCache = Map<string, StepCounterPair>;
const COUNTER_CACHES = new WeakMap<CompiledJourney, CounterCache>();

/** The shared step counters of `journey` (see {@link countersOf}). */
function counterCacheOf(journey: CompiledJourney): CounterCache {
  let cache = COUNTER_CACHES.get(journey);
  if (cache === undefined) COUNTER_CACHES.set(journey, (cache = new Map()));
  return cache;
}

function stepCounter(journeyId: string, stepId: string, metric: 'entered' | 'completed', cache: CounterCache | undefined): StepCounter {
  if (cache === undefined) return { journeyId, stepId, metric };
  let pair = cache.get(stepId);
  if (pair === undefined) {
    pair = { entered: Object.freeze({ journeyId, stepId, metric: 'entered' }), completed: Object.freeze({ journeyId, stepId, metric: 'completed' }) };
    cache.set(stepId, pair);
  }
  return pair[metric];
}

/**
 * Step counters for a batch of events (feeds `stats`). With `cache` (the compiled journey's, for
 * `journeyId`), the counters of steps entered and completed are shared frozen objects.
 */
export function countersOf(journeyId: string, events: readonly StepEvent[], cache?: CounterCache): StepCounter[] {
  const counters: StepCounter[] = [];
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    switch (event.type) {
      case 'entered':
      case 'completed':
        counters.push(stepCounter(journeyId, event.stepId, event.type, cache));
        break;
      case 'skipped':
        counters.push({ journeyId, stepId: event.stepId, metric: `skipped:${event.reason}` });
        break;
      case 'noted':
        counters.push({ journeyId, stepId: event.stepId ?? JOURNEY_LEVEL, metric: `noted:${event.note}` });
        break;
      case 'exited':
        counters.push({ journeyId, stepId: event.stepId ?? JOURNEY_LEVEL, metric: `exited:${event.reason}` });
        break;
      case 'failed':
        counters.push({ journeyId, stepId: event.stepId ?? JOURNEY_LEVEL, metric: 'failed' });
        break;
      case 'journey-completed':
        counters.push({ journeyId, stepId: JOURNEY_LEVEL, metric: 'completed' });
        break;
    }
  }
  return counters;
}

/** `a` then `b` in a new array of exactly their length (`concat` is slower on the short arrays of a claim). */
function joined<T>(a: readonly T[], b: readonly T[]): T[] {
  const out = new Array<T>(a.length + b.length);
  for (let i = 0; i < a.length; i++) out[i] = a[i]!;
  for (let i = 0; i < b.length; i++) out[a.length + i] = b[i]!;
  return out;
}

/** The `schedule` command among `commands`, if any. */
function scheduleOf(commands: readonly Command[]): Extract<Command, { type: 'schedule' }> | undefined {
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!;
    if (command.type === 'schedule') return command;
  }
  return undefined;
}

function effectOf(commands: readonly Command[]): EffectCommand | undefined {
  for (let i = 0; i < commands.length; i++) {
    const command = commands[i]!;
    if (command.type === 'decide' || command.type === 'send' || command.type === 'update') return command;
  }
  return undefined;
}

function emptyProfile(customerId: string): CustomerProfile {
  return { id: customerId, attributes: {}, segments: [] };
}

/** Emit the events of a committed change. */
export function emitCommitted(ctx: EngineContext, enrollment: Enrollment, events: readonly StepEvent[]): void {
  for (let i = 0; i < events.length; i++) {
    const event = events[i]!;
    safeEmit(ctx.events, 'step', { enrollment, event }, ctx.onListenerError);
    switch (event.type) {
      case 'exited':
        safeEmit(ctx.events, 'exited', { enrollmentId: enrollment.id, journeyId: enrollment.journeyId, reason: event.reason }, ctx.onListenerError);
        break;
      case 'failed':
        safeEmit(ctx.events, 'failed', { enrollment, error: event.error }, ctx.onListenerError);
        break;
      case 'journey-completed':
        safeEmit(ctx.events, 'completed', { enrollment }, ctx.onListenerError);
        break;
      case 'noted':
        if (event.note.startsWith(DEFERRED) && event.stepId !== null) {
          const until = Number(event.detail?.['until']);
          safeEmit(ctx.events, 'deferred', { enrollment, stepId: event.stepId, reason: event.note.slice(DEFERRED.length), until, detail: event.detail ?? {} }, ctx.onListenerError);
        }
        break;
      default:
        break;
    }
  }
}

/** Read a customer through the Profiles port (an empty profile when there is none); in a batch, through its `getMany` when the host has one. */
export async function loadCustomer(ctx: EngineContext, enrollment: Pick<Enrollment, 'tenantId' | 'customerId'>, io?: ClaimIo): Promise<CustomerProfile> {
  if (!ctx.profiles) return emptyProfile(enrollment.customerId);
  const context = { tenantId: enrollment.tenantId };
  const profile = await (io === undefined ? ctx.profiles.get(enrollment.customerId, context) : io.getProfile(enrollment.customerId, context));
  return profile ? plainProfile(profile, enrollment.customerId) : emptyProfile(enrollment.customerId);
}

interface EffectOutcome {
  readonly input: Input;
  readonly record?: EffectRecord;
  readonly customer?: CustomerProfile;
}

/** The effect-log record of an effect that succeeded. */
function effectRecord(enrollment: Enrollment, command: EffectCommand, at: number, detail: Record<string, unknown>): EffectRecord {
  return {
    idempotencyKey: command.idempotencyKey,
    tenantId: enrollment.tenantId,
    journeyId: enrollment.journeyId,
    enrollmentId: enrollment.id,
    stepId: command.stepId,
    visit: command.visit,
    type: command.type,
    at,
    detail,
  };
}

function isOffers(value: unknown): value is readonly Offer[] {
  if (!Array.isArray(value)) return false;
  for (const offer of value) {
    if (offer === null || typeof offer !== 'object' || typeof (offer as { id?: unknown }).id !== 'string') return false;
  }
  return true;
}

/** Carry out one effect through its port. Never throws: a failure becomes an `effect-failed` input. */
async function execute(ctx: EngineContext, io: ClaimIo, enrollment: Enrollment, command: EffectCommand, customer: CustomerProfile): Promise<EffectOutcome> {
  try {
    switch (command.type) {
      case 'decide': {
        if (!ctx.decisions) throw new JourneyError('no-adapter', 'no DecisionFlows adapter was given to createEngine');
        const request: DecideRequest = {
          tenantId: enrollment.tenantId,
          journeyId: enrollment.journeyId,
          enrollmentId: enrollment.id,
          stepId: command.stepId,
          idempotencyKey: command.idempotencyKey,
          decisionFlowId: command.decisionFlowId,
          customer,
          maxOffers: command.maxOffers,
        };
        const offers: unknown = plainData(await io.decide(request));
        if (!isOffers(offers)) {
          throw new JourneyError('bad-adapter-answer', `decision flow "${command.decisionFlowId}" must answer an array of offers with string ids`);
        }
        const kept = offers.length > command.maxOffers ? offers.slice(0, command.maxOffers) : offers;
        return {
          input: { type: 'decided', stepId: command.stepId, visit: command.visit, offers: kept },
          record: effectRecord(enrollment, command, ctx.clock.now(), { decisionFlowId: command.decisionFlowId, offerIds: kept.map((o) => o.id) }),
        };
      }
      case 'send': {
        if (!ctx.channels) throw new JourneyError('no-adapter', 'no Channels adapter was given to createEngine');
        const request: SendRequest = {
          tenantId: enrollment.tenantId,
          journeyId: enrollment.journeyId,
          enrollmentId: enrollment.id,
          stepId: command.stepId,
          idempotencyKey: command.idempotencyKey,
          channelId: command.channelId,
          creativeId: command.creativeId,
          offer: command.offer,
          offers: command.offers,
          customer,
        };
        const answer = await io.send(request);
        const messageId = answer !== null && typeof answer === 'object' && typeof answer.messageId === 'string' ? answer.messageId : undefined;
        const detail: Record<string, unknown> = { channelId: command.channelId };
        if (messageId !== undefined) detail['messageId'] = messageId;
        if (command.offer) detail['offerId'] = command.offer.id;
        return {
          input: { type: 'sent', stepId: command.stepId, visit: command.visit, receipt: messageId === undefined ? NO_RECEIPT : { messageId } },
          record: effectRecord(enrollment, command, ctx.clock.now(), detail),
        };
      }
      case 'update': {
        if (!ctx.profiles) throw new JourneyError('no-adapter', 'no Profiles adapter was given to createEngine');
        const context = { tenantId: enrollment.tenantId, journeyId: enrollment.journeyId, enrollmentId: enrollment.id, stepId: command.stepId, idempotencyKey: command.idempotencyKey };
        const updated = await ctx.profiles.apply(enrollment.customerId, command.operations, context);
        return {
          input: { type: 'updated', stepId: command.stepId, visit: command.visit },
          record: effectRecord(enrollment, command, ctx.clock.now(), { operations: command.operations.length }),
          customer: updated && typeof updated === 'object' ? plainProfile(updated, enrollment.customerId) : await loadCustomer(ctx, enrollment, io),
        };
      }
    }
  } catch (thrown) {
    // A JourneyError from another copy or realm of the library is no `instanceof Error` here: its brand says what it is.
    const error = thrown instanceof Error || JourneyError.is(thrown) ? (thrown as Error) : new Error(String(thrown));
    const code = (error as { code?: unknown }).code;
    return {
      input: {
        type: 'effect-failed',
        stepId: command.stepId,
        visit: command.visit,
        error: { message: error.message.slice(0, 2000), ...(typeof code === 'string' ? { code } : {}) },
        retryAt: nextRetryAt(ctx.retry, enrollment.attempts + 1, ctx.clock.now()),
      },
    };
  }
}

/**
 * Advance one claimed enrollment until it blocks (a wait, a retry, the end), committing after
 * every effect so no effect is recorded twice and none is skipped. If the enrollment changed
 * under us (an outcome, an archive), it is reloaded and replayed: effects that already ran are
 * reused from memory rather than run again. In a batch (`io`: see group-commit.ts) its commits
 * and port calls wait for the batch's; alone, each goes straight to its port.
 */
export async function processClaim(ctx: EngineContext, claim: Claim, io: ClaimIo = directIo(ctx, observedCommit)): Promise<'ok' | 'lost'> {
  let base = claim.enrollment;
  const journey: CompiledJourney | null = ctx.journeys.peek(base.tenantId, base.journeyId, base.journeyVersion) ?? (await ctx.journeys.get(base.tenantId, base.journeyId, base.journeyVersion));
  if (!journey) {
    const now = ctx.clock.now();
    const failed = advanceFailure(base, now, 'journey-version-missing', `journey ${base.journeyId} version ${base.journeyVersion} is not in storage`);
    const result = await io.commit({ enrollment: failed.enrollment, expectedVersion: base.version, token: claim.token, release: true, now, counters: countersOf(base.journeyId, failed.events) });
    if (result === 'ok') emitCommitted(ctx, failed.enrollment, failed.events);
    return result === 'ok' ? 'ok' : 'lost';
  }

  if (ctx.observer.enabled()) ctx.observer.log('debug', 'claim', { ...idsOf(base), workerId: ctx.workerId }, 'claimed a due enrollment');
  // loadCustomer's work, inline (one async frame fewer per claim).
  let customer = ctx.profiles ? plainProfile(await io.getProfile(base.customerId, { tenantId: base.tenantId }), base.customerId) : emptyProfile(base.customerId);
  const counters = counterCacheOf(journey);
  /** The effects this claim carried out (a replay after a conflict reuses them): a few per claim, so a list. */
  const memo: EffectOutcome[] = [];
  // The claim's working copy, advanced in place (no new enrollment per advance); storage gets a copy of its own at each commit.
  let state = copyEnrollment(base);
  /** Whether `state` moved on since `base` (what was last committed or claimed). */
  let changed = false;
  let input: Input = { type: 'wake' };
  // Exact arrays, replaced rather than grown (a claim keeps a few of each between commits).
  let events: readonly StepEvent[] = NO_EVENTS;
  let effects: readonly EffectRecord[] = NO_EFFECTS;
  let conflicts = 0;
  let executed = 0;
  /** Until when this claim is ours: the claim's lease, extended by each commit that keeps it. */
  let leaseUntil = claim.leaseUntil;

  for (;;) {
    const now = ctx.clock.now();
    const step = advanceInPlace(journey, state, input, now, { customer });
    if (step.changed) changed = true;
    if (step.events.length > 0) events = events.length === 0 ? step.events : joined(events, step.events);
    const command = effectOf(step.commands);
    /** Whether this iteration's commit already found the journey active (so no read before the effect). */
    let checked = false;

    if (changed && (command === undefined || effects.length > 0)) {
      state.version = base.version + 1;
      const next: Enrollment = copyEnrollment(state);
      const request: Commit = {
        enrollment: next,
        expectedVersion: base.version,
        token: claim.token,
        release: command === undefined,
        leaseMs: ctx.leaseMs,
        now,
        effects,
        counters: countersOf(base.journeyId, events, counters),
        // Before the next effect the journey must still be active: the commit checks it in its own
        // transaction. Paused (or retired) meanwhile: record what happened and stop here, in place.
        requireActiveJourney: command !== undefined,
      };
      let result = await io.commit(request);
      let parked = false;
      if (result === 'journey-inactive') {
        parked = true;
        ctx.observer.log('info', 'deferred', { ...idsOf(next), stepId: command?.stepId, effect: command?.type, reason: 'journey-inactive' }, 'the journey is no longer active: the next effect waits in place');
        result = await io.commit({ ...request, release: true, requireActiveJourney: false });
      }
      if (result === 'conflict' || result === 'missing') {
        const fresh = result === 'missing' ? null : await ctx.storage.getEnrollment(base.tenantId, base.id);
        if (!fresh || fresh.status !== 'active') {
          // The enrollment ended under us (archived, exited): the effect still happened.
          await recordMovedOnEffects(ctx, fresh ?? state, effects, events);
          return 'lost';
        }
        // Give up after a few tries; the lease runs out and the enrollment is claimed again.
        ctx.observer.log('debug', 'conflict', { ...idsOf(fresh), attempt: conflicts + 1 }, 'the enrollment changed under the claim: replaying');
        if (++conflicts > MAX_CONFLICT_RETRIES) return 'lost';
        base = fresh;
        state = copyEnrollment(fresh);
        changed = false;
        input = { type: 'wake' };
        events = NO_EVENTS;
        effects = NO_EFFECTS;
        continue;
      }
      if (result !== 'ok') return 'lost';
      if (request.release === false) leaseUntil = now + ctx.leaseMs;
      emitCommitted(ctx, next, events);
      emitSent(ctx, next, effects);
      const retry = scheduleOf(step.commands);
      if (input.type === 'effect-failed' && retry && next.lastError) {
        safeEmit(ctx.events, 'retry', { enrollment: next, error: next.lastError, retryAt: retry.wakeAt }, ctx.onListenerError);
      }
      base = next;
      changed = false;
      events = NO_EVENTS;
      effects = NO_EFFECTS;
      if (parked) return 'ok';
      checked = command !== undefined;
    } else if (!changed && command === undefined) {
      await ctx.storage.release(base.id, claim.token);
      return 'ok';
    }

    if (command === undefined) return 'ok';
    let outcome = memoized(memo, command.idempotencyKey);
    if (!outcome) {
      // A long run of effects without a wait gives the event loop a turn now and then.
      if (++executed % YIELD_EVERY === 0) await yieldToEventLoop();
      // The send policy first (it may read storage); then the journey is checked right before the port call.
      const gate =
        command.type === 'send' && sendIsGated(ctx.sendPolicy, journey.sendPolicy, command)
          ? await gateSend(ctx.sendPolicy, journey.sendPolicy, ctx.storage, ctx.leaseMs, state, command, customer, ctx.clock.now(), () => ctx.clock.now() < leaseUntil)
          : null;
      if (gate?.checkedStorage) checked = false;
      if (!checked) {
        const status = await ctx.storage.journeyStatus(base.tenantId, base.journeyId);
        if (status !== 'active') return stopBeforeEffect(ctx, base, claim, status);
      }
      if (gate !== null && gate.hold !== null) outcome = { input: gate.hold };
      else if (ctx.clock.now() >= leaseUntil) {
        // The lease ran out (a stalled process, a long effect before this one): another worker may
        // hold the enrollment by now, so this claim does not start another effect; the next claim
        // replays the same advance, with the same visit and key. A send slot it reserved stays: the
        // slot is the key's, and the worker that holds the enrollment now may be sending under it.
        ctx.observer.log('info', 'lease-lost', { ...idsOf(base), stepId: command.stepId, effect: command.type }, 'the claim\'s lease ran out before an effect: left to the next claim');
        return 'lost';
      } else {
        outcome = await observedExecute(ctx, io, state, command, customer);
        if (outcome.input.type !== 'effect-failed') memo.push(outcome);
        // A failed send gives its slot back, unless the claim's lease ran out meanwhile: another
        // worker may hold the enrollment by now and be sending under the same key (the slot is the
        // key's). That slot stays and counts until the retry confirms it or the enrollment ends.
        else if (gate?.slotTaken && ctx.clock.now() < leaseUntil) await ctx.storage.releaseSendSlot?.(state.tenantId, command.idempotencyKey);
      }
    }
    if (outcome.record) effects = effects.length === 0 ? [outcome.record] : joined(effects, [outcome.record]);
    if (outcome.customer) customer = outcome.customer;
    input = outcome.input;
  }
}

/** The outcome in `memo` of the effect with idempotency key `key` (every outcome there has its effect record). */
function memoized(memo: readonly EffectOutcome[], key: string): EffectOutcome | undefined {
  for (let i = 0; i < memo.length; i++) if (memo[i]!.record?.idempotencyKey === key) return memo[i];
  return undefined;
}

/** A commit, with a span and a debug line (ids, what it carries, the result). */
function observedCommit(ctx: EngineContext, request: Commit): Promise<Awaited<ReturnType<Storage['commit']>>> {
  // Not async itself: an async function answering a promise costs the caller extra turns.
  if (!ctx.observer.enabled()) return ctx.storage.commit(request);
  return commitWithSpan(ctx, request);
}

async function commitWithSpan(ctx: EngineContext, request: Commit): Promise<Awaited<ReturnType<Storage['commit']>>> {
  const fields = { ...idsOf(request.enrollment), events: request.counters?.length ?? 0, effects: request.effects?.length ?? 0, release: request.release === true };
  const span = ctx.observer.span('journey.commit', fields);
  try {
    const result = await ctx.storage.commit(request);
    span.set({ result });
    ctx.observer.log('debug', 'commit', { ...fields, result }, `commit: ${result}`);
    return result;
  } catch (error) {
    span.fail(error instanceof Error ? error.message : String(error));
    throw error;
  } finally {
    span.end();
  }
}

/** {@link execute} with a span and a line: the effect, its ids and whether it worked. */
function observedExecute(ctx: EngineContext, io: ClaimIo, enrollment: Enrollment, command: EffectCommand, customer: CustomerProfile): Promise<EffectOutcome> {
  if (!ctx.observer.enabled()) return execute(ctx, io, enrollment, command, customer);
  return executeWithSpan(ctx, io, enrollment, command, customer);
}

async function executeWithSpan(ctx: EngineContext, io: ClaimIo, enrollment: Enrollment, command: EffectCommand, customer: CustomerProfile): Promise<EffectOutcome> {
  const fields: Record<string, unknown> = { ...idsOf(enrollment), stepId: command.stepId, effect: command.type, idempotencyKey: command.idempotencyKey, visit: command.visit, attempt: enrollment.attempts + 1 };
  if (command.type === 'send') fields['channelId'] = command.channelId;
  if (command.type === 'decide') fields['decisionFlowId'] = command.decisionFlowId;
  // The span starts synchronously: nothing is awaited between the journey check and the port call.
  const span = ctx.observer.span(`journey.effect ${command.type}`, fields);
  const outcome = await execute(ctx, io, enrollment, command, customer);
  const failed = outcome.input.type === 'effect-failed' ? outcome.input.error : undefined;
  span.set({ result: failed === undefined ? 'ok' : 'failed' });
  if (failed !== undefined) span.fail(failed.message);
  span.end();
  const line: Record<string, unknown> = { ...fields, result: failed === undefined ? 'ok' : 'failed' };
  if (outcome.input.type === 'decided') line['offerIds'] = outcome.input.offers.map((o) => o.id);
  if (failed !== undefined) line['error'] = { message: failed.message, code: failed.code };
  if (ctx.observer.customerData) {
    line['customerId'] = enrollment.customerId;
    line['customer'] = customer;
    if (outcome.input.type === 'decided') line['offers'] = outcome.input.offers;
    if (command.type === 'send' && command.offer !== undefined) line['offer'] = command.offer;
  }
  if (failed === undefined) ctx.observer.log('info', 'effect', line, `${command.type} done`);
  else ctx.observer.log('warn', 'effect', line, `${command.type} failed`);
  return outcome;
}

/** Emit `sent` for the send records among `records`, once they are in the effect log. */
function emitSent(ctx: EngineContext, enrollment: Enrollment, records: readonly EffectRecord[]): void {
  for (let i = 0; i < records.length; i++) {
    const record = records[i]!;
    if (record.type !== 'send') continue;
    safeEmit(ctx.events, 'sent', {
      enrollment,
      stepId: record.stepId,
      channelId: String(record.detail?.['channelId'] ?? ''),
      idempotencyKey: record.idempotencyKey,
      receipt: record.detail?.['messageId'] === undefined ? {} : { messageId: String(record.detail['messageId']) },
    }, ctx.onListenerError);
  }
}

/**
 * An effect ran, but its commit was refused because the enrollment ended meanwhile (an archive's
 * `exitAll`, a manual exit). The effect happened, so it goes into the effect log anyway, with the
 * counters of the events up to its step's completion (what came after never happened: the
 * enrollment stays where it ended), and its events are emitted. `appendEffects` is idempotent on
 * the effect's key, so a retry records and counts nothing twice.
 */
async function recordMovedOnEffects(ctx: EngineContext, enrollment: Enrollment, effects: readonly EffectRecord[], events: readonly StepEvent[]): Promise<void> {
  const last = effects[effects.length - 1];
  if (last === undefined) return;
  const completesLast = (e: StepEvent) => e.type === 'completed' && e.stepId === last.stepId && e.visit === last.visit;
  let end = events.length;
  while (end > 0 && !completesLast(events[end - 1]!)) end--;
  const happened = events.slice(0, end);
  const added = await ctx.storage.appendEffects({ tenantId: enrollment.tenantId, effects, counters: countersOf(enrollment.journeyId, happened) });
  if (added.length === 0) return;
  emitCommitted(ctx, enrollment, happened);
  emitSent(ctx, enrollment, added);
}

/**
 * After the check before an effect that no commit of this claim has just checked (the first effect
 * of a claim: time has passed since the claim, reading the customer) found the journey not active.
 * The check reads the journey's status alone (in processClaim), and the effect's port call follows
 * with no await in between, so a pause or archive that returned before the read stops the customer
 * before this effect. A paused journey's customer stays in place: what was committed stays (`base`,
 * the state before this effect's advance); the claim is released and the same advance is replayed
 * on resume, giving the same visit and idempotency key. Answers the claim's result.
 */
async function stopBeforeEffect(ctx: EngineContext, base: Enrollment, claim: Claim, status: JourneyStatus | null): Promise<'ok' | 'lost'> {
  ctx.observer.log('info', 'deferred', { ...idsOf(base), reason: `journey-${status ?? 'missing'}` }, `the journey is ${status ?? 'gone'}: the effect waits in place`);
  await ctx.storage.release(base.id, claim.token);
  return status === 'paused' ? 'ok' : 'lost';
}

function advanceFailure(enrollment: Enrollment, now: number, code: string, message: string): { enrollment: Enrollment; events: StepEvent[] } {
  const error = { message, code, stepId: enrollment.stepId ?? '', at: now, attempts: enrollment.attempts };
  return {
    enrollment: { ...enrollment, status: 'failed', phase: 'done', wakeAt: null, endedAt: now, lastError: error, version: enrollment.version + 1, updatedAt: now },
    events: [{ type: 'failed', stepId: enrollment.stepId, error, at: now }],
  };
}

/** Options of {@link runDue}. */
export interface RunDueOptions {
  /** At most this many enrollments (default: all that are due). */
  readonly limit?: number;
  /** Enrollments claimed per `claimDue` call (default {@link DEFAULT_BATCH_SIZE}; raised to `inFlight` if lower). */
  readonly batchSize?: number;
  /**
   * Claims of a batch advanced together (default {@link DEFAULT_IN_FLIGHT}), so at most this many
   * effects are in flight at once (one per claim: an enrollment's effects stay strictly
   * sequential). Claims start in wake-up order. When the storage has `commitMany`, the commits
   * of the claims waiting together go in one transaction (group commit). A claim that throws does
   * not stop the others of its batch; once the batch has settled, `runDue` rejects with the first
   * error.
   */
  readonly inFlight?: number;
  /** The former name of `inFlight`, still accepted (`inFlight` wins when both are given). */
  readonly concurrency?: number;
}

/** Default `batchSize`: enrollments claimed per `claimDue`. */
export const DEFAULT_BATCH_SIZE = 100;
/** Default `inFlight`: claims advanced together (and effects in flight at most). */
export const DEFAULT_IN_FLIGHT = 100;

/**
 * Advance every enrollment due at `clock.now()`, in wake-up order, at most `limit` of them: claim
 * a batch, advance its claims together (group commit: see group-commit.ts), claim the next.
 */
export async function runDue(ctx: EngineContext, options: RunDueOptions = {}): Promise<RunDueResult> {
  const limit = options.limit ?? Number.POSITIVE_INFINITY;
  const inFlight = Math.max(1, Math.floor(options.inFlight ?? options.concurrency ?? DEFAULT_IN_FLIGHT));
  const batchSize = Math.max(1, Math.min(Math.max(options.batchSize ?? DEFAULT_BATCH_SIZE, inFlight), limit));
  let processed = 0;
  let lost = 0;
  while (processed + lost < limit) {
    const claims = await ctx.storage.claimDue({
      now: ctx.clock.now(),
      limit: Math.min(batchSize, limit - processed - lost),
      leaseMs: ctx.leaseMs,
      workerId: ctx.workerId,
      onQuarantine: (entry) => safeEmit(ctx.events, 'quarantined', entry, ctx.onListenerError),
    });
    if (claims.length === 0) break;
    const batch = new ClaimBatch(ctx, observedCommit);
    // A customer's claims (in several journeys) stay one after another, in wake-up order, in one
    // lane: frequency caps and send slots see them as a single worker would.
    // (null: every claim is a different customer's, each its own group)
    const groups = byCustomer(claims);
    const count = groups === null ? claims.length : groups.length;
    let next = 0;
    let failed: { error: unknown } | undefined;
    const one = async (claim: Claim): Promise<void> => {
      try {
        if ((await processClaim(ctx, claim, batch)) === 'ok') processed += 1;
        else lost += 1;
      } catch (error) {
        failed ??= { error };
      }
    };
    const lane = async (): Promise<void> => {
      try {
        while (next < count) {
          if (groups === null) {
            await one(claims[next++]!);
            continue;
          }
          const group = groups[next++]!;
          for (let i = 0; i < group.length; i++) await one(group[i]!);
        }
      } finally {
        batch.leave();
      }
    };
    const lanes = Math.min(inFlight, count);
    batch.enter(lanes);
    await Promise.all(Array.from({ length: lanes }, lane));
    if (failed) throw failed.error;
  }
  return { processed, lost };
}

/**
 * Claims grouped by customer (tenant and customer id), groups in the order of their first claim;
 * null when no customer has two claims in the batch (the usual case: no group arrays to build).
 */
function byCustomer(claims: readonly Claim[]): Claim[][] | null {
  // Keyed by customer id alone when the batch has one tenant (the usual case: no key string per claim).
  const tenant = claims[0]?.enrollment.tenantId;
  const oneTenant = claims.every((c) => c.enrollment.tenantId === tenant);
  const keyOf = (claim: Claim) => (oneTenant ? claim.enrollment.customerId : `${claim.enrollment.tenantId}\u0000${claim.enrollment.customerId}`);
  const seen = new Set<string>();
  for (let i = 0; i < claims.length; i++) {
    const key = keyOf(claims[i]!);
    if (seen.has(key)) return grouped(claims, keyOf);
    seen.add(key);
  }
  return null;
}

function grouped(claims: readonly Claim[], keyOf: (claim: Claim) => string): Claim[][] {
  const groups = new Map<string, Claim[]>();
  for (let i = 0; i < claims.length; i++) {
    const claim = claims[i]!;
    const key = keyOf(claim);
    const group = groups.get(key);
    if (group) group.push(claim);
    else groups.set(key, [claim]);
  }
  return [...groups.values()];
}
