/** The journeys command with the journey language: scripted events, waitFor and goal lines, the waitFor diagram. */
import { describe, expect, it } from 'vitest';
import { testCommand, parseEvent } from '../../src/cli/commands/test.js';
import { journeyDiagram } from '../../src/cli/journey-diagram.js';
import { journeyDocumentSchema } from '../../src/model/schema.js';
import { JourneyError } from '../../src/model/errors.js';
import { fakeIo } from './cli-io.js';

const CART = 'examples/journeys/abandoned-cart.json';

describe('journeys test --event', () => {
  it('parses <when>:<type> and <when>:<type>:<json>', () => {
    expect(parseEvent('+2h:purchase')).toEqual({ at: '2h', type: 'purchase' });
    expect(parseEvent('step_reminder:purchase:{"total":80,"note":"a:b"}')).toEqual({ afterStepId: 'step_reminder', type: 'purchase', properties: { total: 80, note: 'a:b' } });
  });

  it.each([
    ['+2h:purchase:{"total":', 'are not JSON'],
    ['+2h:purchase:{}x', 'are not JSON'],
    ['+2h:purchase:[1]', 'must be a JSON object'],
    ['purchase', 'not <stepId>:<type>'],
    ['+2x:purchase', 'is not a duration'],
  ])('refuses %s with invalid-option naming --event', (spec, message) => {
    const error = (() => {
      try {
        parseEvent(spec);
      } catch (e) {
        return e;
      }
      return null;
    })();
    expect(error).toBeInstanceOf(JourneyError);
    expect(error).toMatchObject({ code: 'invalid-option' });
    expect((error as Error).message).toContain('--event');
    expect((error as Error).message).toContain(message);
  });

  it('prints the event, the goal it converted and the path it took, in order', async () => {
    const io = fakeIo();
    expect(await testCommand.run([CART, '--event', '+2h:purchase:{"total":80}'], io)).toBe(0);
    const lines = io.out.trimEnd().split('\n');
    expect(lines.at(-1)).toBe('result: completed');
    expect(lines.slice(0, -1).map((l) => l.slice(22).replace(/\s+/g, ' ').trim())).toEqual([
      'step_wait_purchase waiting for until 2026-01-01 04:00:00Z',
      '— event type=purchase properties={"total":80} delivered=true',
      '— noted goal:purchased goal=purchased at=2026-01-01 02:00:00Z',
      'step_wait_purchase received path "Purchased": event purchase at 2026-01-01 02:00:00Z',
      '— completed',
    ]);
  });

  it('an event after a step, and a timeout line when nothing comes', async () => {
    const io = fakeIo();
    expect(await testCommand.run([CART, '--event', 'step_reminder:purchase', '--json'], io)).toBe(0);
    const result = JSON.parse(io.out) as { status: string; timeline: Array<{ stepId: string | null; type: string; detail?: Record<string, unknown> }> };
    expect(result.status).toBe('completed');
    expect(result.timeline.filter((t) => t.type === 'received').map((t) => t.detail)).toEqual([
      { timedOut: true },
      expect.objectContaining({ path: 'Purchased', event: 'purchase' }),
    ]);
  });

  it('an --event after a step the journey does not have names the option and the closest step', async () => {
    const io = fakeIo();
    expect(await testCommand.run([CART, '--event', 'step_remindr:purchase'], io)).toBe(1);
    expect(io.err).toContain('--event "step_remindr:purchase"');
    expect(io.err).toContain('step_reminder');
  });
});

describe('journeys diagram of a waitFor', () => {
  it('draws its paths and its timeout as labelled edges', async () => {
    const { readFile } = await import('node:fs/promises');
    const doc = journeyDocumentSchema.parse(JSON.parse(await readFile(new URL(`../../${CART}`, import.meta.url), 'utf8')));
    const text = journeyDiagram(doc);
    expect(text).toContain('s0>');
    expect(text).toMatch(/s0 -->\|"?Purchased"?\| finish/);
    expect(text).toMatch(/s0 -->\|"?timeout 4 hours"?\| s1/);
  });
});
