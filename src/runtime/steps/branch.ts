/** The `branch` step at run time: the first condition that holds picks the next step. */
import type { CompiledStepBase } from '../compile-journey.js';
import type { CompileContext, StepKindRuntime, StepRun } from './kind.js';

/** A branch condition ready to evaluate. */
export interface CompiledCondition {
  readonly label: string | null;
  readonly targetStepId: string;
  readonly evaluate: (scope: Readonly<Record<string, unknown>>) => unknown;
}

export type CompiledBranch = CompiledStepBase & {
  readonly type: 'branch';
  readonly conditions: readonly CompiledCondition[];
  readonly defaultTarget: string | null;
  /** The scope roots its conditions read: only these are built when it runs. */
  readonly roots: ReadonlySet<string>;
};

export const branchRuntime: StepKindRuntime<'branch'> = {
  type: 'branch',
  compile(step, base, context: CompileContext) {
    const { index } = context;
    const roots = new Set<string>();
    const conditions = step.config.conditions.map((condition, i): CompiledCondition => {
      const path = ['steps', index, 'config', 'conditions', i] as const;
      const compiledExpression = context.expression(condition.expression, [...path, 'expression']);
      for (const root of compiledExpression.identifiers) roots.add(root);
      return {
        label: condition.label ?? null,
        targetStepId: context.target(condition.targetStepId, [...path, 'targetStepId']),
        evaluate: compiledExpression.evaluate,
      };
    });
    const defaultTarget =
      step.config.defaultTargetStepId === undefined
        ? null
        : context.target(step.config.defaultTargetStepId, ['steps', index, 'config', 'defaultTargetStepId']);
    return { ...base, type: 'branch', conditions, defaultTarget, roots };
  },
  enter(step, _visit, run) {
    const { target, matched, unevaluable } = chooseBranch(step, run);
    run.completed(step, unevaluable === undefined ? { matched, target } : { matched, target, unevaluable });
    return run.moveTo(target);
  },
};

/**
 * The first condition that holds wins. A condition whose evaluation throws (only possible on
 * values that are not data, e.g. a getter in an enrollment context a host built) is false; it
 * is listed in the step's `completed` detail as `unevaluable` (label or index).
 */
function chooseBranch(step: CompiledBranch, run: StepRun): {
  target: string | null;
  matched: string | number;
  unevaluable?: Array<string | number>;
} {
  let unevaluable: Array<string | number> | undefined;
  if (step.conditions.length > 0) {
    const scope = run.scope(step.roots);
    for (let i = 0; i < step.conditions.length; i++) {
      const condition = step.conditions[i]!;
      let holds: unknown;
      try {
        holds = condition.evaluate(scope);
      } catch {
        (unevaluable ??= []).push(condition.label ?? i);
        continue;
      }
      if (holds) return choice(condition.targetStepId, condition.label ?? i, unevaluable);
    }
  }
  return choice(step.defaultTarget ?? step.successor, 'default', unevaluable);
}

/** A branch's choice; `unevaluable` only when some condition could not be evaluated. */
function choice(target: string | null, matched: string | number, unevaluable: Array<string | number> | undefined) {
  return unevaluable === undefined ? { target, matched } : { target, matched, unevaluable };
}
