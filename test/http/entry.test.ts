import { describe, expect, it } from 'vitest';
import { validateJourney } from '../../src/validate/index.js';
import { activeJourney, api, GOOD } from './http-helpers.js';

const J = '/api/v1/journeys';

describe('GET /journeys/:id/entry/:customerId', () => {
  it("answers exactly what the library's explainEntry answers: every rule, and why not", async () => {
    const customers = [{ id: 'c1', segments: ['loan_interested'] }, { id: 'c2' }];
    const a = api({ customers });
    const id = await activeJourney(a);
    await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1' });
    for (const customerId of ['c1', 'c2', 'c3']) {
      const r = await a.call('GET', `${J}/${id}/entry/${customerId}`);
      expect(r.status).toBe(200);
      expect(r.body).toEqual(JSON.parse(JSON.stringify(await a.engine.explainEntry(id, customerId))));
    }
    const c1 = (await a.call('GET', `${J}/${id}/entry/c1`)).body;
    expect(c1).toMatchObject({ journeyId: id, customerId: 'c1', via: 'manual', canEnter: false, reason: 'already-enrolled', checkedAt: '2026-03-10T09:00:00.000Z' });
    const c2 = (await a.call('GET', `${J}/${id}/entry/c2`)).body;
    expect(c2.rules.filter((r: { passed: boolean }) => !r.passed).map((r: { rule: string }) => r.rule)).toEqual(['segments']);
  });

  it('explains re-entry too soon as docs/http-api.md shows it', async () => {
    const a = api();
    const id = await activeJourney(a, { ...GOOD, entryConditions: { segments: ['loan_interested'], reEntryAfterDays: 30 } });
    const [e] = (await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1' })).body.enrolled;
    await a.engine.exitEnrollment(e.enrollmentId);
    a.clock.advance('12d');
    a.clock.advance('12h');
    const { body } = await a.call('GET', `${J}/${id}/entry/c1`);
    expect(body).toMatchObject({ journeyId: id, customerId: 'c1', via: 'manual', canEnter: false, reason: 're-entry-too-soon', checkedAt: '2026-03-22T21:00:00.000Z' });
    expect(body.rules.map((r: { rule: string; status: string }) => [r.rule, r.status])).toEqual([
      ['journey-active', 'passed'],
      ['manual-enrollment', 'passed'],
      ['segments', 'passed'],
      ['already-enrolled', 'passed'],
      ['min-days-since-last-journey', 'not-applicable'],
      ['re-entry', 'not-applicable'],
      ['re-entry-after-days', 'failed'],
    ]);
    expect(body.rules[2]).toEqual({ rule: 'segments', status: 'passed', passed: true, message: 'the customer is in segment "loan_interested"', details: { segments: ['loan_interested'], matched: ['loan_interested'] } });
    expect(body.rules[6]).toEqual({
      rule: 're-entry-after-days',
      status: 'failed',
      passed: false,
      reason: 're-entry-too-soon',
      message: "the customer's last enrollment in this journey ended 12.5 days ago; reEntryAfterDays requires 30 (they may enter again from 2026-04-09T09:00:00.000Z)",
      details: { requiredDays: 30, daysSince: 12.5, lastEndedAt: '2026-03-10T09:00:00.000Z', canEnterFrom: '2026-04-09T09:00:00.000Z' },
    });
    expect((await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1' })).body.skipped).toEqual([{ customerId: 'c1', reason: 're-entry-too-soon', message: body.rules[6].message }]);
  });

  it('?via=event checks the event triggers instead of manual enrollment', async () => {
    const a = api();
    const id = await activeJourney(a, { ...GOOD, entryConditions: { manual: false, events: [{ type: 'signup' }] } });
    const manual = (await a.call('GET', `${J}/${id}/entry/c1`)).body;
    expect(manual).toMatchObject({ canEnter: false, reason: 'manual-disabled' });
    const event = (await a.call('GET', `${J}/${id}/entry/c1?via=event`)).body;
    expect(event).toMatchObject({ via: 'event', canEnter: true });
    expect(event.rules.map((r: { rule: string }) => r.rule)).toContain('event-trigger');
    expect((await a.call('GET', `${J}/${id}/entry/c1?via=api`)).body.error).toMatchObject({ code: 'invalid-request', status: 400, details: { path: ['query', 'via'] } });
    expect((await a.call('GET', `${J}/${id}/entry/c1?channel=x`)).body.error).toMatchObject({ code: 'unknown-parameter', status: 400 });
  });

  it('answers 404 journey-not-found for an unknown journey, and only GET', async () => {
    const a = api();
    expect((await a.call('GET', `${J}/jrn_x/entry/c1`)).body.error).toMatchObject({ code: 'journey-not-found', status: 404 });
    const id = await activeJourney(a);
    const post = await a.call('POST', `${J}/${id}/entry/c1`, {});
    expect(post.status).toBe(405);
    expect(post.headers.get('allow')).toContain('GET');
  });

  it('takes ids named like Object.prototype properties, for the journey and the customer', async () => {
    const a = api();
    const doc = validateJourney(GOOD).journey!;
    for (const journeyId of ['constructor', '__proto__']) {
      expect((await a.call('GET', `${J}/${journeyId}/entry/c1`)).body.error).toMatchObject({ code: 'journey-not-found', status: 404 });
      // stored directly: the engine's own ids are jrn_<n>
      await a.storage.createJourney({ id: journeyId, tenantId: 'default', name: doc.name, description: '', status: 'active', maxDuration: doc.maxDuration, steps: doc.steps, entryConditions: doc.entryConditions, version: 1, revision: 1, createdAt: 0, updatedAt: 0 });
      for (const customerId of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
        const r = await a.call('GET', `${J}/${journeyId}/entry/${customerId}`);
        expect(r.status, `${journeyId}/${customerId}`).toBe(200);
        expect(r.body).toMatchObject({ journeyId, customerId, canEnter: false, reason: 'not-in-segment' });
      }
      expect((await a.call('GET', `${J}/${journeyId}/entry/c1`)).body).toMatchObject({ journeyId, customerId: 'c1', canEnter: true });
    }
  });
});
