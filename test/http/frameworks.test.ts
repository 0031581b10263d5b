/**
 * The recipes of docs/http-api.md (examples/http-frameworks/*), each on a real server on
 * 127.0.0.1, port 0: create and activate a journey, enroll, record an outcome, read back.
 */
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { afterEach, describe, expect, it } from 'vitest';
import { expressApp, expressAppWithJson } from '../../examples/http-frameworks/express.js';
import { fastifyApp } from '../../examples/http-frameworks/fastify.js';
import { honoApp } from '../../examples/http-frameworks/hono.js';
import { koaApp } from '../../examples/http-frameworks/koa.js';
import type { HttpHandler } from '../../src/adapters/http/index.js';
import { api, GOOD } from './http-helpers.js';

const closers: Array<() => Promise<void>> = [];
afterEach(async () => {
  for (const close of closers.splice(0)) await close();
});

function onServer(server: Server): Promise<string> {
  closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
  return new Promise((resolve) => {
    const done = () => resolve(`http://127.0.0.1:${(server.address() as AddressInfo).port}`);
    if (server.listening) done();
    else server.once('listening', done);
  });
}

const hosts: Record<string, (handler: HttpHandler) => Promise<string>> = {
  'Express, mounted with app.use("/api/v1", …)': (handler) => onServer(expressApp(handler).listen(0, '127.0.0.1')),
  'Express behind express.json(), mounted': (handler) => onServer(expressAppWithJson(handler).listen(0, '127.0.0.1')),
  Fastify: async (handler) => {
    const app = await fastifyApp(handler);
    await app.listen({ port: 0, host: '127.0.0.1' });
    closers.push(() => app.close());
    return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
  },
  'Hono on @hono/node-server': (handler) => onServer(serve({ fetch: honoApp(handler).fetch, port: 0, hostname: '127.0.0.1' }) as Server),
  'Koa behind @koa/bodyparser': (handler) => onServer(koaApp(handler).listen(0, '127.0.0.1')),
};

/** fetch that fails instead of hanging (the bug was a POST that never answered). */
async function call(base: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}${path}`, {
    method,
    headers: { ...(body === undefined ? {} : { 'content-type': 'application/json' }), ...headers },
    ...(body === undefined ? {} : { body: typeof body === 'string' ? body : JSON.stringify(body) }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { status: response.status, body: text === '' ? undefined : JSON.parse(text) };
}

for (const [name, host] of Object.entries(hosts)) {
  describe(`recipe: ${name}`, () => {
    it('serves POST, PUT, GET under /api/v1 with the body intact', async () => {
      const a = api();
      const base = await host(a.handler);
      const created = await call(base, 'POST', '/api/v1/journeys', GOOD);
      expect(created.status).toBe(201);
      const id = created.body.id as string;
      expect((await call(base, 'PUT', `/api/v1/journeys/${id}`, { status: 'active' })).body.status).toBe('active');
      const enrolled = await call(base, 'POST', `/api/v1/journeys/${id}/enroll`, { customerIds: ['c1', 'c2'], context: { campaign: 'spring' } });
      expect(enrolled.body.counts).toMatchObject({ enrolled: 2 });
      expect((await call(base, 'POST', '/api/v1/outcomes', { customerId: 'c1', type: 'click', idempotencyKey: 'k1' })).status).toBe(200);
      const list = await call(base, 'GET', `/api/v1/journeys/${id}/enrollments?customerId=c1`);
      expect(list.body.data[0]).toMatchObject({ customerId: 'c1', context: { campaign: 'spring' } });
      expect((await call(base, 'GET', '/api/v1/health')).body).toEqual({ status: 'ok' });
    });

    it('answers the API errors itself: unknown field, bad id, body over the limit', async () => {
      const a = api({ http: { limits: { maxBodyBytes: 10_000 } } });
      const base = await host(a.handler);
      const id = (await call(base, 'POST', '/api/v1/journeys', { ...GOOD, status: 'active' })).body.id as string;
      const typo = await call(base, 'POST', `/api/v1/journeys/${id}/enroll`, { customerID: 'c1' });
      expect(typo).toMatchObject({ status: 400, body: { error: { code: 'unknown-field' } } });
      const big = await call(base, 'POST', `/api/v1/journeys/${id}/enroll`, { customerId: 'c1', context: { note: 'x'.repeat(20_000) } });
      expect(big).toMatchObject({ status: 413, body: { error: { code: 'payload-too-large' } } });
      expect((await a.engine.listEnrollments({})).total).toBe(0);
    });
  });
}
