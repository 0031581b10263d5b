/**
 * `advance` is pure at its boundary and `advanceInPlace` is the same function on a working copy:
 * over random journeys (with and without loops) and random input sequences — effect results,
 * failures, deferrals, outcomes, events, wake-ups early and late, exits — every `advance` leaves
 * its (deep-frozen) input exactly as it was, and `advanceInPlace` on a shallow copy of the same
 * enrollment ends with the same enrollment, commands and events, writing only into the copy.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { advance, advanceInPlace, copyEnrollment, createEnrollment } from '../../src/runtime/interpreter.js';
import type { CompiledJourney } from '../../src/runtime/compile-journey.js';
import type { Command, CustomerProfile, EffectCommand, Enrollment, Input } from '../../src/runtime/types.js';
import { compile, MINUTE, T0 } from './helpers.js';
import { journeyArbitrary, loopingJourneyArbitrary } from './journey-arbitrary.js';

function deepFreeze<T>(value: T): T {
  if (value !== null && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
  }
  return value;
}

const CUSTOMERS: readonly CustomerProfile[] = [
  { id: 'c1', attributes: {}, segments: [] },
  { id: 'c1', attributes: { score: 80 }, segments: ['vip'] },
];

function effectOf(commands: readonly Command[]): EffectCommand | undefined {
  return commands.find((c): c is EffectCommand => c.type === 'decide' || c.type === 'send' || c.type === 'update');
}

/** The next input for `e`, chosen by `choice`, answering `pending` (the effect the last advance issued) when there is one. */
function nextInput(e: Enrollment, pending: EffectCommand | undefined, choice: number, now: number, i: number): { input: Input; now: number } {
  const later = now + (choice % 7) * MINUTE;
  if (choice % 23 === 0) return { input: { type: 'exit', reason: 'manual' }, now };
  if (choice % 29 === 0) return { input: { type: 'archive' }, now };
  if (choice % 31 === 0) return { input: { type: 'pause' }, now };
  if (pending !== undefined && e.phase === 'effect') {
    const { stepId, visit } = pending;
    switch (choice % 6) {
      case 0:
        return { input: { type: 'effect-failed', stepId, visit, error: { message: 'down', code: 'E' }, retryAt: choice % 12 === 0 ? null : later + MINUTE }, now };
      case 1:
        if (pending.type === 'send') return { input: { type: 'deferred', stepId, visit, until: later + MINUTE, reason: 'quiet-hours', detail: { n: i } }, now };
        break;
      case 2:
        if (pending.type === 'send') return { input: { type: 'effect-skipped', stepId, visit, reason: 'cap' }, now };
        break;
      case 3:
        // A stale result (another visit): changes nothing.
        return { input: { type: 'updated', stepId, visit: visit + 1 }, now };
    }
    switch (pending.type) {
      case 'decide':
        return { input: { type: 'decided', stepId, visit, offers: choice % 5 === 0 ? [] : [{ id: `o${i}`, apr: 5 }] }, now };
      case 'send':
        return { input: { type: 'sent', stepId, visit, receipt: choice % 2 === 0 ? { messageId: `m${i}` } : {} }, now };
      case 'update':
        return { input: { type: 'updated', stepId, visit }, now };
    }
  }
  switch (choice % 5) {
    case 0:
      return { input: { type: 'outcome', outcome: { type: choice % 2 === 0 ? 'click' : 'conversion', at: now, key: `k${choice % 4}` } }, now };
    case 1:
      return { input: { type: 'event', event: { type: 'evt', properties: { n: i }, at: now } }, now };
    case 2:
      return { input: { type: 'wake' }, now }; // often early: unchanged
    default:
      return { input: { type: 'wake' }, now: Math.max(later, e.wakeAt ?? later) };
  }
}

/** Drive one enrollment through `choices`, checking both properties at every advance. */
function check(journey: CompiledJourney, choices: readonly number[], customer: CustomerProfile): void {
  let now = T0;
  let e: Enrollment = deepFreeze(createEnrollment(journey, { id: 'enr_1', customerId: 'c1', context: { source: 'test' } }, now));
  let pending: EffectCommand | undefined;
  for (let i = 0; i < choices.length && e.status === 'active'; i++) {
    const next = nextInput(e, pending, choices[i]!, now, i);
    now = next.now;
    const before = structuredClone(e);
    // Frozen all the way down: a write into the input or anything it refers to throws.
    const pure = advance(journey, e, next.input, now, { customer });
    expect(e).toEqual(before);

    const working = { ...e };
    const inPlace = advanceInPlace(journey, working, next.input, now, { customer });
    expect(inPlace.changed).toBe(pure.enrollment !== e);
    expect(working).toEqual(pure.enrollment);
    // What storage is handed (the worker's copy of its working state) has the same own fields as
    // `advance`'s answer: a field the advance cleared is absent, never present as undefined.
    expect(copyEnrollment(working)).toStrictEqual(pure.enrollment);
    expect(Object.entries(pure.enrollment).filter(([, v]) => v === undefined)).toEqual([]);
    expect(inPlace.commands).toEqual(pure.commands);
    expect(inPlace.events).toEqual(pure.events);
    expect(e).toEqual(before);

    pending = effectOf(pure.commands) ?? (pure.enrollment === e ? pending : undefined);
    e = deepFreeze(pure.enrollment);
  }
}

describe('advance is pure; advanceInPlace is advance on a working copy', () => {
  it('over random journeys and inputs: the input is never written, both give the same enrollment, commands and events', () => {
    fc.assert(
      fc.property(journeyArbitrary, fc.array(fc.nat(10_000), { minLength: 1, maxLength: 60 }), fc.boolean(), (doc, choices, vip) => {
        check(compile(doc), choices, CUSTOMERS[vip ? 1 : 0]!);
      }),
      { numRuns: 300 },
    );
  });

  it('the same over journeys with loops (visits counted and copied on write)', () => {
    fc.assert(
      fc.property(loopingJourneyArbitrary, fc.array(fc.nat(10_000), { minLength: 1, maxLength: 80 }), fc.boolean(), (doc, choices, vip) => {
        check(compile(doc), choices, CUSTOMERS[vip ? 1 : 0]!);
      }),
      { numRuns: 200 },
    );
  });

  it('a snapshot taken by shallow copy between in-place advances stays as it was', () => {
    const journey = compile({
      name: 'Snap',
      maxDuration: 30,
      steps: [
        { id: 'd', type: 'decide', config: { decisionFlowId: 'df', maxOffers: 1 } },
        { id: 's', type: 'send', config: { channelId: 'ch', resultSource: 'd' } },
        { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
      ],
    });
    const working = { ...createEnrollment(journey, { id: 'enr_s', customerId: 'c1' }, T0) };
    const first = advanceInPlace(journey, working, { type: 'wake' }, T0);
    expect(first.changed).toBe(true);
    const decide = effectOf(first.commands)!;
    advanceInPlace(journey, working, { type: 'decided', stepId: decide.stepId, visit: decide.visit, offers: [{ id: 'o1' }] }, T0);
    const snapshot = deepFreeze({ ...working });
    const copy = structuredClone(snapshot);
    const send = advanceInPlace(journey, working, { type: 'sent', stepId: 's', visit: 1, receipt: {} }, T0 + 1);
    expect(send.changed).toBe(true);
    expect(snapshot).toEqual(copy);
    expect(working.phase).toBe('waiting');
    expect(working.sends).toHaveLength(1);
    expect(working.version).toBe(snapshot.version + 1);
    // An input that changes nothing leaves the working copy untouched.
    const early = advanceInPlace(journey, working, { type: 'wake' }, T0 + 2);
    expect(early).toMatchObject({ changed: false, commands: [], events: [] });
    expect(working.version).toBe(snapshot.version + 1);
  });
});
