/** The `waitFor` step: wait until the customer does something (an event or an outcome), with a timeout. */
import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/adapters/http/index.js';
import { checkedHandler } from '../http/openapi-check.js';
import { simulate } from '../../src/simulate/simulate.js';
import { advance, createEnrollment } from '../../src/runtime/interpreter.js';
import type { Enrollment } from '../../src/runtime/types.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { harness } from './engine-helpers.js';
import { compile, DAY, HOUR, journey, MINUTE, T0 } from './helpers.js';
import { STORAGE_KINDS } from './storages.js';

/** Abandoned cart: enter on `cart_abandoned`, wait up to 3 days for a purchase of 100 or more (or a conversion). */
const cart = journey(
  [
    {
      id: 'step_wait',
      type: 'waitFor',
      config: {
        paths: [
          { label: 'Purchased', event: 'purchase', where: 'event.properties.amount >= 100', targetStepId: 'step_thanks' },
          { label: 'Converted', outcome: 'conversion', targetStepId: 'step_thanks' },
        ],
        timeout: { duration: 3, unit: 'days' },
        timeoutTargetStepId: 'step_reminder',
      },
    },
    { id: 'step_thanks', type: 'send', config: { channelId: 'email', creativeId: 'thanks' }, next: null },
    { id: 'step_reminder', type: 'send', config: { channelId: 'email', creativeId: 'reminder' }, next: null },
  ],
  { status: 'active', entryConditions: { events: [{ type: 'cart_abandoned' }] } },
);

function entered(doc: Record<string, unknown> = cart): { j: ReturnType<typeof compile>; e: Enrollment } {
  const j = compile(doc);
  const r = advance(j, createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0);
  return { j, e: r.enrollment };
}

const event = (type: string, at: number, properties: Record<string, never | number | string> = {}) => ({ type: 'event' as const, event: { type, properties, at } });

describe('waitFor (interpreter)', () => {
  it('holds the customer until the timeout, remembering when they entered', () => {
    const { e } = entered();
    expect(e).toMatchObject({ stepId: 'step_wait', phase: 'waiting', stepEnteredAt: T0, wakeAt: T0 + 3 * DAY });
  });

  it('the first matching event moves the customer to its path at once; the next step runs in the same advance', () => {
    const { j, e } = entered();
    const r = advance(j, e, event('purchase', T0 + HOUR, { amount: 120 }), T0 + HOUR);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'completed', stepId: 'step_wait', detail: { path: 'Purchased', event: 'purchase', at: T0 + HOUR } }));
    expect(r.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'step_thanks' })]);
    expect(r.enrollment.stepEnteredAt).toBeUndefined();
  });

  it('an event that fails the where, of another type, or from before the step was entered changes nothing', () => {
    const { j, e } = entered();
    for (const input of [event('purchase', T0 + HOUR, { amount: 50 }), event('page_view', T0 + HOUR), event('purchase', T0 - MINUTE, { amount: 500 })]) {
      const r = advance(j, e, input, T0 + HOUR);
      expect(r.enrollment).toMatchObject({ stepId: 'step_wait', phase: 'waiting', wakeAt: T0 + 3 * DAY });
      expect(r.commands).toEqual([]);
    }
  });

  it('an outcome attributed to the enrollment takes an outcome path; other outcome types do not', () => {
    const { j, e } = entered();
    const click = advance(j, e, { type: 'outcome', outcome: { type: 'click', key: 'k1', at: T0 + HOUR } }, T0 + HOUR);
    expect(click.enrollment).toMatchObject({ stepId: 'step_wait', phase: 'waiting' });
    const converted = advance(j, click.enrollment, { type: 'outcome', outcome: { type: 'conversion', key: 'k2', at: T0 + 2 * HOUR } }, T0 + 2 * HOUR);
    expect(converted.events).toContainEqual(expect.objectContaining({ type: 'completed', detail: expect.objectContaining({ path: 'Converted', outcome: 'conversion' }) }));
    expect(converted.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'step_thanks' })]);
  });

  it('paths are tried in order: the first match wins', () => {
    const { j, e } = entered(journey([
      { id: 'w', type: 'waitFor', config: { paths: [
        { label: 'big', event: 'purchase', where: 'event.properties.amount >= 1000', targetStepId: 'big' },
        { label: 'any', event: 'purchase', targetStepId: 'any' },
      ], timeout: { duration: 1, unit: 'days' } } },
      { id: 'big', type: 'send', config: { channelId: 'vip' }, next: null },
      { id: 'any', type: 'send', config: { channelId: 'email' }, next: null },
    ]));
    expect(advance(j, e, event('purchase', T0, { amount: 5000 }), T0).commands).toEqual([expect.objectContaining({ stepId: 'big' })]);
    expect(advance(j, e, event('purchase', T0, { amount: 10 }), T0).commands).toEqual([expect.objectContaining({ stepId: 'any' })]);
  });

  it('at the timeout goes to timeoutTargetStepId, else the normal transition; a null path target ends the journey', () => {
    const { j, e } = entered();
    const r = advance(j, e, { type: 'wake' }, T0 + 3 * DAY);
    expect(r.events).toContainEqual(expect.objectContaining({ type: 'completed', stepId: 'step_wait', detail: { timedOut: true } }));
    expect(r.commands).toEqual([expect.objectContaining({ type: 'send', stepId: 'step_reminder' })]);

    const plain = entered(journey([
      { id: 'w', type: 'waitFor', config: { paths: [{ event: 'purchase', targetStepId: null }], timeout: { duration: 1, unit: 'hours' } } },
      { id: 'after', type: 'send', config: { channelId: 'email' }, next: null },
    ]));
    expect(advance(plain.j, plain.e, { type: 'wake' }, T0 + HOUR).commands).toEqual([expect.objectContaining({ stepId: 'after' })]);
    const done = advance(plain.j, plain.e, event('purchase', T0 + 1), T0 + 1);
    expect(done.enrollment).toMatchObject({ status: 'completed' });
  });

  it('a where that cannot be evaluated does not match', () => {
    const { j, e } = entered(journey([
      { id: 'w', type: 'waitFor', config: { paths: [{ event: 'purchase', where: 'event.properties.items[0].price > 1', targetStepId: null }], timeout: { duration: 1, unit: 'hours' } } },
    ]));
    const r = advance(j, e, event('purchase', T0 + 1, {}), T0 + 1);
    expect(r.enrollment).toMatchObject({ status: 'active', phase: 'waiting' });
  });
});

describe('waitFor validation', () => {
  const codes = (doc: unknown) => validateJourney(doc).diagnostics.map((d) => `${d.severity}:${d.code}:${d.path.join('.')}`);

  it('accepts the document shape and reads the event root in where', () => {
    expect(validateJourney(cart).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
  });

  it('refuses a path with both or neither of event and outcome, and a where on an outcome path, at their paths', () => {
    const bad = journey([
      { id: 'w', type: 'waitFor', config: { paths: [
        { event: 'purchase', outcome: 'click', targetStepId: null },
        { targetStepId: null },
        { outcome: 'click', where: 'true', targetStepId: null },
      ], timeout: { duration: 1, unit: 'days' } } },
    ]);
    const found = codes(bad);
    expect(found).toEqual(expect.arrayContaining([
      expect.stringMatching(/^error:.*:steps\.0\.config\.paths\.0\.outcome$/),
      expect.stringMatching(/^error:.*:steps\.0\.config\.paths\.1\.event$/),
      expect.stringMatching(/^error:.*:steps\.0\.config\.paths\.2\.where$/),
    ]));
  });

  it('an unknown path target is reported at its path; a timeout over 365 days is refused', () => {
    const doc = (duration: number) => journey([{ id: 'w', type: 'waitFor', config: { paths: [{ event: 'purchase', targetStepId: 'nowhere' }], timeout: { duration, unit: 'days' } } }]);
    expect(codes(doc(3))).toEqual(['error:unknown-target:steps.0.config.paths.0.targetStepId']);
    expect(codes(doc(400))).toEqual(['error:invalid-field:steps.0.config.timeout.duration']);
  });

  it('the event root is unknown outside waitFor', () => {
    const doc = journey([
      { id: 'b', type: 'branch', config: { conditions: [{ expression: "event.type == 'purchase'", targetStepId: 'x' }] } },
      { id: 'x', type: 'send', config: { channelId: 'email' }, next: null },
    ]);
    expect(codes(doc)).toContainEqual('error:unknown-identifier:steps.0.config.conditions.0.expression');
  });

  it('a loop through a waitFor is no instant loop (it blocks, like a wait)', () => {
    const doc = journey([
      { id: 'w', type: 'waitFor', config: { paths: [{ event: 'ping', targetStepId: 'b' }], timeout: { duration: 1, unit: 'days' }, timeoutTargetStepId: null } },
      { id: 'b', type: 'branch', config: { conditions: [], defaultTargetStepId: 'w' } },
    ]);
    expect(codes(doc).filter((c) => c.includes('instant-loop'))).toEqual([]);
  });
});

describe.each(STORAGE_KINDS)('waitFor through the engine ($name)', (kind) => {
  it('abandoned cart: a purchase moves the customer at once; without one the reminder goes at the timeout', async () => {
    const h = harness({ storage: await kind.make(), customers: [{ id: 'buyer' }, { id: 'browser' }, { id: 'small' }] });
    const { id } = await h.engine.createJourney(cart);
    for (const customerId of ['buyer', 'browser', 'small']) {
      expect((await h.engine.ingestEvent({ customerId, type: 'cart_abandoned' })).enrolled).toHaveLength(1);
    }
    await h.engine.runDue();
    h.clock.advance(HOUR);
    const bought = await h.engine.ingestEvent({ customerId: 'buyer', type: 'purchase', properties: { amount: 150 } });
    expect(bought.delivered).toEqual([{ journeyId: id, enrollmentId: expect.any(String) }]);
    expect(bought.enrolled).toEqual([]);
    // the thank-you went out inside ingestEvent: applied at once, under a claim
    expect(h.channels.sent.map((s) => `${s.customer.id}:${s.creativeId}`)).toEqual(['buyer:thanks']);
    await h.engine.ingestEvent({ customerId: 'small', type: 'purchase', properties: { amount: 20 } });
    expect(h.channels.sent).toHaveLength(1);
    h.clock.advance(3 * DAY);
    await h.engine.runDue();
    expect(h.channels.sent.map((s) => `${s.customer.id}:${s.creativeId}`).sort()).toEqual(['browser:reminder', 'buyer:thanks', 'small:reminder']);
    const stats = await h.engine.stats(id);
    expect(stats.steps.find((s) => s.stepId === 'step_wait')).toMatchObject({ entered: 3, completed: 3 });
    await h.engine.close();
  });

  it('an outcome attributed to the enrollment takes its path through recordOutcome', async () => {
    const h = harness({ storage: await kind.make(), customers: [{ id: 'c1' }] });
    const { id } = await h.engine.createJourney(cart);
    await h.engine.ingestEvent({ customerId: 'c1', type: 'cart_abandoned' });
    await h.engine.runDue();
    h.clock.advance(MINUTE);
    const r = await h.engine.recordOutcome({ customerId: 'c1', journeyId: id, type: 'conversion', idempotencyKey: 'o1' });
    expect(r.recorded).toHaveLength(1);
    expect(h.channels.sent.map((s) => s.creativeId)).toEqual(['thanks']);
    expect(await h.engine.getEnrollment(r.recorded[0]!)).toMatchObject({ status: 'completed' });
    await h.engine.close();
  });
});

describe('waitFor through simulate, journeys test and HTTP', () => {
  it('simulate: a scripted event shows on the timeline with what it set off', async () => {
    const result = await simulate(cart, { events: [{ at: '1h', type: 'purchase', properties: { amount: 300 } }] });
    const lines = result.timeline.map((t) => `${t.stepId ?? '-'} ${t.type}`);
    expect(lines).toEqual(['step_wait waiting for', '- event', 'step_wait received', 'step_thanks entered', 'step_thanks sent', '- completed']);
    expect(result.timeline[1]).toMatchObject({ type: 'event', detail: { type: 'purchase', properties: { amount: 300 }, delivered: true } });
    const timeout = await simulate(cart, {});
    expect(timeout.timeline.map((t) => `${t.stepId ?? '-'} ${t.type}`)).toContain('step_wait received');
    expect(timeout.timeline.find((t) => t.type === 'received')).toMatchObject({ detail: { timedOut: true }, at: '2026-01-04T00:00:00.000Z' });
  });

  it('POST /api/v1/events answers what it delivered to', async () => {
    const h = harness({ customers: [{ id: 'c1' }] });
    const handler = checkedHandler(createHttpHandler(h.engine));
    const { id } = await h.engine.createJourney(cart);
    const post = (path: string, body: unknown) =>
      handler(new Request(`http://x/api/v1${path}`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }));
    const entered = await (await post('/events', { customerId: 'c1', type: 'cart_abandoned' })).json();
    expect(entered).toMatchObject({ delivered: [], enrolled: [{ journeyId: id }] });
    await h.engine.runDue();
    const bought = await post('/events', { customerId: 'c1', type: 'purchase', properties: { amount: 100 } });
    expect(bought.status).toBe(200);
    expect(await bought.json()).toMatchObject({ delivered: [{ journeyId: id }], enrolled: [] });
    expect(h.channels.sent.map((s) => s.creativeId)).toEqual(['thanks']);
    await h.engine.close();
  });
});
