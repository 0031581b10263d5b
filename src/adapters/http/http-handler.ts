/**
 * `createHttpHandler`: the REST API of the seed (`/api/v1/journeys` …) as a fetch-style
 * `(Request) => Promise<Response>` function. It imports no Node module: it runs wherever
 * `Request` and `Response` exist (Node 20+, Deno, Bun, workers).
 */
import { idProblem } from '../../model/ids.js';
import type { JourneyEngine } from '../../runtime/engine.js';
import { corsPolicy, type CorsOptions } from './cors.js';
import { HTTP_STATUS_BY_CODE, HttpError, errorAnswer } from './http-errors.js';
import { API_ROUTES, openApiDocument, type OpenApiOptions } from './openapi.js';
import { readJson } from './read-body.js';
import { queryOf } from './request-input.js';
import type { Route, RouteContext } from './route-types.js';

/** Options of {@link createHttpHandler}. */
export interface HttpHandlerOptions {
  /** Where the API is mounted (default `'/api/v1'`). Requests outside it get a 404. */
  readonly basePath?: string;
  /**
   * The tenant a request acts for, e.g. from an API key or a verified token. `null` (or an empty
   * string) answers 401. Default: every request acts for the engine's own tenant.
   * A throw is an internal failure (500).
   */
  readonly resolveTenant?: (request: Request) => string | null | Promise<string | null>;
  readonly limits?: {
    /** Largest request body, in bytes (default 1 MB = 1,048,576). Larger bodies get a 413. */
    readonly maxBodyBytes?: number;
  };
  /** Told about internal failures (the 500s), e.g. to log them. The client never sees the error. */
  readonly onError?: (error: unknown, request: Request) => void;
  /**
   * A CORS policy for browser clients (default: none, and no CORS header is sent). Preflights
   * (`OPTIONS` with `Access-Control-Request-Method`) from an allowed origin are answered 204
   * before `resolveTenant` runs; every answer to an allowed origin carries the CORS headers.
   */
  readonly cors?: CorsOptions;
  /**
   * `GET {basePath}/health`: 200 `{ status: 'ok' }` when the storage answers, 503
   * `storage-unavailable` when it does not. Needs no tenant. Default `true`.
   */
  readonly health?: boolean;
  /**
   * `GET {basePath}/openapi.json`: the OpenAPI 3.1 document of this API (`openApiDocument` with
   * this handler's `basePath` and `health`). Needs no tenant. Default `true`; `false` turns it
   * off; an object serves it with how your `resolveTenant` authenticates (`securitySchemes`,
   * `security`: see `OpenApiOptions`).
   */
  readonly openapi?: boolean | Pick<OpenApiOptions, 'securitySchemes' | 'security'>;
}

/** A fetch-style request handler. */
export type HttpHandler = (request: Request) => Promise<Response>;

/** Default largest request body: 1 MB. */
export const DEFAULT_MAX_BODY_BYTES = 1_048_576;
const MAX_PATH_LENGTH = 2048;
const MAX_SEGMENT_LENGTH = 256;
/** Printable ASCII, no slashes: anything else in a decoded path segment is refused. */
const SEGMENT = /^[\x21-\x2e\x30-\x5b\x5d-\x7e]+$/;

const ROUTES: readonly Route[] = API_ROUTES;
/** The routes answered without a tenant: `/health` and `/openapi.json`. */
const NO_TENANT_ALLOW = 'GET, OPTIONS';

/** The answer of `/health` and `/openapi.json` to a method other than GET: OPTIONS is 204, the rest 405. */
function getOnly(method: string): Response {
  if (method === 'OPTIONS') return respond(204, undefined, { allow: NO_TENANT_ALLOW });
  throw new HttpError('method-not-allowed', `${method.slice(0, 20)} is not allowed here; use ${NO_TENANT_ALLOW}`, { headers: { allow: NO_TENANT_ALLOW } });
}

/** The `Allow` header of a route. */
function allowOf(route: Route): string {
  return [...Object.keys(route.methods), 'OPTIONS'].join(', ');
}

function respond(status: number, body: unknown, headers: Readonly<Record<string, string>> = {}): Response {
  if (status === 204 || body === undefined) return new Response(null, { status, headers: { 'cache-control': 'no-store', ...headers } });
  return new Response(JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', ...headers },
  });
}

function normalizeBase(basePath: string): string {
  if (typeof basePath !== 'string' || (basePath !== '' && !basePath.startsWith('/'))) {
    throw new TypeError(`basePath must be '' or start with '/', got ${JSON.stringify(basePath)}`);
  }
  return basePath.replace(/\/+$/, '');
}

/** The decoded path segments under the base path, or null when the path is outside it. */
function segmentsOf(pathname: string, basePath: string): string[] | null {
  if (pathname.length > MAX_PATH_LENGTH) throw new HttpError('invalid-path', `the path is longer than ${MAX_PATH_LENGTH} characters`);
  if (pathname !== basePath && !pathname.startsWith(`${basePath}/`)) return null;
  const raw = pathname.slice(basePath.length).split('/').slice(1);
  if (raw.length > 1 && raw[raw.length - 1] === '') raw.pop();
  return raw.map((segment, index) => {
    let decoded: string;
    try {
      decoded = decodeURIComponent(segment);
    } catch {
      throw new HttpError('invalid-path', 'the path has a malformed percent-encoding', { path: ['path', index] });
    }
    if (decoded.length > MAX_SEGMENT_LENGTH || (decoded !== '' && !SEGMENT.test(decoded))) {
      throw new HttpError('invalid-path', `path segments are 1 to ${MAX_SEGMENT_LENGTH} printable ASCII characters without slashes`, {
        path: ['path', index],
      });
    }
    return decoded;
  });
}

function match(segments: readonly string[]): { route: Route; params: Record<string, string> } | null {
  for (const route of ROUTES) {
    if (route.pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < segments.length && ok; i++) {
      const part = route.pattern[i]!;
      const segment = segments[i]!;
      if (segment === '') ok = false;
      else if (part.startsWith(':')) params[part.slice(1)] = segment;
      else ok = part === segment;
    }
    if (ok) return { route, params };
  }
  return null;
}

/**
 * Serve the journey REST API over an engine: `POST/GET /journeys`, `GET/PUT/DELETE
 * /journeys/:id`, `POST /journeys/:id/validate|enroll|test`, `GET /journeys/:id/enrollments|stats`,
 * `GET /journeys/:id/entry/:customerId`, `POST /events`, `POST /outcomes` (see docs/http-api.md). Every error is
 * `{ error: { code, message, status, details? } }`; bad input never yields a 5xx, and a refused
 * request changes nothing. Each request is scoped to the tenant `resolveTenant` names: another
 * tenant's journey answers 404.
 *
 * @example
 * ```ts
 * import { createServer } from 'node:http';
 * import { createEngine, memoryStorage, systemClock } from 'journey-engine';
 * import { createHttpHandler, toNodeListener } from 'journey-engine/http';
 *
 * const engine = createEngine({ storage: memoryStorage(), clock: systemClock() });
 * const handler = createHttpHandler(engine, {
 *   resolveTenant: (request) => request.headers.get('x-tenant'), // null → 401
 * });
 * createServer(toNodeListener(handler)).listen(3000);
 * // or, in a fetch-style runtime: export default { fetch: handler };
 * ```
 */
export function createHttpHandler(engine: JourneyEngine, options: HttpHandlerOptions = {}): HttpHandler {
  const basePath = normalizeBase(options.basePath ?? '/api/v1');
  const maxBytes = options.limits?.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES;
  if (!Number.isSafeInteger(maxBytes) || maxBytes < 1) throw new TypeError('limits.maxBodyBytes must be a positive integer');
  const resolveTenant = options.resolveTenant ?? (() => engine.tenantId);
  const cors = options.cors === undefined ? undefined : corsPolicy(options.cors);
  const health = options.health ?? true;
  const openapi = options.openapi !== false;
  const openapiSecurity = typeof options.openapi === 'object' && options.openapi !== null ? options.openapi : {};
  let openapiBody: unknown;

  function reportInternal(error: unknown, request: Request): void {
    try {
      options.onError?.(error, request);
    } catch {
      // A failing logger must not turn into a second failure.
    }
  }

  async function healthAnswer(request: Request, method: string): Promise<Response> {
    if (method !== 'GET') return getOnly(method);
    try {
      await engine.nextWakeAt();
    } catch (error) {
      reportInternal(error, request);
      const status = HTTP_STATUS_BY_CODE['storage-unavailable']!;
      return respond(status, { status: 'unavailable', error: { code: 'storage-unavailable', message: 'the storage does not answer', status } });
    }
    return respond(200, { status: 'ok' });
  }

  function openapiAnswer(method: string): Response {
    if (method !== 'GET') return getOnly(method);
    openapiBody ??= openApiDocument({ ...openapiSecurity, basePath, health });
    return respond(200, openapiBody);
  }

  async function handle(request: Request): Promise<Response> {
    const url = new URL(request.url);
    const segments = segmentsOf(url.pathname, basePath);
    if (segments === null) throw new HttpError('not-found', `nothing at ${url.pathname.slice(0, 200)}; the API is under ${basePath || '/'}`);
    const method = request.method.toUpperCase();
    const isHealth = health && segments.length === 1 && segments[0] === 'health';
    const isOpenApi = openapi && segments.length === 1 && segments[0] === 'openapi.json';
    const found = isHealth || isOpenApi ? null : match(segments);

    // A CORS preflight carries no credentials: answer it before resolving a tenant.
    if (cors && method === 'OPTIONS' && request.headers.has('access-control-request-method') && (isHealth || isOpenApi || found)) {
      const headers = cors.preflightHeaders(request.headers.get('origin'), isHealth || isOpenApi ? NO_TENANT_ALLOW : allowOf(found!.route));
      if (headers) return respond(204, undefined, headers);
    }
    if (isHealth) return healthAnswer(request, method);
    if (isOpenApi) return openapiAnswer(method);

    const tenant = await resolveTenant(request);
    if (tenant === null || tenant === undefined || tenant === '') {
      throw new HttpError('unauthorized', 'this request has no tenant; check its credentials');
    }
    if (typeof tenant !== 'string') throw new TypeError('resolveTenant must answer a string or null');
    const tenantProblem = idProblem(tenant);
    if (tenantProblem !== undefined) throw new HttpError('invalid-id', `the tenant of this request is not a valid tenant id: ${tenantProblem}`, { path: ['tenantId'] });

    if (!found) throw new HttpError('not-found', `no route ${request.method} ${url.pathname.slice(0, 200)}`);
    const allow = allowOf(found.route);
    if (method === 'OPTIONS') return respond(204, undefined, { allow });
    const spec = Object.hasOwn(found.route.methods, method) ? found.route.methods[method] : undefined;
    if (!spec) {
      throw new HttpError('method-not-allowed', `${method.slice(0, 20)} is not allowed here; use ${allow}`, { headers: { allow } });
    }

    const scoped = tenant === engine.tenantId ? engine : engine.forTenant(tenant);
    let bodyRead: Promise<unknown> | undefined;
    const ctx: RouteContext = {
      engine: scoped,
      params: found.params,
      url,
      request,
      query: queryOf(url, spec.query ?? []),
      body: (opts = {}) => (bodyRead ??= readJson(request, { maxBytes, optional: opts.optional ?? false })),
    };
    const answer = await spec.handle(ctx);
    return respond(answer.status, answer.body, answer.headers);
  }

  async function answer(request: Request): Promise<Response> {
    try {
      return await handle(request);
    } catch (error) {
      const answer = errorAnswer(error);
      if (answer.internal) reportInternal(error, request);
      return respond(answer.status, answer.body, answer.headers);
    }
  }

  if (!cors) return answer;
  return async (request: Request): Promise<Response> => {
    const response = await answer(request);
    for (const [name, value] of Object.entries(cors.answerHeaders(request.headers.get('origin')))) {
      if (!response.headers.has(name)) response.headers.set(name, value);
    }
    return response;
  };
}
