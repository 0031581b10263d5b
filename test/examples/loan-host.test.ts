import { describe, expect, it } from 'vitest';
import { main } from '../../examples/loan-host/main.js';

describe('examples/loan-host', () => {
  it('runs three customers down the three paths of the loan nurture journey', async () => {
    const output: string[] = [];
    const { timelines, stats } = await main({ log: (line) => output.push(line) });
    const says = (customer: string) => (timelines[customer] ?? []).map((l) => `${l.stepId ?? '-'} ${l.what}`);

    // Ana converts after the first email: straight to the thank-you update, and done.
    expect(says('ana')).toContain('step_check_response branched (Converted) → step_thank_you');
    expect(says('ana')).toContain('step_thank_you updated the profile');
    expect(says('ana').at(-1)).toBe('- completed the journey');
    expect(says('ana').some((l) => l.startsWith('step_followup') || l.startsWith('step_reminder'))).toBe(false);

    // Ben clicks: the follow-up email, then the nurture ends.
    expect(says('ben')).toContain('step_followup sent via ch_email');
    expect(says('ben')).toContain('step_not_converted updated the profile');

    // Cleo ignores everything: the push reminder, then the nurture ends.
    expect(says('cleo')).toContain('step_reminder sent via ch_push');
    expect(says('cleo')).not.toContain('step_followup sent via ch_email');
    expect(says('cleo')).toContain('step_not_converted updated the profile');

    expect(stats).toMatchObject({ completed: 3, active: 0, failed: 0 });
    expect(output.some((line) => line.includes('Stats: completed 3'))).toBe(true);
  });
});
