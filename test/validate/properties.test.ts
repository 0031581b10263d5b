import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { validateJourney } from '../../src/validate/index.js';
import type { RawStep } from './helpers.js';
import { journey } from './helpers.js';

/** A random graph: unique ids `s0…`, random types, random `next` / branch targets (some unknown). */
const targetArb = (n: number) => fc.oneof(fc.nat({ max: n - 1 }).map((i) => `s${i}`), fc.constant('missing'));

const stepArb = (n: number, i: number) =>
  fc.record({
    type: fc.constantFrom('wait', 'send', 'update', 'branch', 'decide'),
    next: fc.option(fc.option(targetArb(n), { nil: null }), { nil: undefined }),
    targets: fc.array(targetArb(n), { maxLength: 3 }),
    fallback: fc.option(targetArb(n), { nil: undefined }),
    days: fc.integer({ min: 1, max: 5 }),
  }).map(({ type, next, targets, fallback, days }): RawStep => {
    const id = `s${i}`;
    const base: RawStep = next === undefined ? { id } : { id, next };
    switch (type) {
      case 'wait':
        return { ...base, type, config: { duration: days, unit: 'days' } };
      case 'branch':
        return {
          ...base,
          type,
          config: {
            conditions: targets.map((t) => ({ expression: "outcome == 'click'", targetStepId: t })),
            ...(fallback === undefined ? {} : { defaultTargetStepId: fallback }),
          },
        };
      case 'decide':
        return { ...base, type, config: { decisionFlowId: 'df' } };
      case 'send':
        return { ...base, type, config: { channelId: 'ch', resultSource: `s${days % n}` } };
      default:
        return { ...base, type, config: { operations: [{ type: 'add_segment', segment: 'x' }] } };
    }
  });

const graphArb = fc
  .integer({ min: 1, max: 12 })
  .chain((n) => fc.tuple(...Array.from({ length: n }, (_, i) => stepArb(n, i))));

/** The successors of each step, written independently of src/validate/transitions.ts. */
function oracleSuccessors(steps: readonly RawStep[]): number[][] {
  const byId = (id: unknown): number[] => {
    const i = steps.findIndex((s) => s['id'] === id);
    return i === -1 ? [] : [i];
  };
  return steps.map((step, i) => {
    const normal = 'next' in step ? (step['next'] === null ? [] : byId(step['next'])) : i + 1 < steps.length ? [i + 1] : [];
    if (step['type'] !== 'branch') return normal;
    const config = step['config'] as { conditions: { targetStepId: string }[]; defaultTargetStepId?: string };
    const out = config.conditions.flatMap((c) => byId(c.targetStepId));
    return [...out, ...(config.defaultTargetStepId !== undefined ? byId(config.defaultTargetStepId) : normal)];
  });
}

/** Brute-force reachability: iterate to a fixpoint. */
function oracleReach(succ: number[][], from: number, allowed: (i: number) => boolean = () => true): Set<number> {
  const seen = new Set<number>();
  for (const w of succ[from]!) if (allowed(w)) seen.add(w);
  let changed = true;
  while (changed) {
    changed = false;
    for (const v of [...seen]) for (const w of succ[v]!) if (allowed(w) && !seen.has(w)) ((seen.add(w), (changed = true)));
  }
  return seen;
}

/** Whether step i can end the journey: a transition to null (or off the end) or to an unknown id. */
function oracleCanEnd(steps: readonly RawStep[], i: number): boolean {
  const s = steps[i]!;
  const targets: unknown[] = [];
  const normal = 'next' in s ? s['next'] : i + 1 < steps.length ? `s${i + 1}` : null;
  if (s['type'] === 'branch') {
    const c = s['config'] as { conditions: { targetStepId: string }[]; defaultTargetStepId?: string };
    targets.push(...c.conditions.map((x) => x.targetStepId), c.defaultTargetStepId ?? normal);
  } else targets.push(normal);
  return targets.some((t) => t === null || t === 'missing');
}

describe('validateJourney never throws', () => {
  it('on arbitrary JSON', () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const result = validateJourney(value);
        expect(typeof result.valid).toBe('boolean');
        expect(result.valid).toBe(!result.diagnostics.some((d) => d.severity === 'error'));
      }),
      { numRuns: 300 },
    );
  });

  it('on journey-like objects with random fields', () => {
    const fieldArb = fc.oneof(fc.jsonValue(), fc.constantFrom('wait', 'send', 'branch', 'days', 's0', null));
    const looseStep = fc.dictionary(fc.constantFrom('id', 'type', 'next', 'config', 'label', 'position', 'extra'), fieldArb);
    const anyStep = fc.oneof(looseStep, graphArb.map((g) => g[0]!));
    fc.assert(
      fc.property(
        fc.record({ name: fieldArb, maxDuration: fc.oneof(fc.integer({ min: -5, max: 500 }), fieldArb), steps: fc.oneof(fc.array(anyStep), fieldArb) }, { requiredKeys: [] }),
        (doc) => {
          const result = validateJourney(doc);
          for (const d of result.diagnostics) expect(d.message.length).toBeGreaterThan(0);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('on random graphs, and the result is deterministic', () => {
    fc.assert(
      fc.property(graphArb, (steps) => {
        const a = validateJourney(journey(steps));
        expect(validateJourney(journey(steps))).toEqual(a);
      }),
      { numRuns: 200 },
    );
  });
});

describe('graph analyses match brute-force oracles on random graphs', () => {
  it('unreachable-step', () => {
    fc.assert(
      fc.property(graphArb, (steps) => {
        const succ = oracleSuccessors(steps);
        const reached = oracleReach(succ, 0);
        reached.add(0);
        const expected = steps.map((_, i) => i).filter((i) => !reached.has(i));
        const actual = validateJourney(journey(steps))
          .diagnostics.filter((d) => d.code === 'unreachable-step')
          .map((d) => d.path[1]);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('instant-loop', () => {
    fc.assert(
      fc.property(graphArb, (steps) => {
        const succ = oracleSuccessors(steps);
        const nonWait = (i: number): boolean => steps[i]!['type'] !== 'wait';
        const reach = steps.map((_, i) => (nonWait(i) ? oracleReach(succ, i, nonWait) : new Set<number>()));
        const cyclic = steps.map((_, i) => i).filter((i) => reach[i]!.has(i));
        // One diagnostic per class of mutually reachable cyclic steps, at its first step.
        const expected = cyclic.filter((i) => !cyclic.some((j) => j < i && reach[i]!.has(j) && reach[j]!.has(i)));
        const actual = validateJourney(journey(steps))
          .diagnostics.filter((d) => d.code === 'instant-loop')
          .map((d) => d.path[1]);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('result-maybe-missing', () => {
    fc.assert(
      fc.property(graphArb, (steps) => {
        const succ = oracleSuccessors(steps);
        const reached = oracleReach(succ, 0);
        reached.add(0);
        const expected = steps
          .map((s, i) => ({ s, i }))
          .filter(({ s, i }) => {
            if (s['type'] !== 'send' || !reached.has(i)) return false;
            const source = (s['config'] as { resultSource: string }).resultSource;
            const p = steps.findIndex((d) => d['id'] === source && d['type'] === 'decide');
            if (p === -1) return false;
            if (p === 0) return false;
            const avoiding = oracleReach(succ, 0, (k) => k !== p);
            return avoiding.has(i) || i === 0;
          })
          .map(({ i }) => i);
        const actual = validateJourney(journey(steps))
          .diagnostics.filter((d) => d.code === 'result-maybe-missing')
          .map((d) => d.path[1]);
        expect(actual).toEqual(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('path-exceeds-max-duration', () => {
    fc.assert(
      fc.property(graphArb, fc.integer({ min: 1, max: 12 }), (steps, maxDuration) => {
        const succ = oracleSuccessors(steps);
        const n = steps.length;
        const cost = steps.map((s) => (s['type'] === 'wait' ? (s['config'] as { duration: number }).duration : 0));
        const ends = steps.map((_, i) => oracleCanEnd(steps, i));
        const reach = oracleReach(succ, 0).add(0);
        const toEnd = new Set(ends.flatMap((e, i) => (e ? [i] : [])));
        for (let changed = true; changed; ) {
          changed = false;
          for (let v = 0; v < n; v++) {
            if (!toEnd.has(v) && succ[v]!.some((w) => toEnd.has(w))) {
              toEnd.add(v);
              changed = true;
            }
          }
        }
        const relevant = (v: number) => reach.has(v) && toEnd.has(v);
        // Unbounded: a wait on a cycle among the steps that are reachable and can still end.
        const onCycle = (w: number) => oracleReach(succ, w, relevant).has(w);
        const unbounded = steps.some((_, w) => relevant(w) && cost[w]! > 0 && onCycle(w));
        const long = steps.map(() => Number.NEGATIVE_INFINITY);
        const short = steps.map(() => Number.POSITIVE_INFINITY);
        long[0] = short[0] = 0;
        for (let round = 0; round <= n; round++)
          for (let v = 0; v < n; v++)
            for (const w of succ[v]!) {
              if (relevant(v) && relevant(w)) long[w] = Math.max(long[w]!, long[v]! + cost[v]!);
              short[w] = Math.min(short[w]!, short[v]! + cost[v]!);
            }
        const best = Math.min(...steps.map((_, i) => (ends[i] ? short[i]! + cost[i]! : Number.POSITIVE_INFINITY)));
        const longest = Math.max(...steps.map((_, i) => (ends[i] && relevant(i) ? long[i]! + cost[i]! : Number.NEGATIVE_INFINITY)));
        const expected = best <= maxDuration && (unbounded || longest > maxDuration);
        const result = validateJourney(journey(steps, { maxDuration }));
        expect(result.diagnostics.some((d) => d.code === 'path-exceeds-max-duration')).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });

  it('exceeds-max-duration', () => {
    fc.assert(
      fc.property(graphArb, fc.integer({ min: 1, max: 10 }), (steps, maxDuration) => {
        const succ = oracleSuccessors(steps);
        const cost = steps.map((s) => (s['type'] === 'wait' ? (s['config'] as { duration: number }).duration : 0));
        // Bellman-Ford over days.
        const dist = steps.map(() => Number.POSITIVE_INFINITY);
        dist[0] = 0;
        for (let round = 0; round < steps.length; round++)
          for (let v = 0; v < steps.length; v++) for (const w of succ[v]!) dist[w] = Math.min(dist[w]!, dist[v]! + cost[v]!);
        const canEnd = (i: number): boolean => oracleCanEnd(steps, i);
        const best = Math.min(...steps.map((_, i) => (canEnd(i) ? dist[i]! + cost[i]! : Number.POSITIVE_INFINITY)));
        const result = validateJourney(journey(steps, { maxDuration }));
        const hasLoop = result.diagnostics.some((d) => d.code === 'instant-loop');
        const expected = best > maxDuration && !(best === Number.POSITIVE_INFINITY && hasLoop);
        expect(result.diagnostics.some((d) => d.code === 'exceeds-max-duration')).toBe(expected);
      }),
      { numRuns: 500 },
    );
  });
});
