import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { activeJourney, api, GOOD, SEED, snapshot } from './http-helpers.js';

const METHODS = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'HEAD'];
const ROUTES = ['/journeys', '/journeys/:id', '/journeys/:id/validate', '/journeys/:id/enroll', '/journeys/:id/test', '/journeys/:id/enrollments', '/journeys/:id/stats', '/journeys/:id/entry/c1', '/journeys/:id/entry/:id', '/events', '/outcomes'];

const jsonish = fc.oneof(
  fc.jsonValue({ maxDepth: 4 }),
  fc.record({ customerId: fc.oneof(fc.string(), fc.constant('c1'), fc.integer()), customerIds: fc.array(fc.oneof(fc.string(), fc.constant('c1')), { maxLength: 5 }) }, { requiredKeys: [] }),
  fc.record({ status: fc.constantFrom('draft', 'active', 'paused', 'archived', 'x'), name: fc.string(), maxDuration: fc.oneof(fc.integer(), fc.double()), steps: fc.constantFrom(GOOD.steps, SEED.steps, [], 'x') }, { requiredKeys: [] }),
  fc.record({ customerId: fc.string(), type: fc.string(), idempotencyKey: fc.string(), at: fc.oneof(fc.integer(), fc.string(), fc.double()), journeyId: fc.string() }, { requiredKeys: [] }),
  fc.record({ customer: fc.jsonValue({ maxDepth: 2 }), outcomes: fc.array(fc.record({ afterStepId: fc.string(), at: fc.oneof(fc.string(), fc.integer()), type: fc.string() }, { requiredKeys: [] }), { maxLength: 3 }), start: fc.oneof(fc.string(), fc.integer(), fc.double()), decisions: fc.jsonValue({ maxDepth: 3 }) }, { requiredKeys: [] }),
);

const bodyText = fc.oneof(
  jsonish.map((v) => JSON.stringify(v) ?? ''),
  fc.string({ maxLength: 50 }),
  fc.constantFrom('{"__proto__":{"x":1}}', '{"constructor":{"prototype":{"x":1}}}', '[', '\u0000', '', 'null', '1e400'),
);

const segment = fc.oneof(
  fc.constantFrom('jrn_1', 'jrn_2', 'nope', '%00', '%ZZ', '..', '.', '%2F', 'a'.repeat(300), '__proto__', 'constructor', '%F0%9F%98%80'),
  fc.string({ maxLength: 20 }).map(encodeURIComponent),
);

const request = fc.record({
  method: fc.constantFrom(...METHODS),
  route: fc.constantFrom(...ROUTES),
  id: segment,
  extra: fc.option(segment, { nil: undefined }),
  query: fc.option(fc.constantFrom('?via=event', '?via=x', '?limit=0', '?limit=1000', '?status=draft', '?status=x', '?offset=-2', '?stepId=', '?x=1', '?limit=2&limit=3', '?limit=1e3'), { nil: undefined }),
  body: fc.option(bodyText, { nil: undefined }),
  contentType: fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', 'application/json; charset=latin1', undefined),
  idempotencyKey: fc.option(fc.string({ maxLength: 300 }), { nil: undefined }),
});

describe('fuzzing the HTTP API', () => {
  it('never answers a 5xx, always answers the error shape, and a 4xx changes nothing', async () => {
    const a = api();
    await activeJourney(a);
    await a.call('POST', '/api/v1/journeys', SEED);
    await a.call('POST', '/api/v1/journeys/jrn_1/enroll', { customerId: 'c1' });
    await a.engine.runDue();
    await fc.assert(
      fc.asyncProperty(request, async (r) => {
        let path = `/api/v1${r.route.replaceAll(':id', r.id)}${r.extra === undefined ? '' : `/${r.extra}`}${r.query ?? ''}`;
        if (path.length > 4000) path = path.slice(0, 4000);
        const headers: Record<string, string> = {};
        if (r.contentType) headers['content-type'] = r.contentType;
        if (r.idempotencyKey !== undefined) {
          try {
            new Headers({ 'idempotency-key': r.idempotencyKey });
            headers['idempotency-key'] = r.idempotencyKey;
          } catch {
            // not a valid header value: the client could not send it either
          }
        }
        const hasBody = r.body !== undefined && r.method !== 'GET' && r.method !== 'HEAD';
        const before = await snapshot(a);
        const response = await a.handler(new Request(`http://fuzz.local${path}`, { method: r.method, headers, ...(hasBody ? { body: r.body } : {}) }));
        expect(response.status).toBeLessThan(500);
        const text = await response.text();
        if (response.status >= 400) {
          const body = JSON.parse(text);
          expect(body.error).toMatchObject({ code: expect.any(String), message: expect.any(String), status: response.status });
          expect(await snapshot(a)).toBe(before);
        }
      }),
      { numRuns: 1000 },
    );
    expect(Object.prototype).not.toHaveProperty('x');
  });
});
