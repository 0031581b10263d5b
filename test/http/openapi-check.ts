/**
 * Every answer the HTTP tests receive, checked against the OpenAPI document the handler serves:
 * the status is documented for the operation, and the body matches its schema (ajv, strict
 * schemas: an undocumented field fails). An answer to a path or method the document does not
 * have (404, 405, a bad path) must be an error of the table's shape. `api()` in http-helpers.ts
 * wraps every handler it makes with {@link checkedHandler}; tests that build a handler
 * themselves wrap it too.
 */
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument, type HttpHandler, type HttpHandlerOptions, type OpenApiDocument } from '../../src/adapters/http/index.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;
const API = 'urn:journey-engine:openapi';

/** What the check needs of a request. */
interface RequestLine {
  readonly method: string;
  readonly url: string;
}

interface Operation {
  responses: Record<string, { $ref?: string; content?: { 'application/json': { schema: { $ref: string } } } }>;
}

class ResponseChecker {
  private readonly doc: OpenApiDocument;
  private readonly ajv = new Ajv2020({ strict: false, allErrors: true });
  private readonly compiled = new Map<string, ValidateFunction>();
  private readonly templates: { path: string; parts: string[] }[];

  constructor(readonly basePath: string, health: boolean, openapi: boolean) {
    this.doc = openApiDocument({ basePath, health, openapi });
    addFormats(this.ajv);
    this.ajv.addSchema({ $id: API, components: (this.doc as unknown as { components: unknown }).components });
    this.templates = Object.keys(this.doc.paths).map((path) => ({ path, parts: path.split('/').slice(1) }));
  }

  private validator(ref: string): ValidateFunction {
    let v = this.compiled.get(ref);
    if (!v) this.compiled.set(ref, (v = this.ajv.compile({ $ref: `${API}${ref}` })));
    return v;
  }

  /** The document's path template for a request path, preferring literal segments. */
  private templateOf(pathname: string): string | undefined {
    if (pathname !== this.basePath && !pathname.startsWith(`${this.basePath}/`)) return undefined;
    const parts = pathname.slice(this.basePath.length).split('/').slice(1);
    if (parts.length > 1 && parts[parts.length - 1] === '') parts.pop();
    const fits = this.templates.filter((t) => t.parts.length === parts.length && t.parts.every((p, i) => parts[i] !== '' && (p.startsWith('{') || p === parts[i])));
    fits.sort((a, b) => a.parts.filter((p) => p.startsWith('{')).length - b.parts.filter((p) => p.startsWith('{')).length);
    return fits[0]?.path;
  }

  private fail(request: RequestLine, status: number, body: unknown, problem: string): never {
    throw new Error(`OpenAPI check: ${request.method} ${new URL(request.url).pathname} answered ${status}: ${problem}\nbody: ${JSON.stringify(body)?.slice(0, 2000)}`);
  }

  private checkSchema(request: RequestLine, status: number, body: unknown, ref: string): void {
    const validate = this.validator(ref);
    if (!validate(body)) this.fail(request, status, body, `the body does not match ${ref}: ${this.ajv.errorsText(validate.errors)}`);
  }

  check(request: RequestLine, status: number, body: unknown): void {
    const template = this.templateOf(new URL(request.url).pathname);
    const operation = template === undefined ? undefined : (this.doc.paths[template]![request.method.toLowerCase()] as Operation | undefined);
    if (operation === undefined) {
      // No such operation: the answer is an error the table gives this status.
      if (![400, 401, 404, 405].includes(status)) this.fail(request, status, body, 'no documented operation, and not a 400/401/404/405 error');
      this.checkSchema(request, status, body, `#/components/schemas/Error${status}`);
      return;
    }
    let answer = operation.responses[String(status)];
    if (answer === undefined) this.fail(request, status, body, `status ${status} is not documented for this operation (documented: ${Object.keys(operation.responses).join(', ')})`);
    if (answer.$ref) answer = (this.doc as any).components.responses[answer.$ref.split('/').pop()!];
    const schema = answer!.content?.['application/json'].schema;
    if (schema === undefined) {
      if (body !== undefined) this.fail(request, status, body, 'documented without a body, but it has one');
      return;
    }
    if (body === undefined) this.fail(request, status, body, 'documented with a body, but it has none');
    this.checkSchema(request, status, body, schema.$ref);
    const error = (body as { error?: { status?: unknown } }).error;
    if (error !== undefined && error.status !== status) this.fail(request, status, body, `error.status is ${String(error.status)}`);
  }
}

const checkers = new Map<string, ResponseChecker>();

/** The checker for a handler with these options (cached: compiling schemas is the slow part). */
export function responseChecker(options: HttpHandlerOptions = {}): ResponseChecker {
  const basePath = (options.basePath ?? '/api/v1').replace(/\/+$/, '');
  const health = options.health ?? true;
  const openapi = options.openapi !== false;
  const key = `${basePath} ${health} ${openapi}`;
  let checker = checkers.get(key);
  if (!checker) checkers.set(key, (checker = new ResponseChecker(basePath, health, openapi)));
  return checker;
}

/** `handler`, with every answer checked against the OpenAPI document (a mismatch throws). */
export function checkedHandler(handler: HttpHandler, options: HttpHandlerOptions = {}): HttpHandler {
  const checker = responseChecker(options);
  return async (request) => {
    const line = { method: request.method, url: request.url };
    const response = await handler(request);
    const text = await response.clone().text();
    let body: unknown;
    if (text !== '') {
      try {
        body = JSON.parse(text);
      } catch {
        throw new Error(`OpenAPI check: ${line.method} ${line.url} answered a body that is not JSON: ${text.slice(0, 200)}`);
      }
    }
    checker.check(line, response.status, body);
    return response;
  };
}
