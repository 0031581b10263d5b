import { describe, expect, it } from 'vitest';
import { createHttpHandler } from '../../src/adapters/http/index.js';
import type { Storage } from '../../src/runtime/ports.js';
import { api, GOOD } from './http-helpers.js';

const J = '/api/v1/journeys';
const preflight = (origin: string, method = 'POST', headers = 'content-type') => ({
  origin,
  'access-control-request-method': method,
  'access-control-request-headers': headers,
});

describe('CORS', () => {
  it('adds no CORS headers when no policy is configured', async () => {
    const a = api();
    const r = await a.call('GET', J, undefined, { origin: 'https://app.example' });
    expect(r.status).toBe(200);
    expect(r.headers.get('access-control-allow-origin')).toBeNull();
    const p = await a.call('OPTIONS', J, undefined, preflight('https://app.example'));
    expect(p.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers a preflight from an allowed origin with 204 and the allowed methods and headers, before resolving the tenant', async () => {
    let resolved = 0;
    const a = api({
      http: {
        cors: { origins: ['https://app.example'], maxAgeSeconds: 600 },
        resolveTenant: (request) => {
          resolved++;
          return request.headers.get('x-tenant');
        },
      },
    });
    const p = await a.call('OPTIONS', J, undefined, preflight('https://app.example', 'POST', 'content-type, idempotency-key'));
    expect(p.status).toBe(204);
    expect(p.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(p.headers.get('access-control-allow-methods')).toBe('POST, GET, OPTIONS');
    expect(p.headers.get('access-control-allow-headers')).toBe('authorization, content-type, idempotency-key');
    expect(p.headers.get('access-control-max-age')).toBe('600');
    expect(p.headers.get('vary')).toContain('Origin');
    expect(resolved).toBe(0);
  });

  it('puts the CORS headers on answers and error answers for an allowed origin, and none for another origin', async () => {
    const a = api({ http: { cors: { origins: ['https://app.example'], credentials: true } } });
    const ok = await a.call('POST', J, GOOD, { origin: 'https://app.example' });
    expect(ok.status).toBe(201);
    expect(ok.headers.get('access-control-allow-origin')).toBe('https://app.example');
    expect(ok.headers.get('access-control-allow-credentials')).toBe('true');
    expect(ok.headers.get('access-control-expose-headers')).toContain('location');
    const error = await a.call('GET', `${J}/nope`, undefined, { origin: 'https://app.example' });
    expect(error.status).toBe(404);
    expect(error.headers.get('access-control-allow-origin')).toBe('https://app.example');
    const other = await a.call('GET', J, undefined, { origin: 'https://evil.example' });
    expect(other.status).toBe(200);
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    expect(other.headers.get('vary')).toContain('Origin');
    const otherPreflight = await a.call('OPTIONS', J, undefined, preflight('https://evil.example'));
    expect(otherPreflight.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("origins: '*' allows any origin", async () => {
    const a = api({ http: { cors: { origins: '*', headers: ['content-type', 'x-tenant'] } } });
    const p = await a.call('OPTIONS', `${J}/jrn_1/enroll`, undefined, preflight('https://anywhere.example', 'POST', 'x-tenant'));
    expect(p.status).toBe(204);
    expect(p.headers.get('access-control-allow-origin')).toBe('*');
    expect(p.headers.get('access-control-allow-headers')).toBe('content-type, x-tenant');
    expect((await a.call('GET', J, undefined, { origin: 'https://x.example' })).headers.get('access-control-allow-origin')).toBe('*');
  });

  it("refuses a policy that cannot work: credentials with origins '*', an origin that is not an origin", () => {
    const a = api();
    expect(() => createHttpHandler(a.engine, { cors: { origins: '*', credentials: true } })).toThrow(/credentials/);
    expect(() => createHttpHandler(a.engine, { cors: { origins: ['app.example/'] } })).toThrow(/origin/);
  });
});

describe('health endpoint', () => {
  it('GET /api/v1/health answers 200 { status: "ok" } without a tenant', async () => {
    const a = api({ http: { resolveTenant: () => null } });
    const r = await a.call('GET', '/api/v1/health');
    expect(r.status).toBe(200);
    expect(r.body).toEqual({ status: 'ok' });
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect((await a.call('GET', J)).status).toBe(401);
    expect((await a.call('POST', '/api/v1/health', {})).status).toBe(405);
  });

  it('answers 503 storage-unavailable when the storage cannot be reached, and tells onError', async () => {
    const errors: unknown[] = [];
    const a = api();
    const broken = Object.create(a.storage) as Storage;
    broken.nextWakeAt = async () => {
      throw new Error('connection refused');
    };
    const b = api({ storage: broken, http: { onError: (e) => errors.push(e) } });
    const r = await b.call('GET', '/api/v1/health');
    expect(r.status).toBe(503);
    expect(r.body).toMatchObject({ status: 'unavailable', error: { code: 'storage-unavailable', status: 503 } });
    expect(errors).toHaveLength(1);
  });

  it('lives under the configured basePath', async () => {
    const a = api({ http: { basePath: '/journeys-api' } });
    expect((await a.call('GET', '/journeys-api/health')).status).toBe(200);
    expect((await a.call('GET', '/api/v1/health')).status).toBe(404);
  });
});
