/**
 * createEditorHandler: the page's files with their content types and cache headers, apiBase
 * written into the page, and nothing outside the page's folder — whatever the path says.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createEditorHandler, toNodeListener } from '../../src/adapters/http/index.js';

let dir: string;
let server: Server;
let origin: string;
const INDEX = '<!doctype html><html><head><meta name="journey-api-base" content="/api/v1" /></head><body><script type="module" src="./assets/index-abc.js"></script></body></html>';

beforeAll(async () => {
  const base = mkdtempSync(join(tmpdir(), 'editor-handler-'));
  dir = join(base, 'page');
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), INDEX);
  writeFileSync(join(dir, 'assets/index-abc.js'), 'console.log(1)');
  writeFileSync(join(dir, 'assets/index-abc.css'), 'body{}');
  // A secret next to the page folder: no path may reach it.
  writeFileSync(join(base, 'secret.txt'), 'secret');
  const handler = createEditorHandler({ apiBase: 'https://api.example.com/v1?a="b"<c>', root: dir });
  server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(async () => {
  await new Promise<void>((resolve) => server.close(() => resolve()));
  rmSync(join(dir, '..'), { recursive: true, force: true });
});

/** A request with the path exactly as written (no client-side normalisation of `..`). */
function raw(path: string, method = 'GET'): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }> {
  return new Promise((resolve, reject) => {
    const { port } = server.address() as AddressInfo;
    const req = httpRequest({ host: '127.0.0.1', port, path, method }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('createEditorHandler', () => {
  it('serves the page with apiBase written in (escaped), never cached, with a CSP that lets it reach the API', async () => {
    const res = await fetch(`${origin}/editor/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('cache-control')).toBe('no-cache');
    expect(res.headers.get('x-content-type-options')).toBe('nosniff');
    expect(res.headers.get('content-security-policy')).toContain("connect-src 'self' https://api.example.com");
    const html = await res.text();
    expect(html).toContain('<meta name="journey-api-base" content="https://api.example.com/v1?a=&quot;b&quot;&lt;c&gt;" />');
    expect(html).not.toContain('content="/api/v1"');
  });

  it('redirects the bare mount path to the folder, keeping the query', async () => {
    const res = await fetch(`${origin}/editor?journey=j1`, { redirect: 'manual' });
    expect(res.status).toBe(308);
    expect(res.headers.get('location')).toBe('/editor/?journey=j1');
  });

  it('serves hashed assets with their content type and a year of immutable caching', async () => {
    const js = await fetch(`${origin}/editor/assets/index-abc.js`);
    expect(js.status).toBe(200);
    expect(js.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
    expect(await js.text()).toBe('console.log(1)');
    const css = await fetch(`${origin}/editor/assets/index-abc.css`);
    expect(css.headers.get('content-type')).toBe('text/css; charset=utf-8');
    const head = await raw('/editor/assets/index-abc.js', 'HEAD');
    expect(head.status).toBe(200);
    expect(head.headers['content-length']).toBe('14');
    expect(head.body).toBe('');
  });

  it.each([
    '/editor/../secret.txt',
    '/editor/assets/../../secret.txt',
    '/editor/%2e%2e/secret.txt',
    '/editor/%2E%2E/secret.txt',
    '/editor/assets%2f..%2f..%2fsecret.txt',
    '/editor/..%5csecret.txt',
    '/editor//etc/passwd',
    '/editor/%2fetc%2fpasswd',
    '//etc/passwd',
    '/editor/assets/%00index-abc.js',
    '/editor/.hidden',
  ])('never answers a file outside the page for %s', async (path) => {
    const res = await raw(path);
    expect([400, 404]).toContain(res.status);
    // An error answer (JSON), never the file: not its bytes, not /etc/passwd's.
    expect(res.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(res.body).not.toMatch(/^secret$|root:/m);
    expect(JSON.parse(res.body).error.code).toMatch(/^(not-found|invalid-path)$/);
  });

  it('answers 404 for a missing file, 400 for bad percent-encoding, 405 for other methods', async () => {
    expect((await raw('/editor/assets/nope.js')).status).toBe(404);
    expect((await raw('/editor/%E0%A4%A')).status).toBe(400);
    const post = await raw('/editor/', 'POST');
    expect(post.status).toBe(405);
    expect(post.headers['allow']).toBe('GET, HEAD');
    expect((await raw('/api/v1/journeys')).status).toBe(404);
  });

  it('says how to build the page when it is not built', async () => {
    const handler = createEditorHandler({ root: join(dir, 'nothing-here') });
    const res = await handler(new Request('http://h/editor/'));
    expect(res.status).toBe(404);
    expect(((await res.json()) as { error: { message: string } }).error.message).toContain('npm run build');
  });

  it('reads through a host-given reader (a runtime without a file system) and mounts under another path', async () => {
    const files: Record<string, string> = { 'index.html': INDEX, 'assets/app.js': 'x' };
    const handler = createEditorHandler({ basePath: '/tools/journeys/', apiBase: '/svc/api', readFile: async (p) => (p in files ? new TextEncoder().encode(files[p]) : null) });
    const page = await handler(new Request('http://h/tools/journeys/'));
    expect(await page.text()).toContain('content="/svc/api"');
    expect((await handler(new Request('http://h/tools/journeys/assets/app.js'))).status).toBe(200);
    expect((await handler(new Request('http://h/editor/'))).status).toBe(404);
  });
});
