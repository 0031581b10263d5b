/**
 * The `waitFor` step at run time: hold the customer until an event or outcome that matches a path
 * arrives (at or after they entered the step), or until the timeout.
 */
import { durationToMs, firstInstantAfter } from '../../model/duration.js';
import { EVENT_ROOT } from '../../model/steps/wait-for.js';
import type { CompiledStepBase } from '../compile-journey.js';
import { arrivalAt, meets, type ArrivalSpec } from '../arrival-match.js';
import type { StepKindRuntime } from './kind.js';

/** One path, ready to match. */
export interface CompiledWaitForPath extends ArrivalSpec {
  readonly name: string;
  readonly target: string | null;
}

export type CompiledWaitFor = CompiledStepBase & {
  readonly type: 'waitFor';
  readonly paths: readonly CompiledWaitForPath[];
  readonly timeoutMs: number;
  readonly timeoutTarget: string | null;
};

export const waitForRuntime: StepKindRuntime<'waitFor'> = {
  type: 'waitFor',
  compile(step, base, context) {
    const at = ['steps', context.index, 'config'] as const;
    const paths = step.config.paths.map((p, j): CompiledWaitForPath => {
      const where = p.where === undefined ? null : context.expression(p.where, [...at, 'paths', j, 'where']);
      return {
        name: p.label ?? String(j),
        event: p.event ?? null,
        outcome: p.outcome ?? null,
        where: where === null ? null : { evaluate: where.evaluate, roots: new Set(where.identifiers.filter((r) => r !== EVENT_ROOT)) },
        target: p.targetStepId === null ? null : context.target(p.targetStepId, [...at, 'paths', j, 'targetStepId']),
      };
    });
    const timeout = step.config.timeoutTargetStepId;
    const timeoutTarget = timeout === undefined ? base.successor : timeout === null ? null : context.target(timeout, [...at, 'timeoutTargetStepId']);
    return { ...base, type: 'waitFor', paths, timeoutMs: durationToMs(step.config.timeout.duration, step.config.timeout.unit), timeoutTarget };
  },
  enter(step, _visit, run) {
    const d = run.draft;
    d.phase = 'waiting';
    d.stepEnteredAt = run.now;
    // A timeout after the deadline wakes at the first instant past it, to exit.
    d.wakeAt = Math.min(run.now + step.timeoutMs, firstInstantAfter(d.deadline));
    run.commands.push({ type: 'schedule', wakeAt: d.wakeAt });
  },
  react(step, arrival, run) {
    // Only what happened at or after the customer entered the step counts.
    if (arrivalAt(arrival) < (run.draft.stepEnteredAt ?? Number.NEGATIVE_INFINITY)) return;
    for (const path of step.paths) {
      if (!meets(path, arrival, run.scope.bind(run))) continue;
      run.completed(step, arrival.kind === 'event'
        ? { path: path.name, event: arrival.event.type, at: arrival.event.at }
        : { path: path.name, outcome: arrival.outcome.type, at: arrival.outcome.at });
      return run.moveTo(path.target);
    }
  },
  waited(step, run) {
    run.completed(step, { timedOut: true });
    run.moveTo(step.timeoutTarget);
  },
};
