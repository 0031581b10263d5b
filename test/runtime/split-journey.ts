/** The A/B test with a holdout, as a journey document: the split and a send per variant. */
export const SPLIT_LABELS = ['A', 'B', 'Holdout'] as const;
export const SPLIT_WEIGHTS = [45, 45, 10] as const;

export const SPLIT_JOURNEY = {
  name: 'AB',
  maxDuration: 30,
  steps: [
    { id: 'step_split', type: 'split', config: { salt: '2026-q1', variants: [
      { label: 'A', weight: 45, targetStepId: 'step_email_a' as string | null },
      { label: 'B', weight: 45, targetStepId: 'step_email_b' as string | null },
      { label: 'Holdout', weight: 10, targetStepId: null as string | null } ] } },
    { id: 'step_email_a', type: 'send', config: { channelId: 'ch_email' }, next: null },
    { id: 'step_email_b', type: 'send', config: { channelId: 'ch_email' }, next: null },
  ],
};
