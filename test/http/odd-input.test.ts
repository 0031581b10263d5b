/**
 * Odd strings and oversized contexts over HTTP, on every storage adapter: a 400/413 with a code,
 * never a 500 (Postgres refuses NUL bytes in text and jsonb, and lone surrogates in jsonb).
 */
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStorage } from '../../src/adapters/memory/index.js';
import { sqliteStorage } from '../../src/adapters/sqlite/index.js';
import { MAX_CONTEXT_BYTES } from '../../src/runtime/enrollments.js';
import type { Storage } from '../../src/runtime/ports.js';
import { PG_KIND, pgHarness, type PgHarness } from '../storage/pg-harness.js';
import { activeJourney, api, GOOD, snapshot, type Api } from './http-helpers.js';

let pg: PgHarness;
const cleanups: Array<() => Promise<void>> = [];
beforeAll(async () => {
  pg = await pgHarness();
});
afterAll(async () => {
  for (const c of cleanups) await c();
  await pg.end();
});

const adapters: Array<[string, () => Promise<Storage>]> = [
  ['memory', async () => memoryStorage()],
  [
    'sqlite',
    async () => {
      const database = new Database(':memory:');
      cleanups.push(async () => {
        database.close();
      });
      return sqliteStorage({ database });
    },
  ],
  [
    `postgres (${PG_KIND})`,
    async () => {
      const made = await pg.make();
      cleanups.push(made.cleanup);
      return made.storage;
    },
  ],
];

const ODD = ['c\u0000x', 'c\ud800', 'c\u001b', 'c'.repeat(300)];

for (const [name, make] of adapters) {
  describe(`odd strings over HTTP on ${name}`, () => {
    let a: Api;
    let id: string;
    beforeAll(async () => {
      a = api({ storage: await make(), http: { resolveTenant: (request) => request.headers.get('x-tenant') ?? 'default' } });
      id = await activeJourney(a);
      await a.call('POST', '/api/v1/journeys', { ...GOOD, status: 'active', entryConditions: { events: [{ type: 'signup' }] } });
      await a.call('POST', `/api/v1/journeys/${id}/enroll`, { customerId: 'c1' });
    });

    it('answers 400 invalid-id, never 500, for a NUL, a lone surrogate, a control character or 300 characters in any id', async () => {
      const before = await snapshot(a);
      for (const bad of ODD) {
        const tries: Array<[string, string, unknown, Array<string | number>]> = [
          ['POST', `/api/v1/journeys/${id}/enroll`, { customerId: bad }, ['customerId']],
          ['POST', `/api/v1/journeys/${id}/enroll`, { customerIds: ['c2', bad] }, ['customerIds', 1]],
          ['POST', '/api/v1/events', { customerId: bad, type: 'signup' }, ['customerId']],
          ['POST', '/api/v1/events', { customerId: 'c2', type: bad }, ['type']],
          ['POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: bad }, ['idempotencyKey']],
          ['POST', '/api/v1/outcomes', { customerId: bad, type: 'click', idempotencyKey: 'k' }, ['customerId']],
          ['POST', '/api/v1/outcomes', { customerId: 'c1', type: bad, idempotencyKey: 'k' }, ['type']],
          ['POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'k', journeyId: bad }, ['journeyId']],
        ];
        // A lone surrogate cannot be percent-encoded (URL decoding turns its bytes into U+FFFD).
        if (!bad.includes('\ud800')) {
          tries.push(['GET', `/api/v1/journeys/${id}/enrollments?customerId=${encodeURIComponent(bad)}`, undefined, ['query', 'customerId']]);
          tries.push(['GET', `/api/v1/journeys/${id}/enrollments?stepId=${encodeURIComponent(bad)}`, undefined, ['query', 'stepId']]);
        }
        for (const [method, path, body, where] of tries) {
          const r = await a.call(method, path, body);
          expect(r.status, `${method} ${path} ${JSON.stringify(body)}`).toBe(400);
          expect(r.body.error.code).toBe('invalid-id');
          expect(r.body.error.details.path).toEqual(where);
        }
      }
      expect(await snapshot(a)).toBe(before);
    });

    it('answers 400 invalid-id for a 300-character tenant id from resolveTenant', async () => {
      const r = await a.call('GET', '/api/v1/journeys', undefined, { 'x-tenant': 't'.repeat(300) });
      expect(r.status).toBe(400);
      expect(r.body.error).toMatchObject({ code: 'invalid-id', details: { path: ['tenantId'] } });
      expect((await a.call('GET', '/api/v1/journeys', undefined, { 'x-tenant': 't'.repeat(256) })).status).toBe(200);
    });

    it('answers 400 invalid-id for a tenant id with a NUL or a lone surrogate from resolveTenant (one a header cannot carry)', async () => {
      for (const tenant of ['acme\u0000', 'acme\ud800']) {
        const b = api({ storage: a.storage, http: { resolveTenant: () => tenant } });
        const r = await b.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'k' });
        expect(r.status).toBe(400);
        expect(r.body.error).toMatchObject({ code: 'invalid-id', details: { path: ['tenantId'] } });
      }
    });

    it('answers 400 invalid-context for a NUL or a lone surrogate inside context and event properties', async () => {
      const before = await snapshot(a);
      for (const bad of ['x\u0000', '\udfff']) {
        const enroll = await a.call('POST', `/api/v1/journeys/${id}/enroll`, { customerId: 'c2', context: { nested: [{ s: bad }] } });
        expect(enroll.status).toBe(400);
        expect(enroll.body.error).toMatchObject({ code: 'invalid-context', details: { path: ['context', 'nested', 0, 's'] } });
        const event = await a.call('POST', '/api/v1/events', { customerId: 'c2', type: 'signup', properties: { [`k${bad}`]: 1 } });
        expect(event.status).toBe(400);
        expect(event.body.error.code).toBe('invalid-context');
      }
      expect(await snapshot(a)).toBe(before);
    });

    it('answers 413 context-too-large for an oversized context, and for customers × context over the per-call budget', async () => {
      const before = await snapshot(a);
      const big = { note: 'x'.repeat(MAX_CONTEXT_BYTES) };
      const one = await a.call('POST', `/api/v1/journeys/${id}/enroll`, { customerId: 'c2', context: big });
      expect(one.status).toBe(413);
      expect(one.body.error).toMatchObject({ code: 'context-too-large', details: { path: ['context'], limit: MAX_CONTEXT_BYTES } });
      const many = Array.from({ length: 1000 }, (_, i) => `m${i}`);
      const fan = await a.call('POST', `/api/v1/journeys/${id}/enroll`, { customerIds: many, context: { note: 'x'.repeat(4000) } });
      expect(fan.status).toBe(413);
      expect(fan.body.error.code).toBe('context-too-large');
      const event = await a.call('POST', '/api/v1/events', { customerId: 'c2', type: 'signup', properties: big });
      expect(event.status).toBe(413);
      expect(await snapshot(a)).toBe(before);
    });
  });
}

describe('unknown fields over HTTP', () => {
  it('answers unknown-field with the field and a did-you-mean on enroll, events and outcomes', async () => {
    const a = api();
    const id = await activeJourney(a);
    const enroll = await a.call('POST', `/api/v1/journeys/${id}/enroll`, { customerID: 'c1' });
    expect(enroll.status).toBe(400);
    expect(enroll.body.error).toMatchObject({
      code: 'unknown-field',
      message: '`customerID` is not a field; did you mean `customerId`?',
      details: { path: ['customerID'], field: 'customerID', suggestion: 'customerId' },
    });
    const event = await a.call('POST', '/api/v1/events', { customerId: 'c1', type: 'signup', propertis: {} });
    expect(event.body.error).toMatchObject({ code: 'unknown-field', message: '`propertis` is not a field; did you mean `properties`?' });
    const outcome = await a.call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencykey: 'k' });
    expect(outcome.body.error).toMatchObject({ code: 'unknown-field', message: '`idempotencykey` is not a field; did you mean `idempotencyKey`?' });
    const nested = await a.call('POST', `/api/v1/journeys/${id}/test`, { customer: { segmnts: [] } });
    expect(nested.body.error).toMatchObject({ code: 'unknown-field', message: '`segmnts` is not a field; did you mean `segments`?', details: { path: ['customer', 'segmnts'] } });
    expect((await a.engine.listEnrollments({})).total).toBe(0);
  });
});
