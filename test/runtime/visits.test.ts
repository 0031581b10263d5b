/**
 * Visit counts and idempotency keys: a step on no cycle is entered at most once, so its visit is
 * always 1 and the enrollment keeps no count for it; only steps on a cycle are counted.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { CompiledJourney } from '../../src/runtime/compile-journey.js';
import { advance, createEnrollment, visitOf } from '../../src/runtime/interpreter.js';
import type { AdvanceResult, CustomerProfile, Enrollment, Input } from '../../src/runtime/types.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { compile, DAY, journey, MINUTE, T0, updateWaitChain } from './helpers.js';
import { journeyArbitrary, loopingJourneyArbitrary, outcomesArbitrary } from './journey-arbitrary.js';

interface Effect {
  readonly stepId: string;
  readonly visit: number;
  readonly key: string;
}

interface Drive {
  /** Outcomes to record, in time order. */
  readonly outcomes?: readonly { readonly at: number; readonly type: string }[];
  readonly customer?: CustomerProfile;
  /** Called before each advance; may replace the enrollment (e.g. with a row an older version wrote). */
  readonly before?: (e: Enrollment, step: number) => Enrollment;
  /** Called after each advance with its result. */
  readonly after?: (r: AdvanceResult, input: Input) => void;
  /** Whether effect number n fails once before it succeeds (its retry must keep its key). */
  readonly failsOnce?: (n: number) => boolean;
  /** Whether decide number n returns no offer. */
  readonly noOffer?: (n: number) => boolean;
}

/** Run one enrollment through `j` with the interpreter alone, answering every effect; returns every effect command issued. */
function drive(j: CompiledJourney, options: Drive = {}): { effects: Effect[]; enrollment: Enrollment } {
  let e = createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0);
  let now = T0;
  const effects: Effect[] = [];
  const outcomes = [...(options.outcomes ?? [])];
  let n = 0;
  let steps = 0;
  const failed = new Set<string>();
  const step = (input: Input): AdvanceResult => {
    if (options.before) e = options.before(e, steps);
    steps++;
    const r = advance(j, e, input, now, { customer: options.customer ?? null });
    options.after?.(r, input);
    e = r.enrollment;
    return r;
  };
  const answer = (r: AdvanceResult): void => {
    for (let guard = 0; guard < 10_000; guard++) {
      const c = r.commands.find((x) => x.type === 'decide' || x.type === 'send' || x.type === 'update');
      if (c === undefined || (c.type !== 'decide' && c.type !== 'send' && c.type !== 'update')) return;
      effects.push({ stepId: c.stepId, visit: c.visit, key: c.idempotencyKey });
      n++;
      if (!failed.has(c.idempotencyKey) && options.failsOnce?.(n)) {
        failed.add(c.idempotencyKey);
        r = step({ type: 'effect-failed', stepId: c.stepId, visit: c.visit, error: { message: 'down' }, retryAt: now + MINUTE });
        now += MINUTE;
        r = step({ type: 'wake' });
        continue;
      }
      switch (c.type) {
        case 'decide':
          r = step({ type: 'decided', stepId: c.stepId, visit: c.visit, offers: options.noOffer?.(n) ? [] : [{ id: `o${n}` }] });
          break;
        case 'send':
          r = step({ type: 'sent', stepId: c.stepId, visit: c.visit, receipt: {} });
          break;
        case 'update':
          r = step({ type: 'updated', stepId: c.stepId, visit: c.visit });
          break;
      }
    }
    throw new Error('effects did not settle');
  };
  for (let guard = 0; guard < 200_000 && e.status === 'active'; guard++) {
    const next = outcomes[0];
    if (next !== undefined && e.wakeAt !== null && next.at <= e.wakeAt) {
      outcomes.shift();
      now = Math.max(now, next.at);
      step({ type: 'outcome', outcome: { type: next.type, at: now, key: `k${guard}` } });
      continue;
    }
    now = Math.max(now, e.wakeAt ?? now);
    answer(step({ type: 'wake' }));
  }
  return { effects, enrollment: e };
}

/** start → [u → w → b (click: done; else back to u)] → done: the bracketed steps form a loop through a wait. */
const loopThroughWait = journey([
  { id: 'start', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'stage', value: 'in' }] } },
  { id: 'u', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'stage', value: 'loop' }] } },
  { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
  { id: 'b', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'done' }], defaultTargetStepId: 'u' } },
  { id: 'done', type: 'send', config: { channelId: 'ch' }, next: null },
]);

describe('which steps a journey can enter more than once (compiled)', () => {
  it('marks a step revisitable exactly when it lies on a cycle, counting conditions, defaults, next and self-loops', () => {
    const j = compile(journey([
      { id: 'start', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'x' }] } },
      { id: 'u', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'stage', value: 1 }] } },
      { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
      // the loop back to u goes through the default; the condition leaves it
      { id: 'b', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'c' }], defaultTargetStepId: 'u' } },
      // the loop back to c goes through a condition
      { id: 'c', type: 'wait', config: { duration: 1, unit: 'days' } },
      { id: 'd', type: 'branch', config: { conditions: [{ expression: "outcome == 'dismiss'", targetStepId: 'c' }] } },
      // a wait that repeats itself
      { id: 'self', type: 'wait', config: { duration: 1, unit: 'days' }, next: 'self' },
      { id: 'end', type: 'send', config: { channelId: 'ch' }, next: null },
    ]));
    const revisitable = Object.fromEntries([...j.steps.values()].map((s) => [s.id, s.revisitable]));
    expect(revisitable).toEqual({ start: false, u: true, w: true, b: true, c: true, d: true, self: true, end: false });
  });

  it('marks no step of a straight chain revisitable', () => {
    const j = compile(updateWaitChain(50));
    expect([...j.steps.values()].some((s) => s.revisitable)).toBe(false);
  });
});

describe('visit counts on an enrollment', () => {
  it('a run through an acyclic 10,000-step update/wait chain never copies a visits record and keys every effect enrollmentId:stepId:1', () => {
    const j = compile(updateWaitChain(10_000));
    let first: Enrollment['visits'] | undefined;
    let copies = 0;
    const { effects, enrollment } = drive(j, {
      before: (e) => {
        first ??= e.visits;
        return e;
      },
      after: (r) => {
        if (r.enrollment.visits !== first) copies++;
      },
    });
    expect(enrollment.status).toBe('completed');
    expect(copies).toBe(0);
    expect(enrollment.visits).toEqual({});
    expect(effects).toHaveLength(5_000);
    expect(effects.every((x, i) => x.stepId === `u${2 * i}` && x.visit === 1 && x.key === `e1:u${2 * i}:1`)).toBe(true);
  });

  it('counts the visits of a branch looping back through a wait: keys :1, :2, :3, and keeps counts only for the loop', () => {
    const j = compile(loopThroughWait);
    // a click after the third pass through the loop's wait has begun
    const { effects, enrollment } = drive(j, { outcomes: [{ at: T0 + 2 * DAY + MINUTE, type: 'click' }] });
    expect(effects.map((x) => x.key)).toEqual(['e1:start:1', 'e1:u:1', 'e1:u:2', 'e1:u:3', 'e1:done:1']);
    expect(enrollment.status).toBe('completed');
    expect(enrollment.visits).toEqual({ u: 3, w: 3, b: 3 });
  });

  it('visitOf: the count for a counted step, else 1', () => {
    const e = { ...createEnrollment(compile(loopThroughWait), { id: 'e1', customerId: 'c1' }, T0), visits: { u: 2 } };
    expect(visitOf(e, 'u')).toBe(2);
    expect(visitOf(e, 'start')).toBe(1);
  });
});

describe('rows written by older versions (a visits record with every step)', () => {
  it('an enrollment mid-journey with a full visits record advances with the same idempotency keys', () => {
    const j = compile(loopThroughWait);
    const outcomes = [{ at: T0 + 2 * DAY + MINUTE, type: 'click' }];
    const now = drive(j, { outcomes }).effects.map((x) => x.key);
    // The same run, where every enrollment handed to advance carries the record an older version
    // wrote: a count for every step entered so far.
    const counts = new Map<string, number>();
    const old = drive(j, {
      outcomes,
      before: (e) => ({ ...e, visits: Object.fromEntries(counts) }),
      after: (r) => {
        for (const event of r.events) if (event.type === 'entered') counts.set(event.stepId, (counts.get(event.stepId) ?? 0) + 1);
      },
    });
    expect(old.effects.map((x) => x.key)).toEqual(now);
    expect(old.enrollment.visits).toEqual({ start: 1, u: 3, w: 3, b: 3, done: 1 });
  });

  it('an older row waiting on the effect of a step on no cycle (visits[step] = 1) takes its result and retries with key :1', () => {
    const j = compile(loopThroughWait);
    const e0 = createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0);
    const issued = advance(j, e0, { type: 'wake' }, T0);
    const old = { ...issued.enrollment, visits: { start: 1 } };
    expect(advance(j, old, { type: 'wake' }, T0).commands).toEqual([expect.objectContaining({ type: 'update', stepId: 'start', idempotencyKey: 'e1:start:1' })]);
    const done = advance(j, old, { type: 'updated', stepId: 'start', visit: 1 }, T0);
    expect(done.enrollment).toMatchObject({ stepId: 'u', phase: 'effect', visits: { start: 1, u: 1 } });
    expect(done.commands).toEqual([expect.objectContaining({ type: 'update', idempotencyKey: 'e1:u:1' })]);
  });
});

describe('expressions that read enrollment.visits', () => {
  it('still see 1 for an entered step on no cycle, and nothing for a step not entered', () => {
    const j = compile(journey([
      { id: 'pick', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'a' }], defaultTargetStepId: 'b' } },
      { id: 'a', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'a' }] }, next: 'join' },
      { id: 'b', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'b' }] }, next: 'join' },
      { id: 'join', type: 'branch', config: { conditions: [{ expression: 'enrollment.visits.b == 1 && enrollment.visits.a == undefined', targetStepId: 'yes' }], defaultTargetStepId: 'no' } },
      { id: 'yes', type: 'send', config: { channelId: 'ch' }, next: null },
      { id: 'no', type: 'send', config: { channelId: 'ch' }, next: null },
    ]));
    const r = advance(j, createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0);
    expect(r.commands).toEqual([expect.objectContaining({ type: 'send', idempotencyKey: 'e1:yes:1' })]);
  });
});

const valid = fc.oneof(journeyArbitrary, loopingJourneyArbitrary).filter((doc) => validateJourney(doc).valid);

describe('idempotency keys over random journeys', () => {
  it('every effect carries the visit and key of full visit counting, also when rows of older versions are read back', () => {
    fc.assert(
      fc.property(valid, outcomesArbitrary, fc.array(fc.boolean(), { minLength: 8, maxLength: 8 }), fc.boolean(), (doc, outcomes, bits, oldRows) => {
        const j = compile(doc);
        // The reference: count every entry of every step, from the interpreter's `entered` events.
        const counts = new Map<string, number>();
        const expected: Effect[] = [];
        const { effects } = drive(j, {
          customer: { id: 'c1', segments: bits[0] ? ['vip'] : [], attributes: { score: bits[1] ? 70 : 10 } },
          outcomes: outcomes.map((o) => ({ at: T0 + o.atMinutes * MINUTE, type: o.type })).sort((a, b) => a.at - b.at),
          failsOnce: (n) => bits[2 + (n % 6)] === true,
          noOffer: (n) => n % 3 === 0,
          // Half the runs read every enrollment back as an older version wrote it (every step counted).
          before: (e) => (oldRows ? { ...e, visits: Object.fromEntries(counts) } : e),
          after: (r) => {
            for (const event of r.events) {
              if (event.type !== 'entered') continue;
              const visit = (counts.get(event.stepId) ?? 0) + 1;
              counts.set(event.stepId, visit);
              expect(event.visit).toBe(visit);
            }
            for (const c of r.commands) {
              if (c.type !== 'decide' && c.type !== 'send' && c.type !== 'update') continue;
              const visit = counts.get(c.stepId)!;
              expected.push({ stepId: c.stepId, visit, key: `e1:${c.stepId}:${visit}` });
            }
          },
        });
        expect(effects).toEqual(expected);
        for (const x of effects) expect(x.key).toBe(`e1:${x.stepId}:${x.visit}`);
      }),
      { numRuns: 200 },
    );
  });
});
