/** The `update` step at run time: profile operations go to the Profiles port; flags are set on the enrollment. */
import { emptyRecord } from '../../model/own.js';
import type { UpdateOperation } from '../../model/types.js';
import type { CompiledStepBase } from '../compile-journey.js';
import type { StepKindRuntime } from './kind.js';

export type CompiledUpdate = CompiledStepBase & {
  readonly type: 'update';
  /** Operations for the Profiles port. */
  readonly profileOperations: readonly UpdateOperation[];
  /** `set_flag` operations, applied to the enrollment by the interpreter. */
  readonly flags: Readonly<Record<string, boolean>>;
};

export const updateRuntime: StepKindRuntime<'update'> = {
  type: 'update',
  compile(step, base) {
    const flags = emptyRecord<boolean>();
    const profileOperations: UpdateOperation[] = [];
    for (const op of step.config.operations) {
      if (op.type === 'set_flag') flags[op.flag] = op.value;
      else profileOperations.push(op);
    }
    return { ...base, type: 'update', profileOperations, flags };
  },
  enter(step, visit, run) {
    if (step.profileOperations.length === 0) {
      run.applyFlags(step.flags);
      run.completed(step);
      return run.moveTo(step.successor);
    }
    return run.issueEffect(step, visit);
  },
  effect: {
    result: 'updated',
    command: (step, visit, idempotencyKey) => ({ type: 'update', stepId: step.id, visit, idempotencyKey, operations: step.profileOperations }),
    done(step, _input, run) {
      run.applyFlags(step.flags);
      return undefined;
    },
  },
};
