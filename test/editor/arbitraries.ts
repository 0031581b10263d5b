import fc from 'fast-check';
import { STEP_TYPES } from '../../src/model/types.js';

const CONDITIONS = ["outcome == 'click'", "outcome == 'conversion'", "'vip' in segments", 'customer.score > 50', 'enrollment.flags.touched == true'];

/** Deep-freezes a JSON value, so an edit that mutates its input throws. */
export function deepFreeze<T>(value: T): T {
  if (typeof value === 'object' && value !== null) {
    for (const key of Object.keys(value)) deepFreeze((value as Record<string, unknown>)[key]);
    Object.freeze(value);
  }
  return value;
}

/** The document without step positions. */
export function withoutPositions(doc: { steps: readonly unknown[] }): unknown {
  return { ...doc, steps: doc.steps.map((s) => { const { position: _p, ...rest } = s as Record<string, unknown>; return rest; }) };
}

/**
 * Valid journeys over every step kind. Step i always reaches step i+1 (its normal transition, or
 * a split's first variant), so every step is reachable; the other targets of instant steps point
 * forward (no instant loop); a waitFor's paths may point anywhere (a loop through a waitFor
 * holds). Ids include `constructor` and `__proto__`; some steps have positions,
 * labels, `next` written out, defaults, timeouts, holdouts.
 */
export const validJourneyArbitrary = fc
  .record({
    kinds: fc.array(fc.constantFrom(...STEP_TYPES), { minLength: 1, maxLength: 14 }),
    seeds: fc.array(fc.nat(1000), { minLength: 64, maxLength: 64 }),
    prototypeIds: fc.boolean(),
  })
  .map(({ kinds, seeds, prototypeIds }) => {
    let s = 0;
    const pick = (n: number) => seeds[s++ % seeds.length]! % n;
    const n = kinds.length;
    const special = ['constructor', '__proto__', 'toString'];
    const id = (i: number) => (prototypeIds && i < special.length ? special[i]! : `s${i}`);
    const forward = (i: number): string | null => (i + 1 < n ? id(i + 1 + pick(n - i - 1)) : null);
    const anywhere = (): string | null => (pick(5) === 0 ? null : id(pick(n)));
    const decides: number[] = [];
    const steps = kinds.map((kind, i) => {
      const step: Record<string, unknown> = { id: id(i), type: kind };
      const mainNext = i + 1 < n ? id(i + 1) : null;
      let normalWritten = pick(3) === 0; // write `next` even where array order says the same
      switch (kind) {
        case 'wait':
          step['config'] = pick(4) === 0
            ? { duration: 1 + pick(3), unit: 'hours', window: { days: ['mon', 'tue', 'wed'], from: '09:00', to: '17:00', timeZone: 'Europe/Paris' } }
            : { duration: 1 + pick(5), unit: (['minutes', 'hours'] as const)[pick(2)] };
          break;
        case 'decide':
          step['config'] = pick(2) === 0 ? { decisionFlowId: 'df', maxOffers: 1 + pick(3), storeResultAs: `r${i}` } : { decisionFlowId: 'df', maxOffers: 1 };
          decides.push(i);
          break;
        case 'send': {
          const earlier = decides.filter((j) => j < i);
          step['config'] = earlier.length > 0 && pick(2) === 0 ? { channelId: 'ch', resultSource: id(earlier[pick(earlier.length)]!) } : { channelId: 'ch', ...(pick(2) === 0 ? { priority: pick(10) } : {}) };
          break;
        }
        case 'update':
          step['config'] = { operations: pick(2) === 0 ? [{ type: 'set_flag', flag: 'touched', value: true }] : [{ type: 'set_attribute', key: 'stage', value: i }] };
          break;
        case 'branch': {
          const count = i + 1 < n ? 1 + pick(3) : 0;
          const conditions = Array.from({ length: count }, (_, j) => ({
            ...(pick(2) === 0 ? { label: `c${j}` } : {}),
            expression: CONDITIONS[pick(CONDITIONS.length)]!,
            targetStepId: forward(i)!,
          }));
          step['config'] = { conditions, ...(i + 1 < n && pick(2) === 0 ? { defaultTargetStepId: mainNext! } : {}) };
          break;
        }
        case 'waitFor': {
          const paths = Array.from({ length: 1 + pick(3) }, (_, j) =>
            pick(2) === 0
              ? { event: `e${j}`, ...(pick(2) === 0 ? { where: 'event.properties.amount >= 100' } : {}), targetStepId: anywhere() }
              : { outcome: (['click', 'conversion'] as const)[pick(2)], targetStepId: anywhere() },
          );
          const timeout = { duration: 1 + pick(3), unit: 'days' };
          const t = pick(3);
          step['config'] = { paths, timeout, ...(t === 0 ? { timeoutTargetStepId: mainNext } : t === 1 ? { timeoutTargetStepId: null } : {}) };
          if (t === 1) {
            normalWritten = false;
            paths[0]!.targetStepId = mainNext; // the chain goes on through the first path
          }
          break;
        }
        case 'split': {
          const count = 1 + pick(3);
          step['config'] = {
            ...(pick(2) === 0 ? { salt: 'x' } : {}),
            variants: Array.from({ length: count }, (_, j) => ({ label: `V${j}`, weight: j === 0 ? 1 + pick(50) : pick(50), targetStepId: j === 0 ? mainNext : pick(3) === 0 ? null : forward(i) })),
          };
          normalWritten = false;
          break;
        }
      }
      if (normalWritten) step['next'] = mainNext;
      if (pick(2) === 0) step['position'] = { x: pick(800), y: pick(800) };
      if (pick(4) === 0) step['label'] = `Step ${i}`;
      return step;
    });
    return { name: 'Random', description: '', maxDuration: 365, status: 'draft', entryConditions: {}, steps };
  });
