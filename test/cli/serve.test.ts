import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { serveCommand } from '../../src/cli/commands/serve.js';
import { fakeIo, GOOD, root, SEED } from './cli-io.js';

const seedDoc = JSON.parse(readFileSync(join(root, SEED), 'utf8'));
const goodDoc = JSON.parse(readFileSync(join(root, GOOD), 'utf8'));

async function until<T>(read: () => T | undefined, ms = 60_000): Promise<T> {
  for (let waited = 0; waited < ms; waited += 20) {
    const value = read();
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error('timed out');
}

function client(base: string) {
  return async (method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => {
    const response = await fetch(`${base}${path}`, {
      method,
      headers: body === undefined ? headers : { 'content-type': 'application/json', ...headers },
      ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    });
    const text = await response.text();
    return { status: response.status, body: text ? JSON.parse(text) : undefined };
  };
}

/** The seed's flow over real HTTP, against a serve instance with a virtual clock. */
async function seedFlow(base: string, sends: () => string) {
  const call = client(base);
  const created = await call('POST', '/api/v1/journeys', seedDoc);
  expect(created.status).toBe(201);
  expect(created.body.diagnostics.map((d: { code: string }) => d.code)).toEqual(['unknown-target', 'unknown-target']);
  const id = created.body.id as string;
  const validated = await call('POST', `/api/v1/journeys/${id}/validate`);
  expect(validated.body.valid).toBe(false);
  expect((await call('PUT', `/api/v1/journeys/${id}`, { status: 'active' })).status).toBe(422);
  const fixed = await call('PUT', `/api/v1/journeys/${id}`, { steps: goodDoc.steps });
  expect(fixed.body.diagnostics).toEqual([]);
  expect((await call('PUT', `/api/v1/journeys/${id}`, { status: 'active' })).body.status).toBe('active');
  expect((await call('POST', '/api/v1/customers', { id: 'c1', segments: ['loan_interested'] })).status).toBe(201);
  const enrolled = await call('POST', `/api/v1/journeys/${id}/enroll`, { customerIds: ['c1', 'c1'] });
  expect(enrolled.body.counts).toMatchObject({ enrolled: 1, duplicates: 1 });
  await call('POST', '/_clock/advance', { by: '1m' });
  await until(() => (sends().includes('send ch_email to c1') ? true : undefined));
  const outcome = await call('POST', '/api/v1/outcomes', { customerId: 'c1', type: 'conversion' }, { 'idempotency-key': 'o-1' });
  expect(outcome.body.recorded).toHaveLength(1);
  const advanced = await call('POST', '/_clock/advance', { by: '3d' });
  expect(advanced.status).toBe(200);
  const stats = await call('GET', `/api/v1/journeys/${id}/stats`);
  expect(stats.body).toMatchObject({ completed: 1, active: 0 });
  expect(stats.body.steps.find((s: { stepId: string }) => s.stepId === 'step_thank_you')).toMatchObject({ entered: 1, completed: 1 });
}

describe('journeys serve', () => {
  it('runs the seed flow in-process with a fake io, and stops on the abort signal', async () => {
    const stop = new AbortController();
    const io = fakeIo({}, { signal: stop.signal });
    const done = serveCommand.run(['--db', ':memory:', '--port', '0', '--virtual-clock', '--poll-ms', '20'], io);
    const base = await until(() => /listening on (http:\/\/\S+)/.exec(io.out)?.[1]);
    const clock = await client(base)('GET', '/_clock');
    expect(clock.body.now).toMatch(/^\d{4}-/);
    await seedFlow(base, () => io.out);
    stop.abort();
    expect(await done).toBe(0);
    expect(io.out).toContain('stopping');
  });

  it('refuses bad options with a coded error', async () => {
    const io = fakeIo();
    expect(await serveCommand.run(['--port', 'x'], io)).toBe(1);
    expect(io.err).toContain('invalid-option');
    expect(await serveCommand.run(['--bogus'], fakeIo())).toBe(2);
  });

  it('end to end: `npx tsx src/cli/main.ts serve` as a child process over real HTTP', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'journeys-serve-'));
    const child = spawn('npx', ['tsx', 'src/cli/main.ts', 'serve', '--db', join(dir, 'journeys.db'), '--port', '0', '--virtual-clock', '--poll-ms', '20'], {
      cwd: root,
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: true,
    });
    let out = '';
    let err = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    try {
      const base = await until(() => /listening on (http:\/\/\S+)/.exec(out)?.[1]);
      await seedFlow(base, () => out);
    } finally {
      // Signal the process group this test started (npx → tsx → node), as a terminal's Ctrl-C would.
      process.kill(-child.pid!, 'SIGTERM');
      const code = await exited;
      rmSync(dir, { recursive: true, force: true });
      expect(err).toBe('');
      // npx itself ends by the signal (code null); the served process must have stopped gracefully.
      expect(out).toContain('stopping');
      expect([0, null]).toContain(code);
    }
  }, 90_000);
});
