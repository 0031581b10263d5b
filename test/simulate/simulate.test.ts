import { describe, expect, it } from 'vitest';
import { JourneyError } from '../../src/model/errors.js';
import { simulate } from '../../src/simulate/simulate.js';
import { loadExample } from '../runtime/helpers.js';

const loan = loadExample('loan-nurture.json');

describe('simulate(): a sample customer on a virtual clock', () => {
  it('runs the loan nurture journey for a customer who clicks the first email', async () => {
    const result = await simulate(loan, {
      customer: { id: 'c1', segments: ['loan_interested'] },
      outcomes: [{ afterStepId: 'step_send_email', type: 'click' }],
      decisions: { df_personal_loans: [{ id: 'loan_a' }] },
      start: '2026-03-10T09:00:00Z',
    });
    expect(result.status).toBe('completed');
    expect(result.exitReason).toBeNull();
    const lines = result.timeline.map((t) => `${t.at} ${t.stepId ?? '-'} ${t.type}`);
    expect(lines).toEqual([
      '2026-03-10T09:00:00.000Z step_initial_offer entered',
      '2026-03-10T09:00:00.000Z step_initial_offer decided',
      '2026-03-10T09:00:00.000Z step_send_email entered',
      '2026-03-10T09:00:00.000Z step_send_email sent',
      '2026-03-10T09:00:00.000Z step_wait_3d waiting',
      '2026-03-10T09:00:00.000Z - outcome',
      '2026-03-13T09:00:00.000Z step_wait_3d waited',
      '2026-03-13T09:00:00.000Z step_check_response entered',
      '2026-03-13T09:00:00.000Z step_check_response branched',
      '2026-03-13T09:00:00.000Z step_followup entered',
      '2026-03-13T09:00:00.000Z step_followup sent',
      '2026-03-13T09:00:00.000Z step_wait_followup waiting',
      '2026-03-17T09:00:00.000Z step_wait_followup waited',
      '2026-03-17T09:00:00.000Z step_final_check entered',
      '2026-03-17T09:00:00.000Z step_final_check branched',
      '2026-03-17T09:00:00.000Z step_not_converted entered',
      '2026-03-17T09:00:00.000Z step_not_converted updated',
      '2026-03-17T09:00:00.000Z - completed',
    ]);
    expect(result.timeline.find((t) => t.stepId === 'step_check_response' && t.type === 'branched')?.detail).toEqual({
      matched: 'Clicked but no conversion',
      target: 'step_followup',
    });
  });

  it('takes outcomes at instants or durations after the start', async () => {
    const result = await simulate(loan, { outcomes: [{ at: '5d', type: 'conversion' }], start: '2026-03-10T09:00:00Z' });
    const branch = result.timeline.filter((t) => t.type === 'branched').map((t) => t.detail?.['target']);
    expect(branch).toEqual(['step_reminder', 'step_thank_you']);
  });

  it('refuses an outcome time it cannot read with a coded error and its path', async () => {
    const error = await simulate(loan, { outcomes: [{ at: 'next tuesday', type: 'click' }] }).catch((e: unknown) => e);
    expect(error).toMatchObject({ code: 'invalid-instant', path: ['outcomes', 0, 'at'] });
    const start = await simulate(loan, { start: 'yesterday' }).catch((e: unknown) => e);
    expect(start).toMatchObject({ code: 'invalid-instant' });
  });

  it('checks entry conditions when asked', async () => {
    const result = await simulate(loan, { customer: { id: 'c1', segments: [] }, checkEntry: true });
    expect(result).toMatchObject({ status: 'not-enrolled', refusal: { reason: 'not-in-segment' } });
  });

  it('refuses a journey with errors, with the diagnostics', async () => {
    const error = await simulate(loadExample('loan-nurture.seed.json')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JourneyError);
    expect((error as JourneyError).code).toBe('invalid-journey');
  });

  it('refuses an outcome after a step that does not exist, naming the path and the closest step', async () => {
    const error = await simulate(loan, { outcomes: [{ at: '1d', type: 'click' }, { afterStepId: 'step_send_emial', type: 'click' }] }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(JourneyError);
    expect(error).toMatchObject({ code: 'unknown-step', path: ['outcomes', 1, 'afterStepId'], message: expect.stringContaining('did you mean "step_send_email"?') });
    const far = await simulate(loan, { outcomes: [{ afterStepId: 'zzz', type: 'click' }] }).catch((e: unknown) => e);
    expect(far).toMatchObject({ code: 'unknown-step', path: ['outcomes', 0, 'afterStepId'] });
    expect((far as Error).message).not.toContain('did you mean');
  });

  it('says so in the timeline when a scripted outcome comes after the customer left', async () => {
    const result = await simulate(loan, {
      customer: { id: 'c1', segments: ['loan_interested'] },
      outcomes: [{ afterStepId: 'step_not_converted', type: 'click' }],
    });
    expect(result.status).toBe('completed');
    expect(result.timeline.at(-1)).toMatchObject({ stepId: null, type: 'outcome-unmatched', detail: { type: 'click', reason: 'enrollment-ended' } });
  });

  it('runs under the journey id it is given (default jrn_sim_1), as expressions and splits see it', async () => {
    const doc = {
      name: 'Id', maxDuration: 30,
      steps: [
        { id: 'b', type: 'branch', config: { conditions: [{ expression: "journey.id == 'jrn_real'", targetStepId: 'yes' }] }, next: null },
        { id: 'yes', type: 'update', config: { operations: [{ type: 'set_flag', flag: 'real' }] } },
      ],
    };
    const branched = async (options = {}) => (await simulate(doc, options)).timeline.find((t) => t.stepId === 'b' && t.type === 'branched')?.detail;
    expect(await branched({ journeyId: 'jrn_real' })).toMatchObject({ target: 'yes' });
    expect(await branched()).toMatchObject({ matched: 'default', target: null });
  });
});
