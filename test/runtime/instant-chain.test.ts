import { describe, expect, it } from 'vitest';
import { advance, createEnrollment } from '../../src/runtime/interpreter.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { compile, journey, T0 } from './helpers.js';
import { harness, runUntilIdle } from './engine-helpers.js';

/** A straight chain of `n` instant steps: branches without a matching condition and flag-only updates. */
function instantChain(n: number): Record<string, unknown> {
  const id = (i: number) => (i % 2 === 0 ? `b${i}` : `u${i}`);
  const steps = Array.from({ length: n }, (_, i) =>
    i % 2 === 0
      ? { id: id(i), type: 'branch', config: { conditions: i + 1 < n ? [{ expression: "outcome == 'click'", targetStepId: id(i + 1) }] : [] } }
      : { id: id(i), type: 'update', config: { operations: [{ type: 'set_flag', flag: `f${i}` }] } },
  );
  return journey(steps, { status: 'active' });
}

describe('the validator and the runtime agree on instant chains', () => {
  it('a straight chain of 1,001 instant steps validates clean and every customer finishes it', async () => {
    const doc = instantChain(1001);
    expect(validateJourney(doc).diagnostics.filter((d) => d.severity === 'error')).toEqual([]);
    const h = harness();
    const { id } = await h.engine.createJourney(doc);
    const { enrolled } = await h.engine.enroll(id, { customerIds: ['c1', 'c2'] });
    await runUntilIdle(h);
    for (const { enrollmentId } of enrolled) {
      const e = (await h.engine.getEnrollment(enrollmentId))!;
      expect(e.lastError).toBeNull();
      expect(e.status).toBe('completed');
      expect(Object.keys(e.flags)).toHaveLength(500);
    }
  });

  it('the interpreter finishes a 5,000-step instant chain in one advance, without touching its input', () => {
    const j = compile(instantChain(5000));
    const e0 = createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0);
    const frozen = JSON.stringify(e0);
    const r = advance(j, e0, { type: 'wake' }, T0);
    expect(r.enrollment.status).toBe('completed');
    expect(r.enrollment.visits).toBe(e0.visits); // no step lies on a cycle: no visit is counted, nothing copied
    expect(JSON.stringify(e0)).toBe(frozen);
    expect(e0.visits).toEqual({});
  });

  it('a real instant cycle is still reported by the validator and still stopped at run time', () => {
    const cycle = journey([
      { id: 'a', type: 'branch', config: { conditions: [], defaultTargetStepId: 'b' } },
      { id: 'b', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'x' }] }, next: 'a' },
    ]);
    expect(validateJourney(cycle).diagnostics.map((d) => d.code)).toContain('instant-loop');
    const j = compile(cycle);
    const r = advance(j, createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), { type: 'wake' }, T0);
    expect(r.enrollment.status).toBe('failed');
    expect(r.enrollment.lastError).toMatchObject({ code: 'instant-loop' });
  });
});

describe('flags set by several updates in one advance', () => {
  it('keeps every flag, later values winning, and leaves the input as it was', () => {
    const j = compile(journey([
      { id: 'a', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'first' }] } },
      { id: 'b', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'second' }, { type: 'set_flag', flag: 'first', value: false }] } },
      { id: 'c', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'third' }] } },
    ]));
    const e0 = { ...createEnrollment(j, { id: 'e1', customerId: 'c1' }, T0), flags: { old: true } };
    const r = advance(j, e0, { type: 'wake' }, T0);
    expect(r.enrollment.status).toBe('completed');
    expect(r.enrollment.flags).toEqual({ old: true, first: false, second: true, third: true });
    expect(e0.flags).toEqual({ old: true });
  });
});
