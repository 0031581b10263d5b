/**
 * The pino example of docs/observability.md, run as written (imports pointed at the sources, and
 * pino's output at a buffer instead of stdout): its lines are JSON with ids and no customer data.
 */
import { readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect, it } from 'vitest';

const root = join(import.meta.dirname, '..', '..');

it('docs/observability.md: the pino example runs and logs ids, not customer data', async () => {
  const doc = readFileSync(join(root, 'docs', 'observability.md'), 'utf8');
  const example = /## Logging with pino\n\n```ts\n([\s\S]*?)```/.exec(doc)?.[1];
  expect(example).toBeDefined();
  const lines: string[] = [];
  (globalThis as Record<string, unknown>)['__observabilitySink'] = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  const source = example!
    .replace("from 'journey-engine';", `from '${join(root, 'src', 'index.js')}';`)
    .replace("from 'journey-engine/testing';", `from '${join(root, 'src', 'testing.js')}';`)
    .replace("from 'journey-engine/examples/journeys/loan-nurture.json'", `from '${join(root, 'examples', 'journeys', 'loan-nurture.json')}'`)
    .replace("pino({ level: 'debug' })", "pino({ level: 'debug' }, (globalThis as any).__observabilitySink)");
  expect(source).toContain('__observabilitySink');
  const file = join(import.meta.dirname, `observability-example-${process.pid}.ts`);
  writeFileSync(file, source);
  try {
    await import(file);
  } finally {
    rmSync(file, { force: true });
  }
  const parsed = lines.map((l) => JSON.parse(l) as Record<string, unknown>);
  const send = parsed.find((l) => l['event'] === 'effect' && l['effect'] === 'send');
  expect(send).toMatchObject({ level: 30, stepId: 'step_send_email', channelId: 'ch_email', result: 'ok', msg: 'send done' });
  expect(parsed.some((l) => l['event'] === 'claim' && l['level'] === 20)).toBe(true);
  expect(lines.join('\n')).not.toContain('ana@example.com');
  expect(lines.join('\n')).not.toContain('"ana"');
});
