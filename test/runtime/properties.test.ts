import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { simulate } from '../../src/simulate/simulate.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { DAY, MINUTE, T0 } from './helpers.js';
import { harness, runUntilIdle } from './engine-helpers.js';
import { journeyArbitrary, outcomesArbitrary } from './journey-arbitrary.js';

const valid = journeyArbitrary.filter((doc) => validateJourney(doc).valid);

describe('runtime properties over random valid journeys', () => {
  it('every enrollment ends completed or exited no later than maxDuration, and no visit has its effect run twice', async () => {
    await fc.assert(
      fc.asyncProperty(valid, outcomesArbitrary, fc.integer({ min: 1, max: 4 }), async (doc, outcomes, customers) => {
        const ids = Array.from({ length: customers }, (_, i) => `c${i}`);
        const h = harness({ customers: ids.map((id, i) => ({ id, segments: i % 2 ? ['vip'] : [], attributes: { score: i * 30 } })) });
        const { id } = await h.engine.createJourney(doc);
        await h.engine.enroll(id, { customerIds: ids });
        const pending = outcomes.map((o, i) => ({ ...o, at: T0 + o.atMinutes * MINUTE, key: `o${i}` })).sort((a, b) => a.at - b.at);
        for (const o of pending) {
          await runUntilIdle(h, o.at);
          if (o.at > h.clock.now()) h.clock.set(o.at);
          await h.engine.recordOutcome({ customerId: ids[o.atMinutes % ids.length]!, type: o.type, idempotencyKey: o.key });
        }
        await runUntilIdle(h);

        const { items } = await h.engine.listEnrollments({ journeyId: id, limit: 100 });
        expect(items.length).toBe(customers);
        for (const e of items) {
          expect(['completed', 'exited']).toContain(e.status);
          expect(e.endedAt!).toBeLessThanOrEqual(e.enteredAt + doc.maxDuration * DAY);
          if (e.status === 'exited') expect(e.exitReason).toBe('max-duration');
          const effects = await h.storage.listEffects('default', e.id);
          expect(new Set(effects.map((x) => x.idempotencyKey)).size).toBe(effects.length);
        }
        const keys = h.channels.sent.map((s) => s.idempotencyKey);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      { numRuns: 60 },
    );
  });

  it('two simulations with the same inputs give identical timelines', async () => {
    await fc.assert(
      fc.asyncProperty(valid, outcomesArbitrary, async (doc, outcomes) => {
        const options = {
          customer: { id: 'c1', segments: ['vip'], attributes: { score: 70 } },
          outcomes: outcomes.map((o) => ({ at: T0 + o.atMinutes * MINUTE, type: o.type })),
          start: T0,
        };
        const a = await simulate(doc, options);
        const b = await simulate(doc, options);
        expect(a).toEqual(b);
        expect(['completed', 'exited']).toContain(a.status);
      }),
      { numRuns: 40 },
    );
  });
});
