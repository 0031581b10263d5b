import { describe, expect, it } from 'vitest';
import { activeJourney, api } from './http-helpers.js';

const J = '/api/v1/journeys';

describe('HTTP: ids and fields named like Object.prototype properties', () => {
  it('a journey whose steps are constructor and __proto__ runs, and its enrollment and stats views key them as given', async () => {
    const a = api({ customers: [{ id: 'c1' }] });
    const id = await activeJourney(a, {
      name: 'Proto',
      maxDuration: 30,
      steps: [
        { id: 'constructor', type: 'send', config: { channelId: 'toString' } },
        { id: '__proto__', type: 'wait', config: { duration: 1, unit: 'days' } },
        // once round the loop: every step lies on it, so every visit is counted
        { id: 'valueOf', type: 'branch', config: { conditions: [{ expression: "!('again' in segments)", targetStepId: 'hasOwnProperty' }] }, next: null },
        { id: 'hasOwnProperty', type: 'update', config: { operations: [{ type: 'add_segment', segment: 'again' }] }, next: 'constructor' },
      ],
    });
    const enrolled = await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1' });
    expect(enrolled.status).toBe(200);
    await a.run();
    const [enrollment] = (await a.call('GET', `${J}/${id}/enrollments`)).body.data;
    expect(enrollment).toMatchObject({ status: 'completed', visits: { constructor: 2, ['__proto__']: 2, valueOf: 2, hasOwnProperty: 1 } });
    expect(Object.keys(enrollment.visits).sort()).toEqual(['__proto__', 'constructor', 'hasOwnProperty', 'valueOf']);
    const stats = (await a.call('GET', `${J}/${id}/stats`)).body;
    expect(stats.steps.map((s: { stepId: string; entered: number; completed: number }) => [s.stepId, s.entered, s.completed])).toEqual([
      ['constructor', 2, 2],
      ['__proto__', 2, 2],
      ['valueOf', 2, 2],
      ['hasOwnProperty', 1, 1],
    ]);
    expect(a.channels.sent.map((s) => s.idempotencyKey)).toEqual([`${enrollment.id}:constructor:1`, `${enrollment.id}:constructor:2`]);
  });
});
