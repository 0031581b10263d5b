import { describe, expect, it } from 'vitest';
import { JourneyError } from '../../src/model/errors.js';
import { DAY, HOUR, journey, loadExample, T0 } from './helpers.js';
import { harness, rejects, runUntilIdle } from './engine-helpers.js';
import { foreignJourneyError } from '../model/foreign-journey-error.js';
import { memoryStorage } from '../../src/adapters/memory/index.js';

const loan = loadExample('loan-nurture.json');
const inSegment = (id: string) => ({ id, segments: ['loan_interested'] });

async function activeLoan(h = harness({ customers: ['c1', 'c2', 'c3'].map(inSegment) })) {
  const created = await h.engine.createJourney(loan);
  await h.engine.setStatus(created.id, 'active');
  return { h, id: created.id };
}

describe('engine: the loan nurture journey end to end', () => {
  it('runs three customers with different responses down three paths', async () => {
    const { h, id } = await activeLoan();
    const result = await h.engine.enroll(id, { customerIds: ['c1', 'c2', 'c3'] });
    expect(result.enrolled.map((e) => e.customerId)).toEqual(['c1', 'c2', 'c3']);

    await h.engine.runDue(); // decide + send the email, then wait 3 days
    expect(h.channels.sent.map((s) => [s.customer.id, s.channelId, s.offer?.id])).toEqual([
      ['c1', 'ch_email', 'loan_a'],
      ['c2', 'ch_email', 'loan_a'],
      ['c3', 'ch_email', 'loan_a'],
    ]);
    h.clock.advance('1d');
    await h.engine.recordOutcome({ customerId: 'c1', type: 'conversion', idempotencyKey: 'o1' });
    await h.engine.recordOutcome({ customerId: 'c2', type: 'click', idempotencyKey: 'o2' });
    await runUntilIdle(h);

    const byCustomer = async (c: string) => (await h.engine.listEnrollments({ customerId: c })).items[0]!;
    expect(await byCustomer('c1')).toMatchObject({ status: 'completed' });
    expect(h.profiles.peek('c1')).toMatchObject({ attributes: { journey_stage: 'converted' }, segments: ['loan_customers'] });
    expect(h.channels.to('c2').map((s) => s.creativeId)).toEqual(['treat_loan_email_v1', 'treat_loan_followup_v1']);
    expect(h.profiles.peek('c2')?.attributes).toEqual({ journey_stage: 'nurture_ended' });
    expect(h.channels.to('c3').map((s) => s.channelId)).toEqual(['ch_email', 'ch_push']);
    expect(h.profiles.peek('c3')?.attributes).toEqual({ journey_stage: 'nurture_ended' });
    expect(h.clock.now()).toBe(T0 + 7 * DAY);

    const stats = await h.engine.stats(id);
    expect(stats.completed).toBe(3);
    expect(stats.active).toBe(0);
    const step = (s: string) => stats.steps.find((x) => x.stepId === s)!;
    expect(step('step_send_email')).toMatchObject({ entered: 3, completed: 3, current: 0 });
    expect(step('step_thank_you')).toMatchObject({ entered: 1, completed: 1 });
    expect(step('step_reminder')).toMatchObject({ entered: 1 });
  });

  it('records every effect with its idempotency key in the effect log', async () => {
    const { h, id } = await activeLoan();
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    const effects = await h.storage.listEffects('default', enrolled[0]!.enrollmentId);
    expect(effects.map((e) => e.idempotencyKey)).toEqual([
      'enr_2:step_initial_offer:1',
      'enr_2:step_send_email:1',
      'enr_2:step_reminder:1',
      'enr_2:step_not_converted:1',
    ]);
  });
});

describe('engine: lifecycle', () => {
  it('draft journeys enroll nobody', async () => {
    const h = harness({ customers: [inSegment('c1')] });
    const { id } = await h.engine.createJourney(loan);
    await rejects(h.engine.enroll(id, { customerId: 'c1' }), 'journey-not-active');
  });

  it("saves the seed's own example as a draft with its errors and refuses to activate it", async () => {
    const h = harness();
    const created = await h.engine.createJourney(loadExample('loan-nurture.seed.json'));
    expect(created).toMatchObject({ name: 'Personal Loan Nurture', status: 'draft', maxDuration: 21, stepCount: 4 });
    expect(created.diagnostics.filter((d) => d.code === 'unknown-target').length).toBe(2);
    const error = await rejects(h.engine.setStatus(created.id, 'active'), 'activation-refused');
    expect((error.details as { diagnostics: unknown[] }).diagnostics.length).toBeGreaterThan(0);
    expect((await h.engine.getJourney(created.id))?.status).toBe('draft');
  });

  it('active journeys accept only name and description changes', async () => {
    const { h, id } = await activeLoan();
    const renamed = await h.engine.updateJourney(id, { name: 'Loans', description: 'new' });
    expect(renamed).toMatchObject({ name: 'Loans', description: 'new', version: 1 });
    await rejects(h.engine.updateJourney(id, { maxDuration: 10 }), 'journey-active');
    await rejects(h.engine.updateJourney(id, { steps: [] }), 'journey-active');
    expect((await h.engine.getJourney(id))?.maxDuration).toBe(21);
  });

  it('the same steps with keys in another order, or with defaults left out, are not a structural change', async () => {
    const { h, id } = await activeLoan();
    const reordered = (loan['steps'] as Array<Record<string, unknown>>).map((step) =>
      Object.fromEntries(Object.entries(step).reverse().map(([k, v]) => [k, k === 'config' && step['type'] === 'decide' ? { storeResultAs: 'loan_recommendation', decisionFlowId: 'df_personal_loans' } : v])),
    );
    const updated = await h.engine.updateJourney(id, { steps: reordered, name: 'Renamed' });
    expect(updated).toMatchObject({ name: 'Renamed', version: 1, status: 'active' });
  });

  it('deletes drafts and archived journeys; refuses active and paused ones, saying to archive first', async () => {
    const { h, id } = await activeLoan();
    const refused = await rejects(h.engine.deleteJourney(id), 'journey-not-archived');
    expect(refused.message).toMatch(/archive it first/);
    expect(refused.path).toEqual(['status']);
    await h.engine.setStatus(id, 'paused');
    await rejects(h.engine.deleteJourney(id), 'journey-not-archived');
    expect((await h.engine.getJourney(id))?.status).toBe('paused');
    await h.engine.setStatus(id, 'archived');
    await h.engine.deleteJourney(id);
    expect(await h.engine.getJourney(id)).toBeNull();
    await rejects(h.engine.deleteJourney(id), 'journey-not-found');
    const draft = await h.engine.createJourney(loan);
    await h.engine.deleteJourney(draft.id);
    expect(await h.engine.getJourney(draft.id)).toBeNull();
  });

  it('keeps the enrollment history of a deleted journey: minDaysSinceLastJourney still counts it, getEnrollment still answers it', async () => {
    const { h, id } = await activeLoan();
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    h.clock.advance('1d');
    await h.engine.setStatus(id, 'archived');
    const archivedAt = h.clock.now();
    await h.engine.deleteJourney(id);

    // The enrollment is kept as it ended, naming a journey that no longer exists.
    expect(await h.engine.getEnrollment(enrolled[0]!.enrollmentId)).toMatchObject({ journeyId: id, status: 'exited', exitReason: 'archived', endedAt: archivedAt });
    // loan-nurture asks for 30 days since the customer's last journey: c1 left one a moment ago.
    const again = await h.engine.createJourney(loan);
    await h.engine.setStatus(again.id, 'active');
    h.clock.advance('10d');
    const refused = await h.engine.enroll(again.id, { customerIds: ['c1', 'c2'] });
    expect(refused.enrolled.map((e) => e.customerId)).toEqual(['c2']);
    expect(refused.skipped.map((s) => [s.customerId, s.reason])).toEqual([['c1', 'too-soon']]);
    h.clock.advance('21d');
    expect((await h.engine.enroll(again.id, { customerId: 'c1' })).enrolled.map((e) => e.customerId)).toEqual(['c1']);
  });

  it('follows the lifecycle and refuses other transitions', async () => {
    const { h, id } = await activeLoan();
    await rejects(h.engine.setStatus(id, 'draft'), 'invalid-transition');
    await h.engine.setStatus(id, 'paused');
    await h.engine.setStatus(id, 'active');
    await h.engine.setStatus(id, 'archived');
    await rejects(h.engine.setStatus(id, 'active'), 'journey-archived');
  });

  it('paused: no new enrollments, nothing advances, and overdue wake-ups run in order on resume', async () => {
    const { h, id } = await activeLoan();
    await h.engine.enroll(id, { customerId: 'c1' });
    h.clock.advance('1h');
    await h.engine.enroll(id, { customerId: 'c2' });
    await h.engine.runDue();
    await h.engine.setStatus(id, 'paused');
    await rejects(h.engine.enroll(id, { customerId: 'c3' }), 'journey-not-active');
    h.clock.advance('10d');
    expect((await h.engine.runDue()).processed).toBe(0);
    expect(h.channels.sent.length).toBe(2);

    await h.engine.setStatus(id, 'active');
    const order: string[] = [];
    h.engine.events.on('step', ({ enrollment, event }) => {
      if (event.type === 'completed' && event.stepId === 'step_wait_3d') order.push(enrollment.customerId);
    });
    await h.engine.runDue();
    expect(order).toEqual(['c1', 'c2']);
    expect(h.channels.sent.length).toBe(4);
  });

  it('a structural change while paused makes a new version; enrollments stay on theirs', async () => {
    const { h, id } = await activeLoan();
    await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    await h.engine.setStatus(id, 'paused');
    const steps = (loan['steps'] as Array<Record<string, unknown>>).map((s) =>
      s['id'] === 'step_reminder' ? { ...s, config: { channelId: 'ch_sms', resultSource: 'loan_recommendation' } } : s,
    );
    const updated = await h.engine.updateJourney(id, { steps });
    expect(updated.version).toBe(2);
    await h.engine.setStatus(id, 'active');
    await h.engine.enroll(id, { customerId: 'c2' });
    await runUntilIdle(h);
    expect(h.channels.to('c1').map((s) => s.channelId)).toEqual(['ch_email', 'ch_push']);
    expect(h.channels.to('c2').map((s) => s.channelId)).toEqual(['ch_email', 'ch_sms']);
    const [e1] = (await h.engine.listEnrollments({ customerId: 'c1' })).items;
    expect(e1?.journeyVersion).toBe(1);
  });

  it('archive exits every enrollment at once with reason archived', async () => {
    const { h, id } = await activeLoan();
    await h.engine.enroll(id, { customerIds: ['c1', 'c2'] });
    await h.engine.runDue();
    const exited: string[] = [];
    h.engine.events.on('exited', (e) => exited.push(`${e.enrollmentId}:${e.reason}`));
    await h.engine.setStatus(id, 'archived');
    const { items } = await h.engine.listEnrollments({ journeyId: id });
    expect(items.map((e) => [e.status, e.exitReason])).toEqual([['exited', 'archived'], ['exited', 'archived']]);
    expect(exited.sort()).toEqual(['enr_2:archived', 'enr_3:archived']);
    h.clock.advance('30d');
    expect((await h.engine.runDue()).processed).toBe(0);
    expect((await h.engine.stats(id)).exited).toEqual({ archived: 2 });
  });

  it('maxDuration exits an enrollment even while it waits', async () => {
    const h = harness();
    // A fast path exists (so the journey validates), but this customer takes the 30-day wait.
    const { id } = await h.engine.createJourney(journey([
      { id: 'b', type: 'branch', config: { conditions: [{ expression: 'customer.fast == true', targetStepId: 's' }] } },
      { id: 'w', type: 'wait', config: { duration: 30, unit: 'days' } },
      { id: 's', type: 'send', config: { channelId: 'ch' } },
    ], { maxDuration: 5, status: 'active' }));
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    const [e] = (await h.engine.listEnrollments({ journeyId: id })).items;
    expect(e).toMatchObject({ status: 'exited', exitReason: 'max-duration', endedAt: T0 + 5 * DAY });
    expect(h.channels.sent).toEqual([]);
  });
});

describe('engine: errors name the argument the caller passed', () => {
  it('an unknown journey is at path journeyId for enroll, stats and recordOutcome, and at id for the journey methods', async () => {
    const h = harness({ customers: [inSegment('c1')] });
    const at = async (promise: Promise<unknown>) => (await rejects(promise, 'journey-not-found')).path;
    expect(await at(h.engine.enroll('jrn_missing', { customerId: 'c1' }))).toEqual(['journeyId']);
    expect(await at(h.engine.stats('jrn_missing'))).toEqual(['journeyId']);
    expect(await at(h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k1', journeyId: 'jrn_missing' }))).toEqual(['journeyId']);
    expect(await at(h.engine.updateJourney('jrn_missing', { name: 'x' }))).toEqual(['id']);
    expect(await at(h.engine.setStatus('jrn_missing', 'active'))).toEqual(['id']);
    expect(await at(h.engine.deleteJourney('jrn_missing'))).toEqual(['id']);
    expect(await at(h.engine.validate('jrn_missing'))).toEqual(['id']);
  });
});

describe('engine: loops through waits', () => {
  it('a journey that loops through a short wait runs until maxDuration and exits there', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(journey([
      { id: 'check', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'done' }] } },
      { id: 'wait', type: 'wait', config: { duration: 1, unit: 'minutes' } },
      { id: 'again', type: 'wait', config: { duration: 1, unit: 'minutes' }, next: 'check' },
      { id: 'done', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'clicked' }] } },
    ], { maxDuration: 7, status: 'active' }));
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    const [e] = (await h.engine.listEnrollments({ journeyId: id })).items;
    expect(e).toMatchObject({ status: 'exited', exitReason: 'max-duration', endedAt: T0 + 7 * DAY });
    // One pass every two minutes, plus the pass due exactly at the deadline (a step due at the deadline runs).
    expect(e?.visits['check']).toBe(7 * 24 * 30 + 1);
  });
});

describe('engine: failures', () => {
  it('retries a failing channel with backoff, then fails the enrollment with the error kept', async () => {
    const h = harness({ channels: { fail: () => new Error('smtp down') }, engine: { retry: { maxAttempts: 3, initialDelayMs: 1000, factor: 2 } } });
    const { id } = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch' } }], { status: 'active' }));
    const retries: number[] = [];
    h.engine.events.on('retry', (e) => retries.push(e.retryAt - h.clock.now()));
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect(retries).toEqual([1000, 2000]);
    expect(h.channels.failures.map((f) => f.request.idempotencyKey)).toEqual(['enr_2:s:1', 'enr_2:s:1', 'enr_2:s:1']);
    const [e] = (await h.engine.listEnrollments({ journeyId: id })).items;
    expect(e).toMatchObject({ status: 'failed', stepId: 's', lastError: { message: 'smtp down', attempts: 3 } });
  });

  it('a channel that recovers gets the same idempotency key and the journey moves on', async () => {
    let calls = 0;
    const h = harness({ channels: { fail: () => (++calls < 3 ? new Error('flaky') : undefined) } });
    const { id } = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch' } }], { status: 'active' }));
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect(h.channels.sent.map((s) => s.idempotencyKey)).toEqual(['enr_2:s:1']);
    expect((await h.engine.listEnrollments({ journeyId: id })).items[0]?.status).toBe('completed');
  });

  it("keeps the code and message of a JourneyError an adapter threw from another copy of the library (another realm)", async () => {
    const Foreign = foreignJourneyError();
    const h = harness({ channels: { fail: () => new Foreign('invalid-request', 'creative c1 is unknown') as unknown as Error }, engine: { retry: { maxAttempts: 1 } } });
    const { id } = await h.engine.createJourney(journey([{ id: 's', type: 'send', config: { channelId: 'ch' } }], { status: 'active' }));
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect((await h.engine.listEnrollments({ journeyId: id })).items[0]).toMatchObject({ status: 'failed', lastError: { code: 'invalid-request', message: 'creative c1 is unknown' } });
  });

  it('a decision flow that answers garbage is a failed effect, not a crash', async () => {
    const h = harness({ decisions: { df: (() => [{ nope: 1 }]) as never }, engine: { retry: { maxAttempts: 1 } } });
    const { id } = await h.engine.createJourney(journey([{ id: 'd', type: 'decide', config: { decisionFlowId: 'df' } }], { status: 'active' }));
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect((await h.engine.listEnrollments({ journeyId: id })).items[0]).toMatchObject({ status: 'failed', lastError: { code: 'bad-adapter-answer' } });
  });

  it("a handler that throws does not break the engine", async () => {
    const errors: unknown[] = [];
    const h = harness({ customers: [inSegment('c1')], engine: { onError: (e) => errors.push(e) } });
    h.engine.events.on('step', () => { throw new Error('host bug'); });
    const { id } = await h.engine.createJourney({ ...loan, status: 'active' });
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    expect((await h.engine.listEnrollments({ journeyId: id })).items[0]?.status).toBe('completed');
    expect(errors.length).toBeGreaterThan(0);
  });
});

describe('engine: entry and outcomes', () => {
  it('enroll skips duplicates and reports each refusal with its reason', async () => {
    const { h, id } = await activeLoan(harness({ customers: [inSegment('c1'), { id: 'c2', segments: ['other'] }] }));
    const first = await h.engine.enroll(id, { customerIds: ['c1', 'c1', 'c2'] });
    expect(first.enrolled.map((e) => e.customerId)).toEqual(['c1']);
    expect(first.skipped.map((s) => [s.customerId, s.reason])).toEqual([['c1', 'duplicate-in-request'], ['c2', 'not-in-segment']]);
    expect(first.counts).toEqual({ requested: 3, enrolled: 1, skipped: 2, duplicates: 1 });
    const again = await h.engine.enroll(id, { customerId: 'c1' });
    expect(again.skipped.map((s) => s.reason)).toEqual(['already-enrolled']);
    expect(again.counts).toEqual({ requested: 1, enrolled: 0, skipped: 1, duplicates: 1 });
  });

  it('refuses more than 1,000 customers in one call, and bad ids, changing nothing', async () => {
    const { h, id } = await activeLoan();
    await rejects(h.engine.enroll(id, { customerIds: Array.from({ length: 1001 }, (_, i) => `c${i}`) }), 'too-many-customers');
    const bad = await rejects(h.engine.enroll(id, { customerIds: ['ok', 42 as unknown as string] }), 'invalid-request');
    expect(bad.path).toEqual(['customerIds', 1]);
    expect((await h.engine.listEnrollments({ journeyId: id })).total).toBe(0);
  });

  it('minDaysSinceLastJourney counts days since the last journey ended; being in one now counts as 0', async () => {
    const h = harness({ customers: [inSegment('c1')] });
    const other = await h.engine.createJourney(journey([{ id: 'w', type: 'wait', config: { duration: 2, unit: 'days' } }], { status: 'active' }));
    const { id } = await activeLoan(h);
    await h.engine.enroll(other.id, { customerId: 'c1' });
    expect((await h.engine.enroll(id, { customerId: 'c1' })).skipped[0]?.reason).toBe('too-soon');
    await runUntilIdle(h); // the other journey ends at T0 + 2d
    h.clock.set(T0 + 2 * DAY + 29 * DAY);
    expect((await h.engine.enroll(id, { customerId: 'c1' })).skipped[0]?.reason).toBe('too-soon');
    h.clock.advance('1d');
    expect((await h.engine.enroll(id, { customerId: 'c1' })).enrolled.length).toBe(1);
  });

  it('manual: false refuses manual enrollment; event triggers enroll', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(journey([{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }], {
      status: 'active',
      entryConditions: { manual: false, events: [{ type: 'loan_page_viewed', properties: { product: 'personal' } }] },
    }));
    expect((await h.engine.enroll(id, { customerId: 'c1' })).skipped[0]?.reason).toBe('manual-disabled');
    expect((await h.engine.ingestEvent({ customerId: 'c1', type: 'loan_page_viewed', properties: { product: 'auto' } })).enrolled).toEqual([]);
    const hit = await h.engine.ingestEvent({ customerId: 'c1', type: 'loan_page_viewed', properties: { product: 'personal' } });
    expect(hit.enrolled).toEqual([{ journeyId: id, enrollmentId: expect.any(String) }]);
    const [e] = (await h.engine.listEnrollments({ journeyId: id })).items;
    expect(e?.context).toMatchObject({ event: { type: 'loan_page_viewed', properties: { product: 'personal' } } });
  });

  it('the same outcome key twice is one outcome', async () => {
    const { h, id } = await activeLoan();
    await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    const a = await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k' });
    const b = await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k' });
    expect(a.recorded.length).toBe(1);
    expect(b).toEqual({ recorded: [], duplicates: a.recorded });
    const [e] = (await h.engine.listEnrollments({ journeyId: id })).items;
    expect(e?.outcomes.length).toBe(1);
  });

  it('an outcome recorded while a worker is mid-effect is kept, and no effect runs twice', async () => {
    const h = harness({ customers: [inSegment('c1')] });
    let injected = false;
    const original = h.channels.send.bind(h.channels);
    h.channels.send = async (request) => {
      if (!injected) {
        injected = true;
        await h.engine.recordOutcome({ customerId: 'c1', type: 'conversion', idempotencyKey: 'during-send' });
      }
      return original(request);
    };
    const { id } = await activeLoan(h);
    await h.engine.enroll(id, { customerId: 'c1' });
    await h.engine.runDue();
    const [e] = (await h.engine.listEnrollments({ journeyId: id })).items;
    expect(e?.outcomes.map((o) => o.key)).toEqual(['during-send']);
    expect(h.channels.sent.length).toBe(1);
    expect(h.decisions.calls.length).toBe(1);
    expect(e?.phase).toBe('waiting');
  });
});

describe('engine: the worker loop', () => {
  it('start() drains due work in the background and stop() waits for it', async () => {
    const { h, id } = await activeLoan();
    await h.engine.enroll(id, { customerIds: ['c1', 'c2'] });
    h.engine.start({ pollMs: 5 });
    // Waits for the sends, not for a time (up to 30 s: a loaded CI machine can be slow).
    for (const deadline = Date.now() + 30_000; h.channels.sent.length < 2 && Date.now() < deadline; ) await new Promise((r) => setTimeout(r, 5));
    await h.engine.stop();
    expect(h.channels.sent.length).toBe(2);
  });

  it('rejects bad options with coded errors', () => {
    expect(() => harness({ engine: { leaseMs: -1 } })).toThrowError(JourneyError);
  });

  it('listEnrollments filters by status and step, with totals', async () => {
    const { h, id } = await activeLoan();
    await h.engine.enroll(id, { customerIds: ['c1', 'c2', 'c3'] });
    await h.engine.runDue();
    const waiting = await h.engine.listEnrollments({ journeyId: id, stepId: 'step_wait_3d', limit: 2 });
    expect(waiting.total).toBe(3);
    expect(waiting.items.length).toBe(2);
    expect((await h.engine.listEnrollments({ status: 'completed' })).total).toBe(0);
    h.clock.advance(HOUR);
  });
});

describe('engine: concurrency', () => {
  const customers = ['c1', 'c2', 'c3', 'c4', 'c5', 'c6', 'c7'];

  /** Decisions that record the order calls start in and how many are in flight at once. */
  function tracked(h: ReturnType<typeof harness>) {
    const started: string[] = [];
    let inFlight = 0;
    let maxInFlight = 0;
    const original = h.decisions.decide.bind(h.decisions);
    h.decisions.decide = async (request) => {
      started.push(request.enrollmentId);
      maxInFlight = Math.max(maxInFlight, ++inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight -= 1;
      return original(request);
    };
    return { started, max: () => maxInFlight };
  }

  async function setup(engine: { concurrency?: number; inFlight?: number } = {}) {
    const h = harness({ customers: customers.map(inSegment), engine });
    const { id } = await activeLoan(h);
    const { enrolled } = await h.engine.enroll(id, { customerIds: customers });
    return { h, id, ids: enrolled.map((e) => e.enrollmentId) };
  }

  it('with inFlight: 1 processes claims one at a time, in wake-up order', async () => {
    const { h, ids } = await setup({ inFlight: 1 });
    const t = tracked(h);
    expect(await h.engine.runDue()).toEqual({ processed: customers.length, lost: 0 });
    expect(t.started).toEqual(ids);
    expect(t.max()).toBe(1);
  });

  it('by default advances a whole batch together (group commit), started in wake-up order', async () => {
    const { h, ids } = await setup();
    const t = tracked(h);
    expect(await h.engine.runDue()).toEqual({ processed: customers.length, lost: 0 });
    expect(t.started).toEqual(ids);
    expect(t.max()).toBe(customers.length);
  });

  it('with concurrency N keeps up to N claims in flight, started in wake-up order, each processed once', async () => {
    const { h, id, ids } = await setup({ concurrency: 3 });
    const t = tracked(h);
    expect(await h.engine.runDue()).toEqual({ processed: customers.length, lost: 0 });
    expect(t.started).toEqual(ids);
    expect(t.max()).toBe(3);
    expect(h.channels.sent.map((s) => s.customer.id).sort()).toEqual(customers);
    for (const enrollmentId of ids) {
      const keys = (await h.storage.listEffects('default', enrollmentId)).map((e) => e.idempotencyKey);
      expect(keys).toEqual([`${enrollmentId}:step_initial_offer:1`, `${enrollmentId}:step_send_email:1`]);
    }
    const stats = await h.engine.stats(id);
    expect(stats.steps.find((s) => s.stepId === 'step_send_email')).toMatchObject({ entered: 7, completed: 7 });
    expect((await h.engine.listEnrollments({ journeyId: id })).items.every((e) => e.phase === 'waiting')).toBe(true);
  });

  it('a per-call concurrency overrides the engine option', async () => {
    const { h } = await setup({ concurrency: 4 });
    const t = tracked(h);
    await h.engine.runDue({ concurrency: 2 });
    expect(t.max()).toBe(2);
  });

  it('a claim that throws does not stop the others of its batch; runDue then rejects with its error', async () => {
    const storage = memoryStorage();
    const h = harness({ customers: customers.map(inSegment), storage, engine: { concurrency: 3 } });
    const { id } = await activeLoan(h);
    const { enrolled } = await h.engine.enroll(id, { customerIds: customers });
    const broken = enrolled[2]!.enrollmentId;
    const commit = storage.commit.bind(storage);
    const commitMany = storage.commitMany!.bind(storage);
    storage.commit = async (c) => {
      if (c.enrollment.id === broken) throw new Error('disk on fire');
      return commit(c);
    };
    // A batch holding the broken commit fails as one transaction would (nothing written); the worker then commits one by one.
    storage.commitMany = async (cs) => {
      if (cs.some((c) => c.enrollment.id === broken)) throw new Error('disk on fire');
      return commitMany(cs);
    };
    await expect(h.engine.runDue()).rejects.toThrow('disk on fire');
    const items = (await h.engine.listEnrollments({ journeyId: id })).items;
    for (const e of items) expect(e.phase).toBe(e.id === broken ? 'ready' : 'waiting');
    expect(h.channels.sent.length).toBe(customers.length - 1);
  });

  it('refuses a concurrency that is not a positive integer', async () => {
    expect(() => harness({ engine: { concurrency: 0 } })).toThrow(expect.objectContaining({ code: 'invalid-option' }));
    const { h } = await setup();
    await rejects(h.engine.runDue({ concurrency: 1.5 }), 'invalid-option');
  });
});

describe('engine: an outcome lands on the enrollment it answers', () => {
  /** send → wait 2 days → branch on `outcome == 'click'`. */
  const mailThenBranch = (name: string, extra: Record<string, unknown> = {}) =>
    journey([
      { id: 'mail', type: 'send', config: { channelId: 'email' } },
      { id: 'wait', type: 'wait', config: { duration: 2, unit: 'days' } },
      { id: 'check', type: 'branch', config: { conditions: [{ expression: "outcome == 'click'", targetStepId: 'clicked' }], defaultTargetStepId: 'ignored' } },
      { id: 'clicked', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'clicked' }] }, next: null },
      { id: 'ignored', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'ignored' }] }, next: null },
    ], { name, status: 'active', ...extra });

  async function twoJourneys(options: { bLater?: number } = {}) {
    const h = harness();
    const a = await h.engine.createJourney(mailThenBranch('A'));
    const b = await h.engine.createJourney(mailThenBranch('B'));
    const ea = (await h.engine.enroll(a.id, { customerId: 'c1' })).enrolled[0]!.enrollmentId;
    await h.engine.runDue();
    if (options.bLater) h.clock.advance(options.bLater);
    const eb = (await h.engine.enroll(b.id, { customerId: 'c1' })).enrolled[0]!.enrollmentId;
    await h.engine.runDue();
    const sendOf = (enrollmentId: string) => h.channels.sent.findIndex((s) => s.enrollmentId === enrollmentId);
    return { h, a: a.id, b: b.id, ea, eb, keyA: h.channels.sent[sendOf(ea)]!.idempotencyKey, messageOfB: `msg_${sendOf(eb) + 1}` };
  }
  const flagsOf = async (h: ReturnType<typeof harness>, enrollmentId: string) => (await h.engine.getEnrollment(enrollmentId))!.flags;

  it("a click naming journey A's send key routes journey A only", async () => {
    const { h, ea, eb, keyA } = await twoJourneys();
    const r = await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1', sendKey: keyA });
    expect(r).toEqual({ recorded: [ea], duplicates: [] });
    await runUntilIdle(h);
    expect(await flagsOf(h, ea)).toEqual({ clicked: true });
    expect(await flagsOf(h, eb)).toEqual({ ignored: true });
  });

  it("a click naming the channel's messageId lands on the enrollment that sent it", async () => {
    const { h, ea, eb, messageOfB } = await twoJourneys();
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1', messageId: messageOfB })).toEqual({ recorded: [eb], duplicates: [] });
    await runUntilIdle(h);
    expect(await flagsOf(h, ea)).toEqual({ ignored: true });
    expect(await flagsOf(h, eb)).toEqual({ clicked: true });
  });

  it('a click naming the journey lands on that journey only', async () => {
    const { h, b, ea, eb } = await twoJourneys();
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'o1', journeyId: b })).toEqual({ recorded: [eb], duplicates: [] });
    await runUntilIdle(h);
    expect(await flagsOf(h, ea)).toEqual({ ignored: true });
    expect(await flagsOf(h, eb)).toEqual({ clicked: true });
  });

  it('naming nothing, it lands on the enrollment whose send came last at or before `at`', async () => {
    const { h, ea, eb } = await twoJourneys({ bLater: HOUR });
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'early', at: T0 + HOUR / 2 })).toEqual({ recorded: [ea], duplicates: [] });
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'impression', idempotencyKey: 'late', at: T0 + 2 * HOUR })).toEqual({ recorded: [eb], duplicates: [] });
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'impression', idempotencyKey: 'at-send', at: T0 + HOUR })).toEqual({ recorded: [eb], duplicates: [] });
  });

  it('a key recorded once is never recorded again for that customer, whichever enrollment it would land on', async () => {
    const { h, b, ea, keyA } = await twoJourneys();
    await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'once', sendKey: keyA });
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'once', journeyId: b })).toEqual({ recorded: [], duplicates: [ea] });
    await runUntilIdle(h);
    // A retry after the enrollment ended is still a duplicate, not unmatched.
    expect(await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'once', sendKey: keyA })).toEqual({ recorded: [], duplicates: [ea] });
  });

  it('a webhook naming a send that is still in flight lands on it and routes the branch after that send', async () => {
    const h = harness();
    let webhook: Promise<unknown> | undefined;
    const original = h.channels.send.bind(h.channels);
    h.channels.send = async (request) => {
      webhook ??= h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'early', sendKey: request.idempotencyKey });
      await webhook;
      return original(request);
    };
    const a = await h.engine.createJourney(mailThenBranch('A'));
    const ea = (await h.engine.enroll(a.id, { customerId: 'c1' })).enrolled[0]!.enrollmentId;
    await h.engine.runDue();
    expect(await webhook).toEqual({ recorded: [ea], duplicates: [] });
    expect((await h.engine.getEnrollment(ea))!.latestOutcome).toMatchObject({ key: 'early', sendKey: `${ea}:mail:1` });
    await runUntilIdle(h);
    expect(await flagsOf(h, ea)).toEqual({ clicked: true });
  });

  it('the same key from two customers is two outcomes', async () => {
    const h = harness();
    const a = await h.engine.createJourney(mailThenBranch('A'));
    await h.engine.enroll(a.id, { customerIds: ['c1', 'c2'] });
    await h.engine.runDue();
    expect((await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'shared' })).recorded).toHaveLength(1);
    expect((await h.engine.recordOutcome({ customerId: 'c2', type: 'click', idempotencyKey: 'shared' })).recorded).toHaveLength(1);
  });
});

describe('engine: an outcome that matches no enrollment says why', () => {
  const mail = journey([
    { id: 'mail', type: 'send', config: { channelId: 'email' } },
    { id: 'wait', type: 'wait', config: { duration: 1, unit: 'days' } },
  ], { status: 'active' });

  it('no-active-enrollment: the customer is in no journey now', async () => {
    const h = harness();
    const r = await h.engine.recordOutcome({ customerId: 'nobody', type: 'click', idempotencyKey: 'k' });
    expect(r).toEqual({ recorded: [], duplicates: [], unmatched: { reason: 'no-active-enrollment', message: expect.stringContaining('nobody') } });
  });

  it('journey-not-entered and enrollment-ended: the named journey', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(mail);
    expect((await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k', journeyId: id })).unmatched?.reason).toBe('journey-not-entered');
    await h.engine.enroll(id, { customerId: 'c1' });
    await runUntilIdle(h);
    const r = await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k', journeyId: id });
    expect(r.unmatched).toEqual({ reason: 'enrollment-ended', message: expect.stringContaining('completed') });
    expect(r.recorded).toEqual([]);
  });

  it('message-not-found: a send key or message id no enrollment of this customer sent', async () => {
    const h = harness();
    const { id } = await h.engine.createJourney(mail);
    const enrollmentId = (await h.engine.enroll(id, { customerId: 'c1' })).enrolled[0]!.enrollmentId;
    await h.engine.runDue();
    for (const naming of [{ sendKey: `${enrollmentId}:mail:2` }, { sendKey: 'garbage' }, { messageId: 'msg_999' }]) {
      expect((await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k', ...naming })).unmatched?.reason).toBe('message-not-found');
    }
    // another customer's message is not found either
    const key = h.channels.sent[0]!.idempotencyKey;
    expect((await h.engine.recordOutcome({ customerId: 'c2', type: 'click', idempotencyKey: 'k', sendKey: key })).unmatched?.reason).toBe('message-not-found');
    expect((await h.engine.getEnrollment(enrollmentId))!.outcomes).toEqual([]);
  });

  it('ambiguous: two journeys sent at the same instant and the outcome names neither', async () => {
    const h = harness();
    const a = await h.engine.createJourney({ ...mail, name: 'A' });
    const b = await h.engine.createJourney({ ...mail, name: 'B' });
    await h.engine.enroll(a.id, { customerId: 'c1' });
    await h.engine.enroll(b.id, { customerId: 'c1' });
    await h.engine.runDue();
    const r = await h.engine.recordOutcome({ customerId: 'c1', type: 'click', idempotencyKey: 'k' });
    expect(r.unmatched).toEqual({ reason: 'ambiguous', message: expect.stringContaining('journeyId') });
  });
});
