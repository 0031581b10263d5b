import { createServer, request as httpRequest, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { toNodeListener } from '../../src/adapters/http/index.js';
import { api, GOOD, SEED } from './http-helpers.js';

let server: Server | undefined;
afterEach(async () => {
  await new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve()));
  server = undefined;
});

async function listen(handler: Parameters<typeof toNodeListener>[0]): Promise<string> {
  server = createServer(toNodeListener(handler));
  await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** Send with node's client (it reports the answer even when the server stops reading the upload). */
function send(url: string, method: string, body: Buffer | string): Promise<{ status: number; text: string; connection?: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(url, { method, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      let text = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text, ...(res.headers.connection ? { connection: res.headers.connection } : {}) }));
    });
    req.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE' && error.code !== 'ECONNRESET') reject(error);
    });
    req.end(body);
  });
}

describe('toNodeListener on a real node:http server', () => {
  it('serves the API: create the seed example, read it back, list', async () => {
    const a = api();
    const base = await listen(a.handler);
    const created = await fetch(`${base}/api/v1/journeys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(SEED) });
    expect(created.status).toBe(201);
    const body = (await created.json()) as { id: string; diagnostics: unknown[] };
    expect(body.diagnostics).toHaveLength(2);
    const read = await fetch(`${base}/api/v1/journeys/${body.id}`);
    expect(((await read.json()) as { stepCount: number }).stepCount).toBe(4);
    const wrong = await fetch(`${base}/api/v1/journeys`, { method: 'PATCH' });
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST, GET, OPTIONS');
  });

  it('answers 413 for a body over the limit without reading all of it, then closes the connection', async () => {
    const a = api({ http: { limits: { maxBodyBytes: 64 * 1024 } } });
    const base = await listen(a.handler);
    const big = Buffer.alloc(4 * 1024 * 1024, 0x20);
    const r = await send(`${base}/api/v1/journeys`, 'POST', big);
    expect(r.status).toBe(413);
    expect(JSON.parse(r.text).error.code).toBe('payload-too-large');
    expect((await a.engine.listJourneys()).total).toBe(0);
    const ok = await send(`${base}/api/v1/journeys`, 'POST', JSON.stringify(GOOD));
    expect(ok.status).toBe(201);
  });

  it('answers 413 while streaming a chunked body with no Content-Length', async () => {
    const a = api({ http: { limits: { maxBodyBytes: 1000 } } });
    const base = await listen(a.handler);
    const status = await new Promise<number>((resolve, reject) => {
      const req = httpRequest(`${base}/api/v1/journeys`, { method: 'POST', headers: { 'content-type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
        req.destroy();
      });
      req.on('error', (e: NodeJS.ErrnoException) => (e.code === 'EPIPE' || e.code === 'ECONNRESET' ? undefined : reject(e)));
      const chunk = Buffer.alloc(600, 0x20);
      req.write(chunk);
      req.write(chunk);
      // never end: the server must answer from what it has read
    });
    expect(status).toBe(413);
  });
});

describe('toNodeListener behind body parsers and under a mount path', () => {
  /** A node:http server whose `pre` step plays a framework (parse the body, strip a mount path). */
  async function listenWith(handler: Parameters<typeof toNodeListener>[0], pre: (req: IncomingMessage & { body?: unknown; originalUrl?: string }) => Promise<void>) {
    const listener = toNodeListener(handler);
    server = createServer((req, res) => {
      void pre(req).then(() => listener(req, res));
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  const drain = async (req: IncomingMessage): Promise<Buffer> => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    return Buffer.concat(chunks);
  };

  const post = (base: string, body: string) =>
    fetch(`${base}/api/v1/journeys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body, signal: AbortSignal.timeout(20_000) });

  for (const [kind, parse] of [
    ['an object', (raw: Buffer) => JSON.parse(raw.toString('utf8')) as unknown],
    ['a string', (raw: Buffer) => raw.toString('utf8')],
    ['a Buffer', (raw: Buffer) => raw],
  ] as const) {
    it(`uses an already-parsed req.body that is ${kind}`, async () => {
      const a = api();
      const base = await listenWith(a.handler, async (req) => {
        req.body = parse(await drain(req));
      });
      const r = await post(base, JSON.stringify(GOOD));
      expect(r.status).toBe(201);
      expect((await a.engine.listJourneys()).items[0]?.name).toBe(GOOD.name);
    });
  }

  it('applies the size limit to a re-serialised req.body', async () => {
    const a = api({ http: { limits: { maxBodyBytes: 1000 } } });
    const base = await listenWith(a.handler, async (req) => {
      req.body = JSON.parse((await drain(req)).toString('utf8'));
    });
    const r = await post(base, JSON.stringify({ ...GOOD, description: 'x'.repeat(2000) }));
    expect(r.status).toBe(413);
    expect((await a.engine.listJourneys()).total).toBe(0);
  });

  it('answers (does not hang) when a parser drained the stream and left no req.body', async () => {
    const a = api();
    const base = await listenWith(a.handler, async (req) => {
      await drain(req);
    });
    const r = await post(base, JSON.stringify(GOOD));
    expect(r.status).toBe(400);
    expect(((await r.json()) as { error: { code: string } }).error.code).toBe('invalid-json');
  });

  it('routes on req.originalUrl when a framework stripped the mount path from req.url', async () => {
    const a = api();
    const base = await listenWith(a.handler, async (req) => {
      req.originalUrl = req.url;
      req.url = req.url!.slice('/api/v1'.length) || '/';
    });
    const r = await post(base, JSON.stringify(GOOD));
    expect(r.status).toBe(201);
    expect(r.headers.get('location')).toMatch(/^\/api\/v1\/journeys\/jrn_/);
  });
});

describe('toNodeListener and a req.body left by a parser that did not read the stream', () => {
  it('streams the body when it is still unread, even if a parser set req.body = {} (body-parser 1.x does)', async () => {
    const a = api();
    const listener = toNodeListener(a.handler);
    server = createServer((req, res) => {
      (req as IncomingMessage & { body?: unknown }).body = {};
      void listener(req, res);
    });
    await new Promise<void>((resolve) => server!.listen(0, '127.0.0.1', resolve));
    const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const r = await fetch(`${base}/api/v1/journeys`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(GOOD), signal: AbortSignal.timeout(20_000) });
    expect(r.status).toBe(201);
    expect((await a.engine.listJourneys()).items[0]?.name).toBe(GOOD.name);
  });
});
