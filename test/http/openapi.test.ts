import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { Validator } from '@seriousme/openapi-schema-validator';
import openapiTS, { astToString } from 'openapi-typescript';
import ts from 'typescript';
import { afterAll, describe, expect, it } from 'vitest';
import { HTTP_STATUS_BY_CODE, openApiDocument } from '../../src/adapters/http/index.js';
import { API_ROUTES, codesForStatus } from '../../src/adapters/http/openapi.js';
import { api, GOOD } from './http-helpers.js';
import { responseChecker } from './openapi-check.js';

async function validateDocument(doc: unknown): Promise<{ valid: boolean; errors?: unknown }> {
  return new Validator().validate(doc as Record<string, unknown>);
}

// Inside the repository (under the ignored .tmp/), so the generated client resolves nothing from outside.
const tmp = join(new URL('../../', import.meta.url).pathname, '.tmp');
mkdirSync(tmp, { recursive: true });
const scratch = mkdtempSync(join(tmp, 'openapi-client-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

describe('the OpenAPI document', () => {
  it('is a valid OpenAPI 3.1 document, whatever the base path and options', async () => {
    for (const options of [{}, { basePath: '' }, { basePath: '/journeys-api/' }, { health: false }]) {
      const doc = openApiDocument(options);
      expect(doc.openapi).toBe('3.1.0');
      expect(await validateDocument(doc)).toEqual({ valid: true });
    }
    expect(openApiDocument({ basePath: '/x/' })['servers']).toEqual([{ url: '/x' }]);
    expect(Object.keys(openApiDocument({ health: false }).paths)).not.toContain('/health');
  });

  it('says how requests are authenticated: no credentials by default, the host\'s schemes when given; /health and /openapi.json need none', async () => {
    const plain = openApiDocument();
    expect(plain.paths['/journeys']!['get']).toMatchObject({ security: [{}] });
    expect(plain.paths['/health']!['get']).toMatchObject({ security: [] });
    const keyed = openApiDocument({ securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } }, security: [{ apiKey: [] }] });
    expect(await validateDocument(keyed)).toEqual({ valid: true });
    expect(keyed.paths['/journeys/{id}/stats']!['get']).toMatchObject({ security: [{ apiKey: [] }] });
    expect(keyed.paths['/openapi.json']!['get']).toMatchObject({ security: [] });
    expect(keyed['components']).toMatchObject({ securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } } });
    // the handler serves the same, given the same
    const served = api({ http: { openapi: { securitySchemes: { apiKey: { type: 'apiKey', in: 'header', name: 'x-api-key' } }, security: [{ apiKey: [] }] } } });
    const body = (await (await served.handler(new Request('http://x/api/v1/openapi.json'))).json()) as Record<string, unknown>;
    expect(body['components']).toMatchObject({ securitySchemes: { apiKey: { name: 'x-api-key' } } });
  });

  it('has every route and method the handler serves, each with a unique operationId', () => {
    const doc = openApiDocument();
    const ids = new Set<string>();
    for (const route of API_ROUTES) {
      const path = `/${route.pattern.map((p) => (p.startsWith(':') ? `{${p.slice(1)}}` : p)).join('/')}`;
      for (const method of [...Object.keys(route.methods), 'OPTIONS']) {
        const op = doc.paths[path]?.[method.toLowerCase()] as { operationId: string } | undefined;
        expect(op, `${method} ${path}`).toBeDefined();
        expect(ids.has(op!.operationId)).toBe(false);
        ids.add(op!.operationId);
      }
    }
    expect(Object.keys(doc.paths).sort()).toEqual(
      [...API_ROUTES.map((r) => `/${r.pattern.map((p) => (p.startsWith(':') ? `{${p.slice(1)}}` : p)).join('/')}`), '/health', '/openapi.json'].sort(),
    );
  });

  it('lists, for each error status, exactly the codes the error table answers with it', () => {
    const doc = openApiDocument() as unknown as { components: { schemas: Record<string, any> } };
    for (const [name, schema] of Object.entries(doc.components.schemas)) {
      const status = /^Error(\d+)$/.exec(name)?.[1];
      if (status === undefined) continue;
      const codes: string[] = schema.properties.error.properties.code.enum;
      const expected = Number(status) >= 500 ? ['internal'] : Object.entries(HTTP_STATUS_BY_CODE).filter(([, s]) => s === Number(status)).map(([c]) => c);
      expect(codes.sort()).toEqual(expected.sort());
    }
    expect(codesForStatus(404)).toContain('journey-not-found');
    expect(JSON.stringify(doc)).not.toContain('__shared');
  });

  it('is served at GET {basePath}/openapi.json without a tenant, for the handler\'s own base path', async () => {
    const a = api({ http: { resolveTenant: () => null } });
    const served = await a.call('GET', '/api/v1/openapi.json');
    expect(served.status).toBe(200);
    expect(served.headers.get('content-type')).toMatch(/application\/json/);
    expect(served.body).toEqual(JSON.parse(JSON.stringify(openApiDocument())));
    expect((await a.call('POST', '/api/v1/openapi.json', {})).status).toBe(405);
    expect((await a.call('OPTIONS', '/api/v1/openapi.json')).headers.get('allow')).toBe('GET, OPTIONS');
    expect((await a.call('GET', '/api/v1/journeys')).status).toBe(401);

    const mounted = api({ http: { basePath: '/engine', health: false } });
    const doc = (await mounted.call('GET', '/engine/openapi.json')).body;
    expect(doc.servers).toEqual([{ url: '/engine' }]);
    expect(Object.keys(doc.paths)).not.toContain('/health');
    expect(await validateDocument(doc)).toEqual({ valid: true });

    const off = api({ http: { openapi: false } });
    expect((await off.call('GET', '/api/v1/openapi.json')).status).toBe(404);
  });
});

describe('the response check every HTTP test runs', () => {
  const checker = responseChecker();
  const line = (method: string, path: string) => ({ method, url: `http://t/api/v1${path}` });

  it('passes a real answer and fails an undocumented field, status or error code', async () => {
    const a = api();
    const created = await a.call('POST', '/api/v1/journeys', GOOD);
    const read = await a.call('GET', `/api/v1/journeys/${created.body.id}`);
    expect(() => checker.check(line('GET', `/journeys/${created.body.id}`), 200, read.body)).not.toThrow();
    expect(() => checker.check(line('GET', `/journeys/${created.body.id}`), 200, { ...read.body, secret: 1 })).toThrow(/does not match/);
    expect(() => checker.check(line('GET', `/journeys/${created.body.id}`), 418, read.body)).toThrow(/not documented/);
    expect(() => checker.check(line('GET', '/journeys/x'), 404, { error: { code: 'journey-active', message: 'm', status: 404 } })).toThrow(/does not match/);
    expect(() => checker.check(line('GET', '/journeys/x'), 404, { error: { code: 'journey-not-found', message: 'm', status: 404 } })).not.toThrow();
    expect(() => checker.check(line('DELETE', '/journeys/x'), 204, { unexpected: true })).toThrow(/without a body/);
    expect(() => checker.check(line('GET', '/nowhere'), 200, {})).toThrow(/no documented operation/);
    const enrollments = await a.call('GET', `/api/v1/journeys/${created.body.id}/enrollments`);
    expect(() => checker.check(line('GET', `/journeys/${created.body.id}/enrollments`), 200, { ...enrollments.body, data: [{ id: 'e' }] })).toThrow(/does not match/);
  });
});

describe('a client generated from the document', () => {
  it('type-checks a host that creates, activates and enrolls (and refuses its mistakes), and the host runs', async () => {
    const types = astToString(await openapiTS(openApiDocument() as unknown as Parameters<typeof openapiTS>[0]));
    writeFileSync(join(scratch, 'api.ts'), types);
    const fixture = (name: string) => readFileSync(new URL(`fixtures/${name}.ts.txt`, import.meta.url), 'utf8');
    writeFileSync(join(scratch, 'host.ts'), fixture('openapi-host'));
    writeFileSync(join(scratch, 'bad-host.ts'), fixture('openapi-bad-host'));
    const options: ts.CompilerOptions = {
      strict: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.NodeNext,
      moduleResolution: ts.ModuleResolutionKind.NodeNext,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      skipLibCheck: false,
    };
    const program = ts.createProgram([join(scratch, 'host.ts'), join(scratch, 'bad-host.ts')], options);
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ({
      file: d.file ? d.file.fileName.split('/').pop() : undefined,
      line: d.file && d.start !== undefined ? d.file.getLineAndCharacterOfPosition(d.start).line + 1 : undefined,
      text: ts.flattenDiagnosticMessageText(d.messageText, '\n').slice(0, 200),
    }));
    expect(diagnostics.filter((d) => d.file !== 'bad-host.ts')).toEqual([]);
    const badLines = fixture('openapi-bad-host').split('\n').flatMap((l, i) => (l.includes('// BAD') ? [i + 1] : []));
    expect([...new Set(diagnostics.filter((d) => d.file === 'bad-host.ts').map((d) => d.line!))].sort((x, y) => x - y)).toEqual(badLines);

    // And it runs: compiled to JavaScript, against the handler (fetch-style, no server).
    const js = ts.transpileModule(fixture('openapi-host'), { compilerOptions: { module: ts.ModuleKind.ES2022, target: ts.ScriptTarget.ES2022 } }).outputText;
    writeFileSync(join(scratch, 'host.mjs'), js);
    const { host } = (await import(pathToFileURL(join(scratch, 'host.mjs')).href)) as { host: (f: (r: Request) => Promise<Response>, base: string) => Promise<{ status: string; enrolled: string[]; requested: number }> };
    const a = api();
    const result = await host(a.handler, 'http://host.local/api/v1');
    expect(result.status).toBe('active');
    expect(result.enrolled).toHaveLength(2);
    expect(result.requested).toBe(2);
  }, 300_000); // a TypeScript program over the generated client: ~5 s alone, ~8 s and more on a busy machine
});
