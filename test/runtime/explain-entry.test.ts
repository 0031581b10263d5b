import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ENTRY_RULES, type EntryExplanation } from '../../src/runtime/entry-rules.js';
import { DAY, HOUR, journey, T0 } from './helpers.js';
import { harness, rejects, type Harness } from './engine-helpers.js';
import { STORAGE_KINDS } from './storages.js';

const wait = [{ id: 'w', type: 'wait', config: { duration: 10, unit: 'days' } }];

async function created(h: Harness, entryConditions: Record<string, unknown>, status = 'active'): Promise<string> {
  return (await h.engine.createJourney(journey(wait, { status, entryConditions }))).id;
}

const verdicts = (x: EntryExplanation) => x.rules.map((r) => [r.rule, r.status]);
const rule = (x: EntryExplanation, name: string) => x.rules.find((r) => r.rule === name)!;

describe.each(STORAGE_KINDS)('explainEntry ($name)', (kind) => {
  const open = async () => harness({ storage: await kind.make(), customers: [{ id: 'c1', segments: ['vip'] }, { id: 'c2', segments: [] }] });

  it('lists every rule for a customer who can enter, in order, and changes nothing', async () => {
    const h = await open();
    const id = await created(h, {});
    const x = await h.engine.explainEntry(id, 'c1');
    expect(x).toEqual({ journeyId: id, customerId: 'c1', via: 'manual', canEnter: true, checkedAt: new Date(T0).toISOString(), rules: expect.any(Array) });
    expect(verdicts(x)).toEqual([
      ['journey-active', 'passed'],
      ['manual-enrollment', 'passed'],
      ['segments', 'not-applicable'],
      ['already-enrolled', 'passed'],
      ['min-days-since-last-journey', 'not-applicable'],
      ['re-entry', 'not-applicable'],
      ['re-entry-after-days', 'not-applicable'],
    ]);
    expect(x.rules.every((r) => r.passed && r.message.length > 0)).toBe(true);
    expect((await h.engine.listEnrollments({ journeyId: id })).total).toBe(0);
  });

  it('says why not, rule by rule: every failing rule, the first one as the reason', async () => {
    const h = await open();
    const other = await created(h, {});
    const id = await created(h, { segments: ['vip'], minDaysSinceLastJourney: 10, reEntryAfterDays: 3 });
    await h.engine.enroll(other, { customerId: 'c2' });
    const [e] = (await h.engine.enroll(id, { customerId: 'c1' })).enrolled;
    const c1 = await h.engine.explainEntry(id, 'c1');
    expect(c1.canEnter).toBe(false);
    expect(c1.reason).toBe('already-enrolled');
    expect(rule(c1, 'already-enrolled')).toMatchObject({ status: 'failed', passed: false, reason: 'already-enrolled', details: { enrollmentId: e!.enrollmentId } });
    expect(rule(c1, 'min-days-since-last-journey')).toMatchObject({ status: 'failed', reason: 'too-soon', message: expect.stringContaining('in this journey now') });
    // reEntryAfterDays measures from an enrollment in this journey that ended; being in it now is already-enrolled
    expect(rule(c1, 're-entry-after-days')).toMatchObject({ status: 'passed', details: { daysSince: null, requiredDays: 3 } });

    const c2 = await h.engine.explainEntry(id, 'c2');
    expect(c2.reason).toBe('not-in-segment');
    expect(c2.rules.filter((r) => !r.passed).map((r) => [r.rule, r.reason])).toEqual([
      ['segments', 'not-in-segment'],
      ['min-days-since-last-journey', 'too-soon'],
    ]);
    expect(rule(c2, 'min-days-since-last-journey').message).toMatch(/in another journey now/);
    expect(rule(c2, 'segments').details).toEqual({ segments: ['vip'], matched: [] });
  });

  it('reEntry never: failed for a customer who was ever in the journey; reEntryAfterDays is then not applicable', async () => {
    const h = await open();
    const id = await created(h, { reEntry: 'never', reEntryAfterDays: 5 });
    expect(rule(await h.engine.explainEntry(id, 'c1'), 're-entry')).toMatchObject({ status: 'passed', details: { enrollments: 0 } });
    const [e] = (await h.engine.enroll(id, { customerId: 'c1' })).enrolled;
    await h.engine.exitEnrollment(e!.enrollmentId);
    const x = await h.engine.explainEntry(id, 'c1');
    expect(x).toMatchObject({ canEnter: false, reason: 're-entry-never' });
    expect(rule(x, 're-entry')).toMatchObject({ status: 'failed', reason: 're-entry-never', details: { enrollments: 1 } });
    expect(rule(x, 're-entry-after-days')).toMatchObject({ status: 'not-applicable', message: expect.stringContaining('ignored: reEntry is "never"') });
  });

  it('reEntryAfterDays: days since and days required, and when the customer may enter again; exactly N days passes', async () => {
    const h = await open();
    const id = await created(h, { reEntryAfterDays: 2 });
    const [e] = (await h.engine.enroll(id, { customerId: 'c1' })).enrolled;
    await h.engine.exitEnrollment(e!.enrollmentId);
    const ended = h.clock.now();
    h.clock.advance(12 * HOUR);
    const early = await h.engine.explainEntry(id, 'c1');
    expect(early.reason).toBe('re-entry-too-soon');
    expect(rule(early, 're-entry-after-days')).toMatchObject({
      status: 'failed',
      message: expect.stringMatching(/ended 0\.5 days ago; reEntryAfterDays requires 2/),
      details: { daysSince: 0.5, requiredDays: 2, lastEndedAt: new Date(ended).toISOString(), canEnterFrom: new Date(ended + 2 * DAY).toISOString() },
    });
    h.clock.set(ended + 2 * DAY);
    const x = await h.engine.explainEntry(id, 'c1');
    expect(x.canEnter).toBe(true);
    expect(rule(x, 're-entry-after-days')).toMatchObject({ status: 'passed', details: { daysSince: 2 } });
  });

  it('journey not active, manual enrollment off; via "event" checks the event triggers instead', async () => {
    const h = await open();
    const paused = await created(h, { manual: false, events: [{ type: 'signup' }, { type: 'signup', properties: { plan: 'pro' } }] });
    await h.engine.setStatus(paused, 'paused');
    const manual = await h.engine.explainEntry(paused, 'c1');
    expect(manual.reason).toBe('journey-not-active');
    expect(manual.rules.filter((r) => !r.passed).map((r) => r.reason)).toEqual(['journey-not-active', 'manual-disabled']);
    const event = await h.engine.explainEntry(paused, 'c1', { via: 'event' });
    expect(event.via).toBe('event');
    expect(event.rules.map((r) => r.rule)).not.toContain('manual-enrollment');
    expect(rule(event, 'event-trigger')).toMatchObject({ status: 'passed', details: { eventTypes: ['signup'] } });
    const noTrigger = await created(h, {});
    expect(rule(await h.engine.explainEntry(noTrigger, 'c1', { via: 'event' }), 'event-trigger')).toMatchObject({ status: 'failed', reason: 'no-event-trigger' });
  });

  it('refuses unknown journeys, bad ids and bad options with coded errors', async () => {
    const h = await open();
    const id = await created(h, {});
    await rejects(h.engine.explainEntry('jrn_missing', 'c1'), 'journey-not-found');
    expect((await rejects(h.engine.explainEntry(id, ''), 'invalid-id')).path).toEqual(['customerId']);
    expect((await rejects(h.engine.explainEntry(id, 42 as unknown as string), 'invalid-request')).path).toEqual(['customerId']);
    expect((await rejects(h.engine.explainEntry(id, 'c1', { via: 'api' as 'event' }), 'invalid-request')).path).toEqual(['via']);
    const typo = await rejects(h.engine.explainEntry(id, 'c1', { vai: 'event' } as never), 'unknown-field');
    expect(typo.path).toEqual(['vai']);
    // ids that are names on Object.prototype are ordinary ids
    for (const odd of ['constructor', '__proto__', 'toString']) expect((await h.engine.explainEntry(id, odd)).canEnter).toBe(true);
  });
});

describe('explainEntry agrees with enrolling (property)', () => {
  /** What happens to the customer before the question is asked. */
  const op = fc.oneof(
    fc.record({ op: fc.constant('enter' as const), journey: fc.constantFrom('this' as const, 'this' as const, 'other' as const) }),
    fc.record({ op: fc.constant('exit' as const), journey: fc.constantFrom('this' as const, 'this' as const, 'other' as const) }),
    fc.record({ op: fc.constant('advance' as const), hours: fc.integer({ min: 0, max: 24 * 4 }) }),
  );
  const days = (freq: number) => fc.option(fc.constantFrom(0, 0.25, 0.5, 1, 2, 3, 7), { nil: undefined, freq });
  // Biased towards journeys a customer can get into, so the later rules are reached often.
  const conditions = fc.record(
    {
      segments: fc.constantFrom([], [], ['vip'], ['vip', 'gold']),
      manual: fc.constantFrom(true, true, true, false),
      events: fc.constantFrom([{ type: 'go' }], [{ type: 'go' }], []),
      minDaysSinceLastJourney: days(2),
      reEntry: fc.constantFrom('after-exit' as const, 'never' as const),
      reEntryAfterDays: days(3),
    },
    { requiredKeys: [] },
  );
  const scenario = fc.record({
    history: fc.array(op, { maxLength: 12 }),
    conditions,
    segments: fc.constantFrom(['vip'], ['vip', 'gold'], ['gold'], []),
    status: fc.constantFrom('active', 'active', 'active', 'active', 'paused'),
    via: fc.constantFrom('manual' as const, 'event' as const),
    /** Then end the customer's enrollment in this journey, if any (re-entry is about ended ones). */
    endThis: fc.boolean(),
  });

  it.each(STORAGE_KINDS.map((k, i) => [k.name, k, [300, 40, 25][i]!] as const))('%s: canEnter ⇔ enroll (or a matching event) enrolls, with the same reason', async (_, kind, numRuns) => {
    const h = harness({ storage: await kind.make() });
    let n = 0;
    await fc.assert(
      fc.asyncProperty(scenario, async (s) => {
        const customerId = `c${++n}`;
        h.profiles.set({ id: customerId, segments: s.segments });
        const ids = { this: await created(h, {}), other: await created(h, {}) };
        const history = s.endThis ? [...s.history, { op: 'exit' as const, journey: 'this' as const }, { op: 'advance' as const, hours: 12 }] : s.history;
        for (const step of history) {
          if (step.op === 'advance') h.clock.advance(step.hours * HOUR);
          else if (step.op === 'enter') await h.engine.enroll(ids[step.journey], { customerId });
          else {
            const [active] = (await h.engine.listEnrollments({ journeyId: ids[step.journey], customerId, status: 'active' })).items;
            if (active) await h.engine.exitEnrollment(active.id);
          }
        }
        try {
          // The rules under test, set on a new version of the same journey (its history stays).
          await h.engine.setStatus(ids.this, 'paused');
          await h.engine.updateJourney(ids.this, { entryConditions: s.conditions });
          if (s.status === 'active') await h.engine.setStatus(ids.this, 'active');

          const x = await h.engine.explainEntry(ids.this, customerId, { via: s.via });
          expect(x.rules.map((r) => r.rule)).toEqual(ENTRY_RULES.filter((r) => r !== (s.via === 'manual' ? 'event-trigger' : 'manual-enrollment')));
          expect(x.canEnter).toBe(x.rules.every((r) => r.passed));
          if (s.via === 'manual') {
            const result = await h.engine.enroll(ids.this, { customerId }).catch((e: { code: string }) => e);
            if ('code' in result) {
              // enroll refuses the whole call for a journey that is not active
              expect([result.code, x.canEnter]).toEqual(['journey-not-active', false]);
              expect(x.reason).toBe('journey-not-active');
            } else {
              expect(result.enrolled.length === 1).toBe(x.canEnter);
              expect(result.skipped[0]?.reason).toBe(x.reason);
            }
          } else {
            const result = await h.engine.ingestEvent({ customerId, type: 'go' });
            const skip = result.skipped.find((e) => e.journeyId === ids.this);
            expect(result.enrolled.some((e) => e.journeyId === ids.this)).toBe(x.canEnter);
            // A journey that is not active or has no trigger is not even considered for the event.
            if (!x.canEnter && !skip) expect(['journey-not-active', 'no-event-trigger']).toContain(x.reason);
            else expect(skip?.reason).toBe(x.reason);
          }
        } finally {
          // Archived (also when the run fails, while fast-check shrinks): later runs' events never reach these journeys.
          await h.engine.setStatus(ids.this, 'archived');
          await h.engine.setStatus(ids.other, 'archived');
        }
      }),
      { numRuns },
    );
  }, 120_000);
});
