/** The `wait` step at run time: hold the customer until its duration has passed (or the deadline). */
import { durationToMs, firstInstantAfter } from '../../model/duration.js';
import type { CompiledStepBase } from '../compile-journey.js';
import type { StepKindRuntime } from './kind.js';

export type CompiledWait = CompiledStepBase & { readonly type: 'wait'; readonly waitMs: number };

export const waitRuntime: StepKindRuntime<'wait'> = {
  type: 'wait',
  compile: (step, base) => ({ ...base, type: 'wait', waitMs: durationToMs(step.config.duration, step.config.unit) }),
  enter(step, _visit, run) {
    const d = run.draft;
    d.phase = 'waiting';
    // A wait that ends after the deadline wakes at the first instant past it, to exit.
    d.wakeAt = Math.min(run.now + step.waitMs, firstInstantAfter(d.deadline));
    run.commands.push({ type: 'schedule', wakeAt: d.wakeAt });
  },
};
