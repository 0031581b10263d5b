/**
 * The OpenAPI 3.1 document of the REST API, generated from what the handler itself uses: the
 * routes and their `doc` (route-types.ts), the request bodies' zod schemas (body-schemas.ts, the
 * journey schema), the answers' schemas (view-schemas.ts) and the error table
 * (`HTTP_STATUS_BY_CODE`: each error status lists exactly the codes answered with it).
 * `GET {basePath}/openapi.json` serves it; the package ships it as `journey-engine/openapi.json`.
 */
import { z } from 'zod';
import { jsonValueSchema } from '../../model/schema.js';
import { enrollmentRoutes } from './enrollment-routes.js';
import { HTTP_STATUS_BY_CODE } from './http-errors.js';
import { journeyRoutes } from './journey-routes.js';
import type { OperationDoc, ResponseDoc, Route } from './route-types.js';
import { errorMember, healthUnavailableView, healthView } from './view-schemas.js';

/** Options of {@link openApiDocument}: the same as the handler's that shape the API. */
export interface OpenApiOptions {
  /** Where the API is mounted (default `'/api/v1'`): the document's server URL. */
  readonly basePath?: string;
  /** Whether `GET /health` is served (default `true`). */
  readonly health?: boolean;
  /** Whether `GET /openapi.json` is served (default `true`). */
  readonly openapi?: boolean;
  /**
   * How your `resolveTenant` authenticates requests, as OpenAPI security schemes (e.g.
   * `{ apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } }`), and the requirement every
   * tenant-scoped operation lists (e.g. `[{ apiKey: [] }]`). Default: no scheme, and the
   * requirement `[{}]` — the document asks for no credentials (the handler's default acts for the
   * engine's own tenant); whatever `resolveTenant` refuses answers 401 either way.
   */
  readonly securitySchemes?: Readonly<Record<string, Readonly<Record<string, unknown>>>>;
  readonly security?: ReadonlyArray<Readonly<Record<string, readonly string[]>>>;
}

/** An OpenAPI 3.1 document (plain JSON). */
export type OpenApiDocument = Record<string, unknown> & { readonly openapi: string; readonly paths: Record<string, Record<string, unknown>> };

/** The routes the handler serves under the base path, in the order it matches them. */
export const API_ROUTES: readonly Route[] = [...journeyRoutes, ...enrollmentRoutes];

/** Statuses every route that acts for a tenant may answer with an error. */
const COMMON_ERRORS = [400, 401, 404, 405, 500] as const;
const NO_TENANT_ERRORS = [500] as const;
const REF = '#/components/schemas/';

/** The codes the error table answers with `status` (a 5xx is always answered as `internal`). */
export function codesForStatus(status: number): [string, ...string[]] {
  if (status >= 500) return ['internal'];
  const codes = Object.entries(HTTP_STATUS_BY_CODE)
    .filter(([, s]) => s === status)
    .map(([code]) => code);
  if (codes.length === 0) throw new Error(`no error code has status ${status}`);
  return codes as [string, ...string[]];
}

const STATUS_TEXT: Readonly<Record<number, string>> = {
  400: 'The request is malformed',
  401: 'No tenant for the request',
  404: 'Nothing there',
  405: 'The route exists, the method does not',
  409: 'The lifecycle forbids it now',
  413: 'The body (or a context) is too large',
  415: 'The body is not JSON',
  422: 'Well-formed, but it cannot be done',
  500: 'An internal failure (the message is generic)',
};

/** `journeys/:id/enroll` → `/journeys/{id}/enroll`. */
function pathOf(pattern: readonly string[]): string {
  return `/${pattern.map((part) => (part.startsWith(':') ? `{${part.slice(1)}}` : part)).join('/')}`;
}

/**
 * Two adjustments for generated clients (openapi-typescript's defaults), both loosening only:
 * an array of JSON values leaves its items open (a recursive array type is circular in
 * TypeScript), and a request field's `default` goes into its description (a field with a
 * `default` is typed as required, while a request may leave it out).
 */
function forClients(io: 'input' | 'output') {
  return (ctx: { zodSchema: z.core.$ZodTypes; jsonSchema: z.core.JSONSchema.BaseSchema }): void => {
    const def = ctx.zodSchema._zod.def;
    if (def.type === 'array' && (def as z.core.$ZodArrayDef).element === jsonValueSchema) ctx.jsonSchema.items = {};
    if (io === 'input' && ctx.jsonSchema.default !== undefined) {
      const text = `Default: ${JSON.stringify(ctx.jsonSchema.default)}.`;
      ctx.jsonSchema.description = ctx.jsonSchema.description ? `${ctx.jsonSchema.description} ${text}` : text;
      delete ctx.jsonSchema.default;
    }
  };
}

function schemasOf(registry: z.core.$ZodRegistry<{ id: string }>, io: 'input' | 'output'): Record<string, unknown> {
  const { schemas } = z.toJSONSchema(registry, { target: 'draft-2020-12', io, unrepresentable: 'throw', uri: (id) => `${REF}${id}`, override: forClients(io) }) as {
    schemas: Record<string, Record<string, unknown>>;
  };
  const out: Record<string, unknown> = {};
  for (const [id, { $schema: _schema, $id: _id, ...schema }] of Object.entries(schemas)) out[id] = schema;
  return out;
}

/** Collects the named schemas of the bodies: requests as input (defaults optional), answers as output. */
class Components {
  readonly inputs = z.registry<{ id: string }>();
  readonly outputs = z.registry<{ id: string }>();
  /** Shared answers (the error answers), by name. */
  readonly responses: Record<string, unknown> = {};
  private readonly names = new Map<string, z.ZodType>();

  constructor() {
    // The one recursive schema: a named component, so every reference to it is a plain $ref.
    this.inputs.add(jsonValueSchema, { id: 'JsonValue' });
    this.outputs.add(jsonValueSchema, { id: 'StoredJsonValue' });
  }

  ref(name: string, schema: z.ZodType, io: 'input' | 'output'): { $ref: string } {
    const seen = this.names.get(name);
    if (seen !== undefined && seen !== schema) throw new Error(`two schemas are named ${name}`);
    if (seen === undefined) {
      this.names.set(name, schema);
      (io === 'input' ? this.inputs : this.outputs).add(schema, { id: name });
    }
    return { $ref: `${REF}${name}` };
  }

  schemas(): Record<string, unknown> {
    return { ...schemasOf(this.inputs, 'input'), ...schemasOf(this.outputs, 'output') };
  }
}

/** A reference to the shared error answer of `status` (components.responses), made on first use. */
function errorResponse(components: Components, status: number): Record<string, unknown> {
  const name = `Error${status}`;
  if (!Object.hasOwn(components.responses, name)) {
    components.responses[name] = {
      description: STATUS_TEXT[status] ?? `Error ${status}`,
      content: { 'application/json': { schema: components.ref(name, z.strictObject({ error: errorMember(codesForStatus(status)) }), 'output') } },
    };
  }
  return { $ref: `#/components/responses/${name}` };
}

function response(components: Components, doc: ResponseDoc): Record<string, unknown> {
  return {
    description: doc.description,
    ...(doc.headers
      ? { headers: Object.fromEntries(Object.entries(doc.headers).map(([name, description]) => [name, { description, schema: { type: 'string' } }])) }
      : {}),
    ...(doc.body ? { content: { 'application/json': { schema: components.ref(doc.body.name, doc.body.schema, 'output') } } } : {}),
  };
}

function queryParameter(name: string, schema: z.ZodType): Record<string, unknown> {
  const { $schema: _schema, ...json } = z.toJSONSchema(schema, { target: 'draft-2020-12', io: 'input' }) as Record<string, unknown>;
  return { name, in: 'query', required: false, schema: json };
}

function pathParameter(name: string): Record<string, unknown> {
  return { name, in: 'path', required: true, schema: { type: 'string', minLength: 1, maxLength: 256 } };
}

function operation(
  components: Components,
  doc: OperationDoc,
  queryNames: readonly string[],
  pathParams: readonly string[],
  tenant: boolean,
  security: OpenApiOptions['security'] = [],
) {
  const parameters: Record<string, unknown>[] = [
    ...pathParams.map(pathParameter),
    ...queryNames.map((name) => {
      const schema = doc.query?.[name];
      if (schema === undefined) throw new Error(`${doc.operationId}: query parameter "${name}" has no schema in its doc`);
      return queryParameter(name, schema);
    }),
    ...Object.entries(doc.headers ?? {}).map(([name, description]) => ({ name, in: 'header', required: false, description, schema: { type: 'string' } })),
  ];
  const responses: Record<string, unknown> = {};
  for (const [status, answer] of Object.entries(doc.responses)) responses[status] = response(components, answer);
  for (const status of [...(tenant ? COMMON_ERRORS : NO_TENANT_ERRORS), ...(doc.errors ?? [])].sort()) {
    responses[String(status)] ??= errorResponse(components, status);
  }
  return {
    operationId: doc.operationId,
    summary: doc.summary,
    ...(doc.description ? { description: doc.description } : {}),
    ...(parameters.length > 0 ? { parameters } : {}),
    ...(doc.body
      ? { requestBody: { required: doc.body.required, content: { 'application/json': { schema: components.ref(doc.body.name, doc.body.schema, 'input') } } } }
      : {}),
    responses: Object.fromEntries(Object.entries(responses).sort(([a], [b]) => a.localeCompare(b))),
    security: tenant ? security : [],
  };
}

/**
 * `OPTIONS`: 204 with `Allow`. A CORS preflight from an allowed origin is answered before the
 * tenant is resolved; any other OPTIONS on a tenant's route needs a tenant (401 without).
 */
function optionsOperation(components: Components, id: string, methods: readonly string[], pathParams: readonly string[], tenant: boolean) {
  const errors = tenant ? [400, 401, 404, 500] : [500];
  return {
    operationId: `${id}Options`,
    summary: `The methods allowed here (${[...methods, 'OPTIONS'].join(', ')}); a CORS preflight when CORS is on`,
    ...(pathParams.length > 0 ? { parameters: pathParams.map(pathParameter) } : {}),
    responses: {
      204: { description: 'No content; the Allow header lists the methods', headers: { allow: { schema: { type: 'string' } } } },
      ...Object.fromEntries(errors.map((status) => [String(status), errorResponse(components, status)])),
    },
    security: [],
  };
}

/** What the handler serves besides the routes: `/health` and `/openapi.json`, answered without a tenant. */
const EXTRA_DOCS: readonly { path: string; doc: OperationDoc; when: (o: { readonly health: boolean; readonly openapi: boolean }) => boolean }[] = [
  {
    path: '/health',
    when: (o) => o.health,
    doc: {
      operationId: 'health',
      summary: 'Whether the storage answers (needs no tenant)',
      responses: {
        200: { description: 'The storage answers', body: { name: 'Health', schema: healthView } },
        503: { description: 'The storage does not answer', body: { name: 'HealthUnavailable', schema: healthUnavailableView } },
      },
    },
  },
  {
    path: '/openapi.json',
    when: (o) => o.openapi,
    doc: {
      operationId: 'openApiDocument',
      summary: 'This document (needs no tenant)',
      responses: { 200: { description: 'The OpenAPI 3.1 document of the API', body: { name: 'OpenApiDocument', schema: z.looseObject({ openapi: z.string() }) } } },
    },
  },
];

/**
 * The OpenAPI 3.1 document of the REST API as a handler with these options serves it (the same
 * document `GET {basePath}/openapi.json` answers). Every route, its parameters, request body,
 * answers and error answers; error codes per status come from `HTTP_STATUS_BY_CODE`.
 *
 * @example
 * ```ts
 * import { openApiDocument } from 'journey-engine/http';
 * writeFileSync('openapi.json', JSON.stringify(openApiDocument({ basePath: '/journeys-api' }), null, 2));
 * // then: npx openapi-typescript openapi.json -o journeys-api.d.ts
 * ```
 */
export function openApiDocument(options: OpenApiOptions = {}): OpenApiDocument {
  const o = { basePath: (options.basePath ?? '/api/v1').replace(/\/+$/, ''), health: options.health ?? true, openapi: options.openapi ?? true };
  const security = options.security ?? [{}];
  const components = new Components();
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of API_ROUTES) {
    const path = pathOf(route.pattern);
    const params = route.pattern.filter((p) => p.startsWith(':')).map((p) => p.slice(1));
    const item: Record<string, unknown> = {};
    for (const [method, spec] of Object.entries(route.methods)) {
      item[method.toLowerCase()] = operation(components, spec.doc, spec.query ?? [], params, true, security);
    }
    item['options'] = optionsOperation(components, Object.values(route.methods)[0]!.doc.operationId, Object.keys(route.methods), params, true);
    paths[path] = item;
  }
  for (const extra of EXTRA_DOCS) {
    if (!extra.when(o)) continue;
    paths[extra.path] = { get: operation(components, extra.doc, [], [], false), options: optionsOperation(components, extra.doc.operationId, ['GET'], [], false) };
  }
  return {
    openapi: '3.1.0',
    info: {
      title: 'journey-engine REST API',
      version: '1',
      description:
        'The journey REST API of journey-engine (docs/http-api.md). Every error is `{ error: { code, message, status, details? } }`; a refused request changes nothing.',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: o.basePath === '' ? '/' : o.basePath }],
    paths,
    components: {
      schemas: components.schemas(),
      responses: components.responses,
      ...(options.securitySchemes === undefined ? {} : { securitySchemes: options.securitySchemes }),
    },
  };
}
