import fc from 'fast-check';

const CONDITIONS = [
  "outcome == 'click'",
  "outcome == 'conversion'",
  "'vip' in segments",
  'customer.score > 50',
  'outcomes.length >= 2',
  "enrollment.flags.touched == true",
];

/**
 * Random journeys that validate: non-wait steps only point forward (no instant loops); waits may
 * point anywhere (a loop through a wait is fine).
 */
export const journeyArbitrary = fc
  .record({
    kinds: fc.array(fc.constantFrom('wait', 'decide', 'send', 'update', 'branch'), { minLength: 1, maxLength: 12 }),
    seeds: fc.array(fc.nat(1000), { minLength: 40, maxLength: 40 }),
    maxDuration: fc.integer({ min: 1, max: 30 }),
  })
  .map(({ kinds, seeds, maxDuration }) => {
    let s = 0;
    const pick = (n: number) => seeds[s++ % seeds.length]! % n;
    const n = kinds.length;
    const id = (i: number) => `s${i}`;
    const forward = (i: number): string | null => (i + 1 < n ? id(i + 1 + pick(n - i - 1)) : null);
    const steps = kinds.map((kind, i) => {
      const step: Record<string, unknown> = { id: id(i), type: kind };
      switch (kind) {
        case 'wait':
          step['config'] = { duration: 1 + pick(5), unit: (['minutes', 'hours', 'days'] as const)[pick(3)] };
          if (pick(3) === 0) step['next'] = id(pick(n));
          break;
        case 'decide':
          step['config'] = { decisionFlowId: 'df', maxOffers: 1, storeResultAs: `r${i}` };
          break;
        case 'send': {
          const decides = kinds.map((k, j) => (k === 'decide' && j < i ? j : -1)).filter((j) => j >= 0);
          step['config'] = decides.length > 0 && pick(2) === 0 ? { channelId: 'ch', resultSource: `r${decides[pick(decides.length)]}` } : { channelId: 'ch' };
          break;
        }
        case 'update':
          step['config'] = { operations: pick(2) === 0 ? [{ type: 'set_flag', flag: 'touched' }] : [{ type: 'set_attribute', key: 'stage', value: i }] };
          break;
        case 'branch': {
          const target = forward(i);
          step['config'] = target === null
            ? { conditions: [] }
            : { conditions: [{ expression: CONDITIONS[pick(CONDITIONS.length)]!, targetStepId: target }] };
          break;
        }
      }
      if (kind !== 'wait' && pick(4) === 0) step['next'] = forward(i);
      return step;
    });
    return { name: 'Random', maxDuration, steps, status: 'active' };
  });

export const outcomesArbitrary = fc.array(
  fc.record({ atMinutes: fc.integer({ min: 0, max: 30 * 24 * 60 }), type: fc.constantFrom('click', 'conversion', 'impression') }),
  { maxLength: 5 },
);

/**
 * Random journeys with loops: the steps of {@link journeyArbitrary} in array order (no `next`),
 * where some branch conditions jump back to a step at or before an earlier wait (so every loop
 * passes a wait); waits last 1–5 hours and maxDuration is 2 days, so a loop that never exits
 * runs a few dozen times, not thousands.
 */
export const loopingJourneyArbitrary = fc.tuple(journeyArbitrary, fc.array(fc.nat(1000), { minLength: 12, maxLength: 12 })).map(([doc, seeds]) => {
  let lastWait = -1;
  const steps = (doc.steps as Record<string, unknown>[]).map(({ next: _next, ...step }, i) => {
    if (step['type'] === 'wait') {
      lastWait = i;
      return { ...step, config: { duration: 1 + (seeds[i % seeds.length]! % 5), unit: 'hours' } };
    }
    const seed = seeds[i % seeds.length]!;
    if (step['type'] !== 'branch' || lastWait < 0 || seed % 3 === 0) return step;
    const config = step['config'] as { conditions: { expression: string; targetStepId: string }[] };
    const back = `s${seed % (lastWait + 1)}`;
    const conditions = config.conditions.length > 0
      ? config.conditions.map((c) => ({ ...c, targetStepId: back }))
      : [{ expression: CONDITIONS[seed % CONDITIONS.length]!, targetStepId: back }];
    return { ...step, config: { ...config, conditions } };
  });
  return { ...doc, maxDuration: 2, steps };
});
