import { beforeEach, describe, expect, it, vi } from 'vitest';
import { validations } from '../validate/count-validations.js';
import { activeJourney, api } from './http-helpers.js';

// Count validations while keeping the real validator.
vi.mock('../../src/validate/validate-journey.js', async (original) =>
  (await import('../validate/count-validations.js')).countingValidator(await original()));

describe('HTTP: a journey is validated once per request that needs it', () => {
  beforeEach(() => {
    validations.count = 0;
  });

  it('POST /journeys/:id/test validates the journey once', async () => {
    const a = api();
    const id = await activeJourney(a);
    await a.call('GET', `/api/v1/journeys/${id}`);
    validations.count = 0;
    const first = await a.call('POST', `/api/v1/journeys/${id}/test`, { customer: { id: 'c1', segments: ['loan_interested'] } });
    expect(first.status).toBe(200);
    expect(validations.count).toBe(1);
    await a.call('POST', `/api/v1/journeys/${id}/test`, {});
    expect(validations.count).toBe(2);
  });

  it('GET /journeys/:id validates a revision once', async () => {
    const a = api();
    const id = await activeJourney(a);
    validations.count = 0;
    for (let i = 0; i < 3; i++) expect((await a.call('GET', `/api/v1/journeys/${id}`)).status).toBe(200);
    expect(validations.count).toBe(0); // validated when it was written
  });
});
