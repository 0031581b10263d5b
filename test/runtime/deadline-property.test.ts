import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { durationToMs, MS_PER_DAY, type WaitUnit } from '../../src/model/duration.js';
import { advance, createEnrollment } from '../../src/runtime/interpreter.js';
import type { Enrollment, Input } from '../../src/runtime/types.js';
import { validateJourney } from '../../src/validate/validate-journey.js';
import { compile, T0 } from './helpers.js';
import { journeyArbitrary } from './journey-arbitrary.js';

type Step = Record<string, unknown> & { id: string; type: string };
type Doc = { name: string; maxDuration: number; steps: Step[]; status: string };
const END = -1;

/** Where each step may go (END: the journey ends), written apart from src/validate. */
function transitions(steps: readonly Step[]): number[][] {
  const index = (id: unknown) => steps.findIndex((s) => s.id === id);
  return steps.map((step, i) => {
    const normal = 'next' in step ? (step['next'] === null ? END : index(step['next'])) : i + 1 < steps.length ? i + 1 : END;
    if (step.type !== 'branch') return [normal];
    const config = step['config'] as { conditions: { targetStepId: string }[]; defaultTargetStepId?: string };
    return [...config.conditions.map((c) => index(c.targetStepId)), config.defaultTargetStepId === undefined ? normal : index(config.defaultTargetStepId)];
  });
}

const waitMs = (step: Step) => {
  const config = step['config'] as { duration: number; unit: WaitUnit };
  return step.type === 'wait' ? durationToMs(config.duration, config.unit) : 0;
};

/** The quickest path from the first step to an end (Dijkstra, leaving a wait costs its duration): its steps and total wait. */
function quickestPath(steps: readonly Step[]): { path: number[]; ms: number } {
  const next = transitions(steps);
  const dist = steps.map(() => Number.POSITIVE_INFINITY);
  const from = steps.map(() => -1);
  const done = steps.map(() => false);
  dist[0] = 0;
  for (;;) {
    let v = -1;
    for (let i = 0; i < steps.length; i++) if (!done[i] && dist[i]! < Number.POSITIVE_INFINITY && (v === -1 || dist[i]! < dist[v]!)) v = i;
    if (v === -1) break;
    done[v] = true;
    for (const w of next[v]!) {
      if (w !== END && dist[v]! + waitMs(steps[v]!) < dist[w]!) {
        dist[w] = dist[v]! + waitMs(steps[v]!);
        from[w] = v;
      }
    }
  }
  let last = -1;
  let ms = Number.POSITIVE_INFINITY;
  for (let i = 0; i < steps.length; i++) {
    if (next[i]!.includes(END) && dist[i]! + waitMs(steps[i]!) < ms) {
      ms = dist[i]! + waitMs(steps[i]!);
      last = i;
    }
  }
  const path: number[] = [];
  for (let v = last; v !== -1; v = from[v]!) path.unshift(v);
  return { path, ms };
}

/** The same journey with every branch on `path` sending the customer down it. */
function forced(doc: Doc, path: readonly number[]): Doc {
  const steps = doc.steps.map((step, i) => {
    const k = path.indexOf(i);
    if (step.type !== 'branch' || k === -1) return step;
    const target = path[k + 1];
    return { ...step, config: { conditions: target === undefined ? [] : [{ expression: 'true', targetStepId: doc.steps[target]!.id }] } };
  });
  return { ...doc, steps };
}

/** Run one customer through the interpreter, answering every effect at once and jumping to each wake-up. */
function run(doc: Doc): Enrollment {
  const journey = compile(doc);
  let e = createEnrollment(journey, { id: 'e1', customerId: 'c1' }, T0);
  let now = T0;
  let input: Input = { type: 'wake' };
  for (let i = 0; i < 10_000 && e.status === 'active'; i++) {
    const r = advance(journey, e, input, now);
    e = r.enrollment;
    const effect = r.commands.find((c) => c.type === 'decide' || c.type === 'send' || c.type === 'update');
    if (effect?.type === 'decide') input = { type: 'decided', stepId: effect.stepId, visit: effect.visit, offers: [{ id: 'offer' }] };
    else if (effect?.type === 'send') input = { type: 'sent', stepId: effect.stepId, visit: effect.visit, receipt: {} };
    else if (effect?.type === 'update') input = { type: 'updated', stepId: effect.stepId, visit: effect.visit };
    else {
      now = Math.max(now, e.wakeAt ?? now);
      input = { type: 'wake' };
    }
  }
  return e;
}

describe('the deadline boundary agrees between validator and runtime', () => {
  it('a journey that validates clean can be finished on its quickest path, also when that path waits exactly maxDuration', () => {
    fc.assert(
      fc.property(journeyArbitrary, (generated) => {
        const doc = generated as unknown as Doc;
        const quickest = quickestPath(doc.steps);
        fc.pre(quickest.path.length > 0);
        // As generated, and with maxDuration set to the quickest path's total wait (the boundary).
        const variants = [doc, { ...doc, maxDuration: Math.max(1, quickest.ms / MS_PER_DAY) }];
        for (const variant of variants) {
          if (!validateJourney(variant).valid) continue;
          const e = run(forced(variant, quickest.path));
          expect(e.lastError).toBeNull();
          expect(e.status).toBe('completed');
          expect(e.endedAt).toBe(T0 + quickest.ms);
        }
      }),
      { numRuns: 300 },
    );
  });
});
