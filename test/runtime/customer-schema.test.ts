import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { harness, rejects } from './engine-helpers.js';

const customerSchema = z.object({ age: z.number(), plan: z.enum(['free', 'pro']) });

const doc = (expression: string) => ({
  name: 'typed',
  maxDuration: 30,
  steps: [
    { id: 'b', type: 'branch', config: { conditions: [{ expression, targetStepId: 'w' }] } },
    { id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } },
  ],
});

describe('createEngine({ customerSchema })', () => {
  it('refuses to activate a journey with a type-mismatch, and reports it on the draft', async () => {
    const { engine } = harness({ engine: { customerSchema } });
    const { id, diagnostics } = await engine.createJourney(doc("customer.age > 'x'"));
    expect(diagnostics.map((d) => d.code)).toEqual(['type-mismatch']);
    const error = await rejects(engine.setStatus(id, 'active'), 'activation-refused');
    expect(error.message).toContain('type-mismatch');
    expect((await engine.validate(id)).diagnostics.map((d) => d.code)).toEqual(['type-mismatch']);
  });

  it('activates with warnings (unknown-attribute, never-true) and without a schema', async () => {
    const typed = harness({ engine: { customerSchema } });
    const { id } = await typed.engine.createJourney(doc("customer.agee > 3 || customer.plan == 'gold'"));
    const details = await typed.engine.setStatus(id, 'active');
    expect(details.diagnostics.map((d) => d.code)).toEqual(['unknown-attribute', 'never-true']);
    const untyped = harness();
    const other = await untyped.engine.createJourney(doc("customer.age > 'x'"));
    expect((await untyped.engine.setStatus(other.id, 'active')).status).toBe('active');
  });

  it('refuses a customerSchema that is neither a zod schema nor a JSON Schema object', async () => {
    expect(() => harness({ engine: { customerSchema: 'age:number' as never } })).toThrow(/customerSchema/);
  });
});
