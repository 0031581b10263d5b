import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/adapters/http/index.js';
import { checkedHandler } from './openapi-check.js';
import { api, GOOD, snapshot } from './http-helpers.js';

const J = '/api/v1/journeys';

describe('routing', () => {
  it('answers 404 for unknown routes and paths outside the base path', async () => {
    const a = api();
    for (const path of ['/api/v1/nope', '/api/v2/journeys', '/', '/api/v1', '/api/v1/journeys/x/y/z', '/api/v1//journeys']) {
      const r = await a.call('GET', path);
      expect(r.status, path).toBe(404);
      expect(r.body.error.code).toBe('not-found');
    }
    expect((await a.call('GET', `${J}/`)).status).toBe(200);
  });

  it('answers 405 with an Allow header for a wrong method, and OPTIONS with the methods', async () => {
    const a = api();
    const r = await a.call('PATCH', J);
    expect(r.status).toBe(405);
    expect(r.headers.get('allow')).toBe('POST, GET, OPTIONS');
    expect(r.body.error).toMatchObject({ code: 'method-not-allowed', status: 405 });
    expect((await a.call('GET', '/api/v1/outcomes')).headers.get('allow')).toBe('POST, OPTIONS');
    const options = await a.call('OPTIONS', `${J}/x`);
    expect(options.status).toBe(204);
    expect(options.headers.get('allow')).toBe('GET, PUT, DELETE, OPTIONS');
  });

  it('refuses absurd or odd path segments with 400 or 404, never a 5xx', async () => {
    const a = api();
    for (const path of [`${J}/${'a'.repeat(300)}`, `${J}/%E0%A4%A`, `${J}/a%00b`, `${J}/%2F`, `${J}/%C3%A9`, `${J}/${'x'.repeat(5000)}`]) {
      const r = await a.call('GET', path);
      expect([400, 404], path).toContain(r.status);
    }
    expect((await a.call('GET', `${J}/a%00b`)).body.error.code).toBe('invalid-path');
  });

  it('mounts at another base path', async () => {
    const a = api({ http: { basePath: '/journeys-api/' } });
    expect((await a.call('GET', '/journeys-api/journeys')).status).toBe(200);
    expect((await a.call('GET', J)).status).toBe(404);
  });
});

describe('bodies', () => {
  it('answers 415 for a media type other than application/json; a utf-8 charset is fine', async () => {
    const a = api();
    const body = JSON.stringify(GOOD);
    expect((await a.call('POST', J, body, { 'content-type': 'text/plain' })).body.error).toMatchObject({ code: 'unsupported-media-type', status: 415 });
    expect((await a.call('POST', J, body, { 'content-type': 'application/json; charset=latin1' })).status).toBe(415);
    expect((await a.call('POST', J, body, { 'content-type': 'Application/JSON; charset="UTF-8"' })).status).toBe(201);
    const bare = await a.handler(new Request(`http://t${J}`, { method: 'POST', body: new TextEncoder().encode(body) }));
    expect(bare.status).toBe(415);
  });

  it('answers 400 for bad JSON, bad UTF-8, an empty body and deep nesting', async () => {
    const a = api();
    expect((await a.call('POST', J, '{"name":')).body.error).toMatchObject({ code: 'invalid-json', status: 400 });
    expect((await a.call('POST', J, new Uint8Array([0x7b, 0xff, 0x7d]))).body.error.code).toBe('invalid-json');
    expect((await a.call('POST', J, '')).status).toBe(400);
    expect((await a.call('POST', J, `${'['.repeat(5000)}${']'.repeat(5000)}`)).status).toBe(400);
  });

  it('answers 413 for a body over the limit, from the stream and from Content-Length', async () => {
    const a = api({ http: { limits: { maxBodyBytes: 1000 } } });
    const big = JSON.stringify({ ...GOOD, description: 'x'.repeat(2000) });
    const r = await a.call('POST', J, big);
    expect(r.status).toBe(413);
    expect(r.body.error).toMatchObject({ code: 'payload-too-large', status: 413, details: { limit: 1000 } });
    let pulled = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        pulled += 1;
        controller.enqueue(new Uint8Array(400).fill(0x20));
        if (pulled > 1000) controller.close();
      },
    });
    const streamed = await a.handler(new Request(`http://t${J}`, { method: 'POST', body: stream, headers: { 'content-type': 'application/json' }, duplex: 'half' } as RequestInit));
    expect(streamed.status).toBe(413);
    expect(pulled).toBeLessThan(10);
    const declared = await a.handler(new Request(`http://t${J}`, { method: 'POST', body: '{}', headers: { 'content-type': 'application/json', 'content-length': '5000' } }));
    expect(declared.status).toBe(413);
    expect((await a.engine.listJourneys()).total).toBe(0);
  });

  it('refuses __proto__ keys anywhere, and no object prototype is touched', async () => {
    const a = api();
    const before = await snapshot(a);
    const r = await a.call('POST', J, `{"name":"x","maxDuration":3,"steps":[],"__proto__":{"polluted":true}}`);
    expect(r.body.error).toMatchObject({ code: 'forbidden-key', status: 400, details: { path: ['__proto__'] } });
    const { body } = await a.call('POST', J, GOOD);
    const nested = await a.call('PUT', `${J}/${body.id}`, `{"entryConditions":{"__proto__":{"manual":false}}}`);
    expect(nested.body.error.details.path).toEqual(['entryConditions', '__proto__']);
    const ctor = await a.call('PUT', `${J}/${body.id}`, { constructor: { prototype: { polluted: true } } });
    expect(ctor.status).toBe(400);
    expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
    expect(Object.prototype).not.toHaveProperty('polluted');
  });
});

describe('internal failures', () => {
  it('answer 500 with a generic message and no stack, and tell onError', async () => {
    const errors: unknown[] = [];
    const a = api();
    const broken = { ...a.engine, listJourneys: async () => { throw new Error('disk on fire at /var/secret'); } };
    const handler = checkedHandler(createHttpHandler(broken, { onError: (e) => errors.push(e) }));
    const response = await handler(new Request(`http://t${J}`));
    expect(response.status).toBe(500);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({ error: { code: 'internal', message: expect.any(String), status: 500 } });
    expect(text).not.toMatch(/secret|fire|at /);
    expect(errors).toHaveLength(1);
  });
});
