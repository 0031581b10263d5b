/** Small builders for journey documents in validation tests. */
export type RawStep = Record<string, unknown>;

export const wait = (id: string, duration = 1, unit = 'days', extra: RawStep = {}): RawStep => ({
  id,
  type: 'wait',
  config: { duration, unit },
  ...extra,
});
export const send = (id: string, config: RawStep = {}, extra: RawStep = {}): RawStep => ({
  id,
  type: 'send',
  config: { channelId: 'ch_email', ...config },
  ...extra,
});
export const decide = (id: string, config: RawStep = {}, extra: RawStep = {}): RawStep => ({
  id,
  type: 'decide',
  config: { decisionFlowId: 'df_1', ...config },
  ...extra,
});
export const update = (id: string, extra: RawStep = {}): RawStep => ({
  id,
  type: 'update',
  config: { operations: [{ type: 'add_segment', segment: 'seg' }] },
  ...extra,
});
export const branch = (
  id: string,
  targets: readonly string[],
  defaultTargetStepId?: string,
  extra: RawStep = {},
): RawStep => ({
  id,
  type: 'branch',
  config: {
    conditions: targets.map((t) => ({ expression: "outcome == 'click'", targetStepId: t })),
    ...(defaultTargetStepId === undefined ? {} : { defaultTargetStepId }),
  },
  ...extra,
});

export function journey(steps: readonly RawStep[], extra: RawStep = {}): RawStep {
  return { name: 'Test journey', maxDuration: 30, steps, ...extra };
}
