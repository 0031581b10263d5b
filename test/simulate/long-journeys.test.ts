import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulate/simulate.js';
import { journey, updateWaitChain } from '../runtime/helpers.js';
import { harness } from '../runtime/engine-helpers.js';

/** Resolves with whether a macrotask queued now ran before `work` settled. */
async function tickedDuring<T>(work: () => Promise<T>): Promise<{ result: T; ticked: boolean }> {
  let ticked = false;
  setTimeout(() => (ticked = true), 0);
  const result = await work();
  return { result, ticked };
}

describe('long journeys keep the event loop responsive', () => {
  it('simulate of a 1,000-step update/wait chain lets timers and I/O run while it works', async () => {
    const { result, ticked } = await tickedDuring(() => simulate(updateWaitChain(1000)));
    expect(result.status).toBe('completed');
    expect(result.timeline.filter((t) => t.type === 'updated')).toHaveLength(500);
    expect(ticked).toBe(true);
  });

  it('one claim through 1,000 effects in a row (no wait) lets timers run between effects', async () => {
    const h = harness();
    const steps = Array.from({ length: 1000 }, (_, i) => ({ id: `u${i}`, type: 'update', config: { operations: [{ type: 'set_attribute', key: 'k', value: i }] } }));
    const { id } = await h.engine.createJourney(journey(steps, { status: 'active' }));
    const { enrolled } = await h.engine.enroll(id, { customerId: 'c1' });
    const { result, ticked } = await tickedDuring(() => h.engine.runDue());
    expect(result.processed).toBe(1);
    expect((await h.engine.getEnrollment(enrolled[0]!.enrollmentId))!.status).toBe('completed');
    expect(ticked).toBe(true);
  });
});
