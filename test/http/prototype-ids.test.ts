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
      ],
    });
    const enrolled = await a.call('POST', `${J}/${id}/enroll`, { customerId: 'c1' });
    expect(enrolled.status).toBe(200);
    await a.run();
    const [enrollment] = (await a.call('GET', `${J}/${id}/enrollments`)).body.data;
    expect(enrollment).toMatchObject({ status: 'completed', visits: { constructor: 1, ['__proto__']: 1 } });
    expect(Object.keys(enrollment.visits).sort()).toEqual(['__proto__', 'constructor']);
    const stats = (await a.call('GET', `${J}/${id}/stats`)).body;
    expect(stats.steps.map((s: { stepId: string; entered: number; completed: number }) => [s.stepId, s.entered, s.completed])).toEqual([
      ['constructor', 1, 1],
      ['__proto__', 1, 1],
    ]);
    expect(a.channels.sent.map((s) => s.idempotencyKey)).toEqual([`${enrollment.id}:constructor:1`]);
  });
});
