import { describe, expect, it } from 'vitest';
import { api, GOOD, snapshot } from './http-helpers.js';

const J = '/api/v1/journeys';

function tenantApi() {
  return api({ http: { resolveTenant: (request) => request.headers.get('x-tenant') } });
}

describe('tenancy', () => {
  it('answers 401 when resolveTenant finds no tenant', async () => {
    const a = tenantApi();
    const r = await a.call('GET', J);
    expect(r.status).toBe(401);
    expect(r.body.error.code).toBe('unauthorized');
  });

  it("scopes every read and write: another tenant's journey is a 404 and never listed", async () => {
    const a = tenantApi();
    const acme = { 'x-tenant': 'acme' };
    const globex = { 'x-tenant': 'globex' };
    const { body } = await a.call('POST', J, GOOD, acme);
    const id = body.id as string;
    expect((await a.call('GET', `${J}/${id}`, undefined, acme)).status).toBe(200);
    const before = await snapshot(a, 'acme');
    for (const [method, path, payload] of [
      ['GET', `${J}/${id}`, undefined],
      ['PUT', `${J}/${id}`, { name: 'stolen' }],
      ['DELETE', `${J}/${id}`, undefined],
      ['POST', `${J}/${id}/validate`, undefined],
      ['POST', `${J}/${id}/enroll`, { customerId: 'c1' }],
      ['POST', `${J}/${id}/test`, {}],
      ['GET', `${J}/${id}/enrollments`, undefined],
      ['GET', `${J}/${id}/stats`, undefined],
      ['GET', `${J}/${id}/entry/c1`, undefined],
    ] as const) {
      const r = await a.call(method, path, payload, globex);
      expect(r.status, `${method} ${path}`).toBe(404);
    }
    expect((await a.call('GET', J, undefined, globex)).body.pagination.total).toBe(0);
    expect(await snapshot(a, 'acme')).toBe(before);
    expect((await a.engine.forTenant('acme').getJourney(id))?.name).toBe(GOOD.name);
  });

  it('keeps outcomes and events within the tenant', async () => {
    const a = tenantApi();
    const acme = { 'x-tenant': 'acme' };
    const { body } = await a.call('POST', J, { ...GOOD, status: 'active', entryConditions: { events: [{ type: 'signup' }] } }, acme);
    expect((await a.call('POST', '/api/v1/events', { customerId: 'c1', type: 'signup' }, { 'x-tenant': 'globex' })).body.enrolled).toEqual([]);
    expect((await a.call('POST', '/api/v1/events', { customerId: 'c1', type: 'signup' }, acme)).body.enrolled).toEqual([{ journeyId: body.id, enrollmentId: expect.any(String) }]);
    const r = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'k' }, { 'x-tenant': 'globex' });
    expect(r.body.recorded).toEqual([]);
  });
});
