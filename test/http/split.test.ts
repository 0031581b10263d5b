import { describe, expect, it } from 'vitest';
import { assignVariant } from '../../src/runtime/split-assignment.js';
import { SPLIT_JOURNEY, SPLIT_LABELS, SPLIT_WEIGHTS } from '../runtime/split-journey.js';
import { activeJourney, api } from './http-helpers.js';

const LABELS = SPLIT_LABELS;
const EXPERIMENT = SPLIT_JOURNEY;

describe('HTTP: a journey with a split', () => {
  it('is created and validated without diagnostics, and a bad split is refused with the path', async () => {
    const a = api();
    const created = await a.call('POST', '/api/v1/journeys', EXPERIMENT);
    expect(created.status).toBe(201);
    expect((await a.call('POST', `/api/v1/journeys/${created.body.id}/validate`)).body).toEqual({ valid: true, diagnostics: [] });
    const shown = await a.call('GET', `/api/v1/journeys/${created.body.id}`);
    expect(shown.body.steps[0]).toEqual(EXPERIMENT.steps[0]);
    const bad = structuredClone(EXPERIMENT);
    bad.steps[0]!.config.variants![1]!.label = 'A';
    const draft = await a.call('POST', '/api/v1/journeys', bad);
    const { body } = await a.call('POST', `/api/v1/journeys/${draft.body.id}/validate`);
    expect(body.valid).toBe(false);
    expect(body.diagnostics.map((d: { code: string; path: unknown }) => [d.code, d.path])).toEqual([['duplicate-variant-label', ['steps', 0, 'config', 'variants', 1, 'label']]]);
    await a.engine.close();
  });

  it('lists each enrollment with its variant, and stats count the assignments', async () => {
    const a = api();
    const id = await activeJourney(a, EXPERIMENT);
    expect((await a.call('POST', `/api/v1/journeys/${id}/enroll`, { customerIds: ['c1', 'c2'] })).status).toBe(200);
    await a.run();
    const listed = await a.call('GET', `/api/v1/journeys/${id}/enrollments`);
    const expected = (customerId: string) => LABELS[assignVariant({ journeyId: id, stepId: 'step_split', customerId, salt: '2026-q1' }, [...SPLIT_WEIGHTS])]!;
    for (const e of listed.body.data) expect(e.variants).toEqual({ step_split: expected(e.customerId) });
    expect(listed.body.data).toHaveLength(2);
    const stats = await a.call('GET', `/api/v1/journeys/${id}/stats`);
    const noted = stats.body.steps.find((s: { stepId: string }) => s.stepId === 'step_split').noted as Record<string, number>;
    expect(Object.values(noted).reduce((x, y) => x + y, 0)).toBe(2);
    expect(noted[`variant:${expected('c1')}`]).toBeGreaterThanOrEqual(1);
    await a.engine.close();
  });

  it('an enrollment that passed no split shows variants {}', async () => {
    const a = api();
    const id = await activeJourney(a, { name: 'W', maxDuration: 30, steps: [{ id: 'w', type: 'wait', config: { duration: 1, unit: 'days' } }] });
    await a.call('POST', `/api/v1/journeys/${id}/enroll`, { customerId: 'c1' });
    expect((await a.call('GET', `/api/v1/journeys/${id}/enrollments`)).body.data[0].variants).toEqual({});
    await a.engine.close();
  });

  it('the sample-customer test shows which variant in its timeline: the one the customer really gets', async () => {
    const a = api();
    const id = await activeJourney(a, EXPERIMENT);
    const { body } = await a.call('POST', `/api/v1/journeys/${id}/test`, { customer: { id: 'c9' } });
    const split = body.timeline.filter((t: { stepId: string }) => t.stepId === 'step_split');
    expect(split.map((t: { type: string }) => t.type)).toEqual(['entered', 'noted', 'split']);
    const real = LABELS[assignVariant({ journeyId: id, stepId: 'step_split', customerId: 'c9', salt: '2026-q1' }, [...SPLIT_WEIGHTS])];
    expect(split[2].detail).toEqual({ variant: real });
    expect(split[1].detail).toEqual({ note: `variant:${split[2].detail.variant}`, variant: split[2].detail.variant });
    await a.engine.close();
  });
});
