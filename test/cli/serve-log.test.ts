import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { lineLogger } from '../../src/cli/serve-log.js';
import { fakeIo, GOOD, root } from './cli-io.js';

const goodDoc = JSON.parse(readFileSync(join(root, GOOD), 'utf8'));
const SECRET = 'secret-attr-5d21';

async function until<T>(read: () => T | undefined, ms = 20_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}

describe('journeys serve --log', () => {
  it('--log json writes one JSON line per request and per engine step to stderr, without customer data', async () => {
    const stop = new AbortController();
    const io = fakeIo({}, { signal: stop.signal });
    const done = serveCommand.run(['--db', ':memory:', '--port', '0', '--virtual-clock', '--poll-ms', '20', '--log', 'json'], io);
    const base = await until(() => /listening on (http:\/\/\S+)/.exec(io.out)?.[1]);
    const post = (path: string, body: unknown, method = 'POST') =>
      fetch(`${base}${path}`, { method, headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) }).then(async (r) => ({ status: r.status, body: await r.json() }));
    const created = await post('/api/v1/journeys', goodDoc);
    const id = created.body.id as string;
    await post(`/api/v1/journeys/${id}`, { status: 'active' }, 'PUT');
    await post('/api/v1/customers', { id: 'c-secret', segments: ['loan_interested'], attributes: { email: SECRET } });
    await post(`/api/v1/journeys/${id}/enroll`, { customerIds: ['c-secret'] });
    await post('/_clock/advance', { by: '1m' });
    await until(() => (io.out.includes('send ch_email') ? true : undefined));
    await fetch(`${base}/api/v1/journeys/nope?customerId=c-secret`);
    stop.abort();
    expect(await done).toBe(0);
    const lines = io.err.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const requests = lines.filter((l) => l['event'] === 'request');
    expect(requests[0]).toMatchObject({ level: 'info', method: 'POST', path: '/api/v1/journeys', status: 201, msg: 'POST /api/v1/journeys 201' });
    expect(typeof requests[0]!['ms']).toBe('number');
    expect(requests.at(-1)).toMatchObject({ level: 'warn', path: '/api/v1/journeys/nope' });
    expect(requests.at(-1)!['status']).toBeGreaterThanOrEqual(400);
    expect(lines.some((l) => l['event'] === 'step' && l['journeyId'] === id)).toBe(true);
    expect(lines.some((l) => l['event'] === 'effect' && l['effect'] === 'send' && l['result'] === 'ok')).toBe(true);
    expect(lines.some((l) => l['event'] === 'journey-status' && l['to'] === 'active')).toBe(true);
    for (const l of lines) expect(typeof l['time']).toBe('string');
    expect(io.err).not.toContain(SECRET);
    expect(io.err).not.toContain('c-secret');
  }, 30_000);

  it('--log pretty writes readable lines; another value is refused', async () => {
    const out: string[] = [];
    const logger = lineLogger('pretty', (l) => out.push(l), () => Date.UTC(2026, 0, 1, 12, 0, 0, 5));
    logger.info!({ event: 'effect', stepId: 'mail', result: 'ok', error: { message: 'a b' } }, 'send done');
    expect(out).toEqual(['12:00:00.005 INFO  send done event=effect stepId=mail result=ok error={"message":"a b"}\n']);
    const io = fakeIo();
    expect(await serveCommand.run(['--log', 'xml'], io)).toBe(1);
    expect(io.err).toContain('--log must be one of json, pretty');
  });
});
