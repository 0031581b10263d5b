import { readFileSync } from 'node:fs';
import { createHttpHandler, type HttpHandlerOptions } from '../../src/adapters/http/index.js';
import { harness, runUntilIdle, type Harness } from '../runtime/engine-helpers.js';
import type { ProfileSeed } from '../../src/adapters/testing/memory-profiles.js';
import type { Storage } from '../../src/runtime/ports.js';
import { checkedHandler } from './openapi-check.js';

const root = new URL('../../', import.meta.url);
export const SEED = JSON.parse(readFileSync(new URL('examples/journeys/loan-nurture.seed.json', root), 'utf8')) as Record<string, unknown>;
export const GOOD = JSON.parse(readFileSync(new URL('examples/journeys/loan-nurture.json', root), 'utf8')) as Record<string, unknown>;

export interface Api extends Harness {
  handler: (request: Request) => Promise<Response>;
  /** Send a request; a non-string body is sent as JSON with Content-Type application/json. */
  call(method: string, path: string, body?: unknown, headers?: Record<string, string>): Promise<{ status: number; body: any; headers: Headers }>;
  run(): Promise<void>;
}

export function api(options: { customers?: ProfileSeed[]; http?: HttpHandlerOptions; storage?: Storage } = {}): Api {
  const h = harness({
    customers: options.customers ?? [{ id: 'c1', segments: ['loan_interested'] }, { id: 'c2', segments: ['loan_interested'] }],
    ...(options.storage ? { storage: options.storage } : {}),
  });
  // Every answer is checked against the OpenAPI document (status, body shape, error shape).
  const handler = checkedHandler(createHttpHandler(h.engine, options.http), options.http);
  return {
    ...h,
    handler,
    async call(method, path, body, headers = {}) {
      const init: RequestInit = { method, headers: { ...headers } };
      if (body !== undefined) {
        init.body = typeof body === 'string' || body instanceof Uint8Array ? (body as BodyInit) : JSON.stringify(body);
        if (!Object.keys(headers).some((k) => k.toLowerCase() === 'content-type')) (init.headers as Record<string, string>)['content-type'] = 'application/json';
      }
      const response = await handler(new Request(`http://test.local${path}`, init));
      const text = await response.text();
      return { status: response.status, headers: response.headers, body: text === '' ? undefined : JSON.parse(text) };
    },
    run: () => runUntilIdle(h),
  };
}

/** Create a journey through the API and activate it. */
export async function activeJourney(a: Api, doc: Record<string, unknown> = GOOD): Promise<string> {
  const created = await a.call('POST', '/api/v1/journeys', doc);
  if (created.status !== 201) throw new Error(`create: ${JSON.stringify(created.body)}`);
  const activated = await a.call('PUT', `/api/v1/journeys/${created.body.id}`, { status: 'active' });
  if (activated.status !== 200) throw new Error(`activate: ${JSON.stringify(activated.body)}`);
  return created.body.id as string;
}

/** Everything the engine holds for a tenant, to compare before and after a refused request. */
export async function snapshot(a: Api, tenant?: string): Promise<string> {
  const engine = tenant ? a.engine.forTenant(tenant) : a.engine;
  const journeys = await engine.listJourneys({ limit: 1000 });
  const enrollments = await engine.listEnrollments({ limit: 1000 });
  return JSON.stringify({ journeys, enrollments });
}
