/** Journey goals: conversions checked on every event and outcome, at any step; exit criteria; stats per goal, variant and last touch. */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/adapters/http/index.js';
import { checkedHandler } from '../http/openapi-check.js';
import { simulate } from '../../src/simulate/simulate.js';
import { advance, createEnrollment } from '../../src/runtime/interpreter.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { harness } from './engine-helpers.js';
import { compile, DAY, HOUR, journey, MINUTE, T0 } from './helpers.js';
import { STORAGE_KINDS } from './storages.js';

const goals = [
  { id: 'converted', label: 'Took the loan', outcome: 'conversion', exit: true },
  { id: 'big_purchase', event: 'purchase', where: 'event.properties.amount >= 1000', exit: false },
];

const nurture = journey(
  [
    { id: 'mail', type: 'send', config: { channelId: 'email' } },
    { id: 'w', type: 'wait', config: { duration: 7, unit: 'days' } },
    { id: 'again', type: 'send', config: { channelId: 'sms' }, next: null },
  ],
  { status: 'active', goals },
);

const codes = (doc: unknown) => validateJourney(doc).diagnostics.map((d) => `${d.severity}:${d.code}:${d.path.join('.')}`);

describe('goals: validation', () => {
  it('accepts the document shape, with where reading the event', () => {
    expect(codes(nurture)).toEqual([]);
  });

  it('refuses a goal with both or neither of event and outcome, a where on an outcome goal, and a repeated id, at their paths', () => {
    const bad = journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }], {
      goals: [{ id: 'a', outcome: 'click', event: 'x' }, { id: 'b' }, { id: 'c', outcome: 'click', where: 'true' }],
    });
    expect(codes(bad)).toEqual(expect.arrayContaining([
      expect.stringMatching(/^error:.*:goals\.0\.outcome$/),
      expect.stringMatching(/^error:.*:goals\.1\.event$/),
      expect.stringMatching(/^error:.*:goals\.2\.where$/),
    ]));
    const twice = journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }], { goals: [{ id: 'a', outcome: 'click' }, { id: 'a', event: 'x' }] });
    expect(codes(twice)).toEqual(['error:duplicate-goal-id:goals.1.id']);
  });

  it('checks a goal where like any expression: unknown names are reported at the goal', () => {
    const doc = journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }], { goals: [{ id: 'a', event: 'x', where: 'evnt.properties.n > 1' }] });
    expect(codes(doc)).toEqual(['error:unknown-identifier:goals.0.where']);
  });

  it('goal ids are identifiers (no __proto__, no colon)', () => {
    for (const id of ['__proto__', 'a:b', '']) {
      const doc = journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }], { goals: [{ id, outcome: 'click' }] });
      expect(codes(doc)).toContainEqual(expect.stringMatching(/^error:.*:goals\.0\.id$/));
    }
  });
});

describe('goals: interpreter', () => {
  const j = compile(nurture);
  const start = () => {
    const sent = advance(j, createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0).enrollment;
    return advance(j, sent, { type: 'sent', stepId: 'mail', visit: 1, receipt: {} }, T0).enrollment;
  };

  it('an exit goal converts during a wait and ends the enrollment at once with reason goal:<id>', () => {
    const waiting = start();
    expect(waiting).toMatchObject({ stepId: 'w', phase: 'waiting' });
    const r = advance(j, waiting, { type: 'outcome', outcome: { type: 'conversion', key: 'k1', at: T0 + HOUR } }, T0 + HOUR);
    expect(r.enrollment).toMatchObject({ status: 'exited', exitReason: 'goal:converted', goals: { converted: T0 + HOUR } });
    expect(r.events).toEqual([
      { type: 'noted', stepId: null, at: T0 + HOUR, note: 'goal:converted', detail: { goal: 'converted', at: T0 + HOUR, lastTouch: 'mail' } },
      { type: 'noted', stepId: 'mail', at: T0 + HOUR, note: 'goal:converted:last-touch', detail: { goal: 'converted' } },
      { type: 'exited', stepId: 'w', reason: 'goal:converted', at: T0 + HOUR },
    ]);
  });

  it('a goal without exit converts once and the customer goes on; a where that fails, or an event from before entry, does not convert', () => {
    const waiting = start();
    const small = advance(j, waiting, { type: 'event', event: { type: 'purchase', properties: { amount: 10 }, at: T0 + HOUR } }, T0 + HOUR);
    expect(small.enrollment.goals).toBeUndefined();
    const early = advance(j, waiting, { type: 'event', event: { type: 'purchase', properties: { amount: 5000 }, at: T0 - DAY } }, T0 + HOUR);
    expect(early.enrollment.goals).toBeUndefined();
    const big = advance(j, waiting, { type: 'event', event: { type: 'purchase', properties: { amount: 5000 }, at: T0 + HOUR } }, T0 + HOUR);
    expect(big.enrollment).toMatchObject({ status: 'active', stepId: 'w', goals: { big_purchase: T0 + HOUR } });
    const again = advance(j, big.enrollment, { type: 'event', event: { type: 'purchase', properties: { amount: 9000 }, at: T0 + 2 * HOUR } }, T0 + 2 * HOUR);
    expect(again.events).toEqual([]);
    expect(again.enrollment.goals).toEqual({ big_purchase: T0 + HOUR });
  });

  it('a goal is checked before the current step reacts: an exit goal wins over a waitFor path', () => {
    const doc = journey([
      { id: 'wf', type: 'waitFor', config: { paths: [{ outcome: 'conversion', targetStepId: 'thanks' }], timeout: { duration: 1, unit: 'days' } } },
      { id: 'thanks', type: 'send', config: { channelId: 'email' }, next: null },
    ], { goals: [{ id: 'converted', outcome: 'conversion', exit: true }] });
    const jj = compile(doc);
    const e = advance(jj, createEnrollment(jj, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0).enrollment;
    const r = advance(jj, e, { type: 'outcome', outcome: { type: 'conversion', key: 'k', at: T0 + MINUTE } }, T0 + MINUTE);
    expect(r.enrollment).toMatchObject({ status: 'exited', exitReason: 'goal:converted' });
    expect(r.commands).toEqual([{ type: 'exit', reason: 'goal:converted' }]);
  });
});

/** An A/B test with a holdout, converted by a goal. */
const experiment = journey(
  [
    { id: 'split', type: 'split', config: { salt: 'test', variants: [
      { label: 'A', weight: 45, targetStepId: 'mail_a' },
      { label: 'B', weight: 45, targetStepId: 'mail_b' },
      { label: 'Holdout', weight: 10, targetStepId: 'hold' },
    ] } },
    { id: 'mail_a', type: 'send', config: { channelId: 'email', creativeId: 'a' }, next: 'hold' },
    { id: 'mail_b', type: 'send', config: { channelId: 'email', creativeId: 'b' }, next: 'hold' },
    { id: 'hold', type: 'wait', config: { duration: 7, unit: 'days' }, next: null },
  ],
  { status: 'active', goals: [{ id: 'converted', outcome: 'conversion', exit: true }] },
);

describe.each(STORAGE_KINDS)('goals through the engine ($name)', (kind) => {
  it('stats: conversions per goal, per variant (rate, interval, p-value against the first) and last touch', async () => {
    const customers = Array.from({ length: 60 }, (_, i) => ({ id: `c${i}` }));
    const h = harness({ storage: await kind.make(), customers });
    const { id } = await h.engine.createJourney(experiment);
    await h.engine.enroll(id, { customerIds: customers.map((c) => c.id) });
    await h.engine.runDue();
    // every customer who got email B converts, and one in three of A's
    const sent = new Map(h.channels.sent.map((s) => [s.customer.id, s.creativeId]));
    let n = 0;
    for (const c of customers) {
      const creative = sent.get(c.id);
      if (creative === 'b' || (creative === 'a' && n++ % 3 === 0)) {
        await h.engine.recordOutcome({ customerId: c.id, type: 'conversion', idempotencyKey: `conv-${c.id}` });
      }
    }
    const stats = await h.engine.stats(id);
    const variants = stats.steps.find((s) => s.stepId === 'split')!.noted;
    const assigned = (label: string) => variants[`variant:${label}`] ?? 0;
    const aConverted = Math.ceil(assigned('A') / 3);
    expect(stats.goals).toHaveLength(1);
    const goal = stats.goals[0]!;
    expect(goal).toMatchObject({ id: 'converted', exit: true, enrolled: 60, conversions: aConverted + assigned('B') });
    expect(goal.rate).toBeCloseTo((aConverted + assigned('B')) / 60, 10);
    const [a, b, holdout] = goal.byVariant[0]!.variants;
    expect(goal.byVariant[0]!.stepId).toBe('split');
    expect(a).toMatchObject({ label: 'A', assigned: assigned('A'), converted: aConverted, pValue: null });
    expect(b).toMatchObject({ label: 'B', assigned: assigned('B'), converted: assigned('B'), rate: 1 });
    expect(b!.pValue).toBeLessThan(0.01);
    expect(b!.interval!.low).toBeGreaterThan(a!.interval!.high - 0.5);
    expect(holdout).toMatchObject({ label: 'Holdout', converted: 0 });
    expect(goal.lastTouch).toEqual(
      [{ stepId: 'mail_b', conversions: assigned('B') }, { stepId: 'mail_a', conversions: aConverted }].sort((x, y) => y.conversions - x.conversions),
    );
    expect(stats.exited).toMatchObject({ 'goal:converted': aConverted + assigned('B') });
    await h.engine.close();
  });

  it('an event goal converts through ingestEvent at any step, and the journey goes on', async () => {
    const h = harness({ storage: await kind.make(), customers: [{ id: 'c1' }] });
    const { id } = await h.engine.createJourney(nurture);
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    h.clock.advance(DAY);
    const r = await h.engine.ingestEvent({ customerId: 'c1', type: 'purchase', properties: { amount: 2500 } });
    expect(r.delivered).toEqual([{ journeyId: id, enrollmentId: enrolled[0]!.enrollmentId }]);
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({ status: 'active', goals: { big_purchase: h.clock.now() } });
    h.clock.advance(7 * DAY);
    await h.engine.runDue();
    expect(h.channels.sent.map((s) => s.channelId)).toEqual(['email', 'sms']);
    expect((await h.engine.stats(id)).goals.find((g) => g.id === 'big_purchase')).toMatchObject({ conversions: 1, lastTouch: [{ stepId: 'mail', conversions: 1 }] });
    await h.engine.close();
  });
});

describe('goals through HTTP and simulate', () => {
  it('GET /journeys/:id shows the goals and /stats answers them; the enrollment view shows what converted', async () => {
    const h = harness({ customers: [{ id: 'c1' }] });
    const handler = checkedHandler(createHttpHandler(h.engine));
    const call = async (method: string, path: string, body?: unknown) =>
      handler(new Request(`http://x/api/v1${path}`, { method, headers: { 'content-type': 'application/json' }, ...(body === undefined ? {} : { body: JSON.stringify(body) }) }));
    const created = await (await call('POST', '/journeys', nurture)).json() as { id: string };
    expect(await (await call('GET', `/journeys/${created.id}`)).json()).toMatchObject({ goals: [{ id: 'converted', exit: true }, { id: 'big_purchase', exit: false }] });
    await call('POST', `/journeys/${created.id}/enroll`, { customerId: 'c1' });
    await h.engine.runDue();
    await call('POST', '/outcomes', { customerId: 'c1', type: 'conversion', idempotencyKey: 'o1' });
    const listed = await (await call('GET', `/journeys/${created.id}/enrollments`)).json() as { data: unknown[] };
    expect(listed.data).toEqual([expect.objectContaining({ status: 'exited', exitReason: 'goal:converted', goals: { converted: expect.any(String) } })]);
    const stats = await (await call('GET', `/journeys/${created.id}/stats`)).json();
    expect(stats).toMatchObject({ goals: [{ id: 'converted', conversions: 1, enrolled: 1, rate: 1 }, { id: 'big_purchase', conversions: 0 }] });
    await h.engine.close();
  });

  it('simulate: a goal conversion is a noted line, an exit goal ends the run', async () => {
    const result = await simulate(nurture, { outcomes: [{ at: '2d', type: 'conversion' }] });
    expect(result).toMatchObject({ status: 'exited', exitReason: 'goal:converted' });
    expect(result.timeline.filter((t) => t.type === 'noted').map((t) => t.detail?.['note'])).toEqual(['goal:converted', 'goal:converted:last-touch']);
  });
});
