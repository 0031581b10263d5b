import { describe, expect, it } from 'vitest';
import { activeJourney, api, GOOD, SEED, snapshot } from './http-helpers.js';

const J = '/api/v1/journeys';

describe('POST /journeys', () => {
  it("answers the seed's own example with 201, the seed's shape and its diagnostics", async () => {
    const a = api();
    const r = await a.call('POST', J, SEED);
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ name: 'Personal Loan Nurture', status: 'draft', maxDuration: 21, stepCount: 4, createdAt: '2026-03-10T09:00:00.000Z', updatedAt: '2026-03-10T09:00:00.000Z' });
    expect(Object.keys(r.body).sort()).toEqual(['createdAt', 'diagnostics', 'id', 'maxDuration', 'name', 'status', 'stepCount', 'updatedAt']);
    expect(r.body.diagnostics.map((d: { code: string }) => d.code)).toEqual(['unknown-target', 'unknown-target']);
    expect(r.headers.get('location')).toBe(`${J}/${r.body.id}`);
  });

  it('refuses a document that does not parse with 400 and its diagnostics, saving nothing', async () => {
    const a = api();
    const r = await a.call('POST', J, { ...GOOD, maxDuration: 'three weeks', id: 'x' });
    expect(r.status).toBe(400);
    expect(r.body.error.code).toBe('invalid-journey');
    expect(r.body.error.details.diagnostics.some((d: { path: unknown[] }) => d.path[0] === 'maxDuration')).toBe(true);
    expect((await a.engine.listJourneys()).total).toBe(0);
  });

  it('creates an active journey only when it has no errors (422 otherwise)', async () => {
    const a = api();
    expect((await a.call('POST', J, { ...GOOD, status: 'active' })).status).toBe(201);
    const r = await a.call('POST', J, { ...SEED, status: 'active' });
    expect(r.status).toBe(422);
    expect(r.body.error).toMatchObject({ code: 'activation-refused', status: 422, details: { path: ['steps', 3, 'config', 'conditions', 0, 'targetStepId'] } });
    expect(r.body.error.details.diagnostics).toHaveLength(2);
  });
});

describe('GET /journeys', () => {
  it('takes a document carrying "$schema" (an editor annotation) on POST and PUT, and stores none of it', async () => {
    const a = api();
    const $schema = './node_modules/journey-engine/schema/journey.schema.json';
    const created = await a.call('POST', J, { ...GOOD, $schema });
    expect(created.status).toBe(201);
    const updated = await a.call('PUT', `${J}/${created.body.id}`, { ...GOOD, $schema, name: 'Renamed' });
    expect(updated.status).toBe(200);
    expect(updated.body.name).toBe('Renamed');
    expect(updated.body.version).toBe(1);
    expect(updated.body).not.toHaveProperty('$schema');
  });

  it('lists newest first with a status filter and pagination', async () => {
    const a = api();
    for (let i = 0; i < 3; i++) {
      await a.call('POST', J, { ...GOOD, name: `j${i}` });
      a.clock.advance('1m');
    }
    await activeJourney(a);
    const all = await a.call('GET', `${J}?limit=2&offset=1`);
    expect(all.status).toBe(200);
    expect(all.body.pagination).toEqual({ total: 4, limit: 2, offset: 1, hasMore: true });
    expect(all.body.data.map((j: { name: string }) => j.name)).toEqual(['j2', 'j1']);
    const drafts = await a.call('GET', `${J}?status=draft`);
    expect(drafts.body.pagination).toEqual({ total: 3, limit: 50, offset: 0, hasMore: false });
    expect(drafts.body.data[0]).toMatchObject({ status: 'draft', stepCount: 10, version: 1 });
  });

  it.each([
    ['limit=0', 'limit'],
    ['limit=201', 'limit'],
    ['limit=abc', 'limit'],
    ['offset=-1', 'offset'],
    ['status=live', 'status'],
    ['limit=1&limit=2', 'limit'],
    ['sort=name', 'sort'],
  ])('refuses ?%s with 400 at its path', async (query, name) => {
    const r = await api().call('GET', `${J}?${query}`);
    expect(r.status).toBe(400);
    expect(r.body.error.details.path).toEqual(['query', name]);
  });
});

describe('GET /journeys/:id', () => {
  it('answers the full journey with steps, entry conditions, version and diagnostics', async () => {
    const a = api();
    const { body } = await a.call('POST', J, SEED);
    const r = await a.call('GET', `${J}/${body.id}`);
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ id: body.id, version: 1, stepCount: 4, entryConditions: SEED.entryConditions, createdAt: '2026-03-10T09:00:00.000Z' });
    expect(r.body.steps).toHaveLength(4);
    expect(r.body.diagnostics).toHaveLength(2);
    expect(r.body).not.toHaveProperty('tenantId');
  });

  it('answers 404 for an unknown journey', async () => {
    const r = await api().call('GET', `${J}/jrn_nope`);
    expect(r.status).toBe(404);
    expect(r.body.error).toMatchObject({ code: 'journey-not-found', status: 404 });
  });
});

describe('PUT /journeys/:id', () => {
  it('is a partial update: absent fields stay', async () => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    const r = await a.call('PUT', `${J}/${body.id}`, { description: 'new words' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: GOOD.name, description: 'new words', stepCount: 10 });
  });

  it('fixes the seed example by PUTting the full steps, then activates', async () => {
    const a = api();
    const { body } = await a.call('POST', J, SEED);
    const fixed = await a.call('PUT', `${J}/${body.id}`, { steps: GOOD.steps });
    expect(fixed.status).toBe(200);
    expect(fixed.body.diagnostics).toEqual([]);
    const active = await a.call('PUT', `${J}/${body.id}`, { status: 'active' });
    expect(active.body.status).toBe('active');
  });

  it('takes back a whole GET answer whose read-only fields match, changing only what differs', async () => {
    const a = api();
    const id = await activeJourney(a);
    const { body: current } = await a.call('GET', `${J}/${id}`);
    const r = await a.call('PUT', `${J}/${id}`, { ...current, name: 'Renamed' });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ name: 'Renamed', status: 'active', version: 1 });
  });

  it.each([
    ['id', 'jrn_other'],
    ['createdAt', '2020-01-01T00:00:00.000Z'],
    ['stepCount', 3],
    ['version', 7],
    ['diagnostics', [{ code: 'x' }]],
  ])('refuses a changed read-only %s with 400, changing nothing', async (field, value) => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    const before = await snapshot(a);
    const r = await a.call('PUT', `${J}/${body.id}`, { name: 'x', [field]: value });
    expect(r.status).toBe(400);
    expect(r.body.error).toMatchObject({ code: 'read-only-field', details: { path: [field] } });
    expect(await snapshot(a)).toBe(before);
  });

  it('refuses a stale updatedAt (a lost update) with 400', async () => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    const { body: read } = await a.call('GET', `${J}/${body.id}`);
    a.clock.advance('1m');
    await a.call('PUT', `${J}/${body.id}`, { name: 'first writer' });
    const r = await a.call('PUT', `${J}/${body.id}`, { ...read, name: 'second writer' });
    expect(r.status).toBe(400);
    expect(r.body.error.details.path).toEqual(['updatedAt']);
  });

  it('refuses structural changes of an active journey with 409 saying to pause first', async () => {
    const a = api();
    const id = await activeJourney(a);
    const before = await snapshot(a);
    const r = await a.call('PUT', `${J}/${id}`, { maxDuration: 30 });
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'journey-active', details: { path: ['maxDuration'] } });
    expect(r.body.error.message).toMatch(/pause it first/);
    expect(await snapshot(a)).toBe(before);
    expect((await a.call('PUT', `${J}/${id}`, { status: 'paused' })).status).toBe(200);
    const paused = await a.call('PUT', `${J}/${id}`, { maxDuration: 30 });
    expect(paused.body).toMatchObject({ maxDuration: 30, version: 2 });
  });

  it('follows the lifecycle: 409 for a transition it does not allow, 409 once archived', async () => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    expect((await a.call('PUT', `${J}/${body.id}`, { status: 'paused' })).body.error.code).toBe('invalid-transition');
    expect((await a.call('PUT', `${J}/${body.id}`, { status: 'archived' })).status).toBe(200);
    const r = await a.call('PUT', `${J}/${body.id}`, { name: 'again' });
    expect(r.status).toBe(409);
    expect(r.body.error.code).toBe('journey-archived');
  });

  it('refuses activation of a journey with errors with 422 and its diagnostics', async () => {
    const a = api();
    const { body } = await a.call('POST', J, SEED);
    const r = await a.call('PUT', `${J}/${body.id}`, { status: 'active' });
    expect(r.status).toBe(422);
    expect(r.body.error.details.diagnostics.map((d: { code: string }) => d.code)).toEqual(['unknown-target', 'unknown-target']);
    expect((await a.call('GET', `${J}/${body.id}`)).body.status).toBe('draft');
  });

  it('refuses unknown fields, a bad status and a non-object body with 400', async () => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    expect((await a.call('PUT', `${J}/${body.id}`, { tenantId: 'x' })).body.error).toMatchObject({ code: 'unknown-field', status: 400, details: { path: ['tenantId'] } });
    expect((await a.call('PUT', `${J}/${body.id}`, { status: 'live' })).body.error).toMatchObject({ code: 'invalid-field', status: 400 });
    expect((await a.call('PUT', `${J}/${body.id}`, [1, 2])).status).toBe(400);
    expect((await a.call('PUT', `${J}/${body.id}`, { steps: 'none' })).body.error).toMatchObject({ code: 'invalid-journey', status: 400 });
  });
});

describe('DELETE /journeys/:id', () => {
  it('deletes a draft (204) and refuses an active one with 409 saying to archive it first', async () => {
    const a = api();
    const { body } = await a.call('POST', J, GOOD);
    const del = await a.call('DELETE', `${J}/${body.id}`);
    expect(del.status).toBe(204);
    expect(del.body).toBeUndefined();
    expect((await a.call('GET', `${J}/${body.id}`)).status).toBe(404);
    const id = await activeJourney(a);
    const r = await a.call('DELETE', `${J}/${id}`);
    expect(r.status).toBe(409);
    expect(r.body.error).toMatchObject({ code: 'journey-not-archived', status: 409 });
    expect(r.body.error.message).toMatch(/archive it first/);
    expect((await a.call('GET', `${J}/${id}`)).status).toBe(200);
    expect((await a.call('DELETE', `${J}/jrn_gone`)).status).toBe(404);
  });

  it('deletes an archived journey (204)', async () => {
    const a = api();
    const id = await activeJourney(a);
    expect((await a.call('PUT', `${J}/${id}`, { status: 'archived' })).status).toBe(200);
    const del = await a.call('DELETE', `${J}/${id}`);
    expect(del.status).toBe(204);
    expect((await a.call('GET', `${J}/${id}`)).status).toBe(404);
  });
});

describe('POST /journeys/:id/validate', () => {
  it('answers the stored journey diagnostics', async () => {
    const a = api();
    const { body } = await a.call('POST', J, SEED);
    const r = await a.call('POST', `${J}/${body.id}/validate`);
    expect(r.status).toBe(200);
    expect(r.body.valid).toBe(false);
    expect(r.body.diagnostics[0]).toMatchObject({ code: 'unknown-target', stepId: 'step_check_response', path: ['steps', 3, 'config', 'conditions', 0, 'targetStepId'] });
    expect((await a.call('POST', `${J}/${body.id}/validate`, {})).status).toBe(200);
    expect((await a.call('POST', `${J}/${body.id}/validate`, { x: 1 })).status).toBe(400);
  });
});
