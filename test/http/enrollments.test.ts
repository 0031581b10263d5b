import { describe, expect, it } from 'vitest';
import { activeJourney, api, GOOD, SEED, snapshot } from './http-helpers.js';

const J = '/api/v1/journeys';

describe('POST /journeys/:id/enroll', () => {
  it('enrolls one customer or many, skipping and counting duplicates', async () => {
    const a = api({ customers: [{ id: 'c1', segments: ['loan_interested'] }, { id: 'c2', segments: ['loan_interested'] }, { id: 'c3' }] });
    const id = await activeJourney(a);
    const one = await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1' });
    expect(one.status).toBe(200);
    expect(one.body.enrolled).toEqual([{ customerId: 'c1', enrollmentId: expect.any(String) }]);
    const many = await a.call('POST', `${J}/${id}/enroll`, { customerIds: ['c1', 'c2', 'c2', 'c3'] });
    expect(many.body.counts).toEqual({ requested: 4, enrolled: 1, skipped: 3, duplicates: 2 });
    expect(many.body.skipped.map((s: { reason: string }) => s.reason)).toEqual(['already-enrolled', 'duplicate-in-request', 'not-in-segment']);
  });

  it("answers exactly what the library's enroll answers, counts included", async () => {
    const customers = [{ id: 'c1', segments: ['loan_interested'] }, { id: 'c2', segments: ['loan_interested'] }, { id: 'c3' }];
    const [viaHttp, viaLibrary] = [api({ customers }), api({ customers })];
    const [httpId, libraryId] = [await activeJourney(viaHttp), await activeJourney(viaLibrary)];
    for (const target of [{ customerId: 'c1' }, { customerIds: ['c1', 'c2', 'c2', 'c3'] }]) {
      const http = await viaHttp.call('POST', `${J}/${httpId}/enroll`, target);
      const library = await viaLibrary.engine.enroll(libraryId, target);
      expect(http.body).toEqual(JSON.parse(JSON.stringify(library)));
    }
  });

  it('refuses more than 1,000 customers, both or neither id, and bad ids with 400, enrolling nobody', async () => {
    const a = api();
    const id = await activeJourney(a);
    const before = await snapshot(a);
    const ids = Array.from({ length: 1001 }, (_, i) => `c${i}`);
    expect((await a.call('POST', `${J}/${id}/enroll`, { customerIds: ids })).body.error).toMatchObject({ code: 'too-many-customers', status: 400 });
    expect((await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1', customerIds: ['c2'] })).status).toBe(400);
    expect((await a.call('POST', `${J}/${id}/enroll`, {})).status).toBe(400);
    expect((await a.call('POST', `${J}/${id}/enroll`, { customerIds: ['c1', 7] })).body.error.details.path).toEqual(['customerIds', 1]);
    expect((await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1', extra: true })).body.error).toMatchObject({ code: 'unknown-field', details: { path: ['extra'] } });
    expect(await snapshot(a)).toBe(before);
  });

  it('answers 409 for a journey that is not active and 404 for an unknown one', async () => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    expect((await a.call('POST', `${J}/${body.id}/enroll`, { customerId: 'c1' })).body.error).toMatchObject({ code: 'journey-not-active', status: 409 });
    expect((await a.call('POST', `${J}/jrn_x/enroll`, { customerId: 'c1' })).status).toBe(404);
  });
});

describe('GET /journeys/:id/enrollments and /stats', () => {
  it('lists enrollments with status and step filters, ISO times and pagination; stats count the funnel', async () => {
    const a = api();
    const id = await activeJourney(a);
    await a.call('POST', `${J}/${id}/enroll`, { customerIds: ['c1', 'c2'] });
    await a.engine.runDue();
    const waiting = await a.call('GET', `${J}/${id}/enrollments?stepId=step_wait_3d&limit=1`);
    expect(waiting.status).toBe(200);
    expect(waiting.body.pagination).toEqual({ total: 2, limit: 1, offset: 0, hasMore: true });
    expect(waiting.body.data[0]).toMatchObject({ customerId: 'c1', status: 'active', stepId: 'step_wait_3d', wakeAt: '2026-03-13T09:00:00.000Z', enteredAt: '2026-03-10T09:00:00.000Z' });
    expect((await a.call('GET', `${J}/${id}/enrollments?status=completed`)).body.pagination.total).toBe(0);
    expect((await a.call('GET', `${J}/${id}/enrollments?status=done`)).status).toBe(400);
    expect((await a.call('GET', `${J}/jrn_x/enrollments`)).status).toBe(404);

    await a.run();
    const stats = await a.call('GET', `${J}/${id}/stats`);
    expect(stats.status).toBe(200);
    expect(stats.body).toMatchObject({ journeyId: id, completed: 2, active: 0 });
    expect(stats.body.steps.find((s: { stepId: string }) => s.stepId === 'step_reminder')).toMatchObject({ entered: 2, completed: 2 });
    expect((await a.call('GET', `${J}/jrn_x/stats`)).status).toBe(404);
  });
});

describe('POST /journeys/:id/test', () => {
  it('runs a sample customer through the journey and answers the timeline', async () => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    const r = await a.call('POST', `${J}/${body.id}/test`, {
      customer: { id: 'sample', segments: ['loan_interested'] },
      outcomes: [{ afterStepId: 'step_send_email', type: 'conversion' }],
      decisions: { df_personal_loans: [{ id: 'loan_a', apr: 7.9 }] },
      start: '2026-03-10T09:00:00Z',
    });
    expect(r.status).toBe(200);
    expect(r.body.status).toBe('completed');
    expect(r.body.timeline[0]).toMatchObject({ at: '2026-03-10T09:00:00.000Z', stepId: 'step_initial_offer', type: 'entered' });
    expect(r.body.timeline.some((t: { stepId: string }) => t.stepId === 'step_thank_you')).toBe(true);
    expect((await a.call('POST', `${J}/${body.id}/test`)).body.status).toBe('completed');
    expect(await a.engine.listEnrollments()).toMatchObject({ total: 0 });
  });

  it('answers 400 invalid-journey with diagnostics for a journey with errors (as simulate does), 400 for a bad body', async () => {
    const a = api();
    const { body } = await a.call('POST', J, SEED);
    const r = await a.call('POST', `${J}/${body.id}/test`, {});
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid-journey');
    expect(r.body.error.details.diagnostics).toHaveLength(2);
    const { body: good } = await a.call('POST', J, GOOD);
    expect((await a.call('POST', `${J}/${good.id}/test`, { start: 'yesterday' })).body.error.details.path).toEqual(['start']);
    expect((await a.call('POST', `${J}/${good.id}/test`, { outcomes: [{ at: '999999w', type: 'click' }] })).status).toBe(400);
    expect((await a.call('POST', `${J}/${good.id}/test`, { start: 8.7e15 })).status).toBe(400);
    const typo = await a.call('POST', `${J}/${good.id}/test`, { outcomes: [{ afterStepId: 'step_send_emial', type: 'click' }] });
    expect(typo.status).toBe(400);
    expect(typo.body.error).toMatchObject({ code: 'unknown-step', details: { path: ['outcomes', 0, 'afterStepId'] }, message: expect.stringContaining('step_send_email') });
  });

  it('answers 400 with the path for an outcome `at` that is neither an instant nor a duration (not 500)', async () => {
    const a = api();
    const { body: good } = await a.call('POST', J, GOOD);
    const r = await a.call('POST', `${J}/${good.id}/test`, { outcomes: [{ at: 'whenever', type: 'click' }] });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'invalid-request', details: { path: ['outcomes', 0, 'at'] } });
  });
});

describe('POST /events', () => {
  it('enrolls the customer into active journeys whose triggers match', async () => {
    const a = api();
    const id = await activeJourney(a, { ...GOOD, entryConditions: { events: [{ type: 'loan_page_viewed' }] } });
    const r = await a.call('POST', '/api/v1/events', { customerId: 'c9', type: 'loan_page_viewed', properties: { page: 'rates' }, at: '2026-03-10T08:00:00Z' });
    expect(r.status).toBe(200);
    expect(r.body.enrolled).toEqual([{ journeyId: id, enrollmentId: expect.any(String) }]);
    expect((await a.call('POST', '/api/v1/events', { customerId: 'c9', type: 'other' })).body.enrolled).toEqual([]);
    expect((await a.call('POST', '/api/v1/events', { customerId: 'c9' })).body.error.details.path).toEqual(['type']);
  });
});

describe('POST /outcomes', () => {
  async function waiting() {
    const a = api();
    const id = await activeJourney(a);
    await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1' });
    await a.engine.runDue();
    return { a, id };
  }

  it('records an outcome with the Idempotency-Key header once, and the branch reads it', async () => {
    const { a, id } = await waiting();
    const first = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'conversion' }, { 'idempotency-key': 'k1' });
    expect(first.status).toBe(200);
    expect(first.body.recorded).toHaveLength(1);
    const again = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'conversion', idempotencyKey: 'k1' });
    expect(again.body).toMatchObject({ recorded: [], duplicates: [expect.any(String)] });
    await a.run();
    const { body } = await a.call('GET', `${J}/${id}/enrollments`);
    expect(body.data[0]).toMatchObject({ status: 'completed', latestOutcome: { type: 'conversion', idempotencyKey: 'k1' } });
  });

  it('refuses a missing key and a header that differs from the field with 400, recording nothing', async () => {
    const { a } = await waiting();
    const before = await snapshot(a);
    expect((await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click' })).body.error.details.path).toEqual(['idempotencyKey']);
    const r = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'a' }, { 'idempotency-key': 'b' });
    expect(r.body.error).toMatchObject({ code: 'idempotency-key-mismatch', status: 400 });
    expect(await snapshot(a)).toBe(before);
    expect((await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'a' }, { 'idempotency-key': 'a' })).status).toBe(200);
    expect((await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', journeyId: 'jrn_x' }, { 'idempotency-key': 'z' })).status).toBe(404);
  });

  it('lands on the send named by sendKey or messageId', async () => {
    const { a, id } = await waiting();
    const enrollmentId = (await a.call('GET', `${J}/${id}/enrollments`)).body.data[0].id as string;
    const sent = a.channels.sent[0]!;
    const byKey = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'impression', idempotencyKey: 'i1', sendKey: sent.idempotencyKey });
    expect(byKey).toMatchObject({ status: 200, body: { recorded: [enrollmentId], duplicates: [] } });
    const byMessage = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'c1', messageId: 'msg_1' });
    expect(byMessage).toMatchObject({ status: 200, body: { recorded: [enrollmentId], duplicates: [] } });
    const view = await a.call('GET', `${J}/${id}/enrollments`);
    expect(view.body.data[0].latestOutcome).toMatchObject({ type: 'click', idempotencyKey: 'c1', sendKey: sent.idempotencyKey });
  });

  it('answers 422 outcome-unmatched with the reason when the outcome matches no enrollment, recording nothing', async () => {
    const { a } = await waiting();
    const before = await snapshot(a);
    const none = await a.call('POST', '/api/v1/outcomes', { customerId: 'nobody', type: 'click', idempotencyKey: 'u1' });
    expect(none.status).toBe(422);
    expect(none.body).toEqual({
      recorded: [],
      duplicates: [],
      unmatched: { reason: 'no-active-enrollment', message: expect.any(String) },
      error: { code: 'outcome-unmatched', status: 422, message: none.body.unmatched.message, details: { reason: 'no-active-enrollment' } },
    });
    const lost = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'u2', messageId: 'msg_404' });
    expect(lost).toMatchObject({ status: 422, body: { unmatched: { reason: 'message-not-found' } } });
    expect(await snapshot(a)).toBe(before);
  });
});
