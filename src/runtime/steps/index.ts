/**
 * The step-kind runtime registry: what each kind does (see {@link StepKindRuntime}). A new kind
 * is its file here and one line below; the model side is in src/model/steps/.
 */
import type { StepType } from '../../model/types.js';
import { branchRuntime } from './branch.js';
import { decideRuntime } from './decide.js';
import type { CompiledStepOf, StepKindRuntime, StepKindRuntimes } from './kind.js';
import { sendRuntime } from './send.js';
import { splitRuntime } from './split.js';
import { updateRuntime } from './update.js';
import { waitRuntime } from './wait.js';
import { waitForRuntime } from './wait-for.js';

export type { CompileContext, CompiledStepOf, EffectResult, StepKindRuntime, StepKindRuntimes, StepRun } from './kind.js';

export const STEP_RUNTIMES: StepKindRuntimes = {
  wait: waitRuntime,
  decide: decideRuntime,
  branch: branchRuntime,
  send: sendRuntime,
  update: updateRuntime,
  waitFor: waitForRuntime,
  split: splitRuntime,
};

/** The runtime of a compiled step's kind, typed for that step. */
export function runtimeOf<K extends StepType>(step: CompiledStepOf<K>): StepKindRuntime<K> {
  return STEP_RUNTIMES[step.type as K] as StepKindRuntime<K>;
}

/** The kind whose effect answers with each effect-result input (`decided` → `decide`, …). */
export const KIND_BY_EFFECT_RESULT: ReadonlyMap<string, StepType> = new Map(
  (Object.values(STEP_RUNTIMES) as StepKindRuntime<StepType>[]).flatMap((kind) => (kind.effect ? [[kind.effect.result, kind.type] as const] : [])),
);
