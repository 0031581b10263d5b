/**
 * The step-kind registry: what each kind is (see {@link StepKindModel}). A new kind is its file
 * here, its schema in `./schemas.ts`, and one line below.
 */
import type { Goal } from '../goals.js';
import type { Step, StepType } from '../types.js';
import { branchKind } from './branch.js';
import { decideKind } from './decide.js';
import type { StepKindModel, StepKindModels, StepOf } from './kind.js';
import { sendKind } from './send.js';
import { splitKind } from './split.js';
import { updateKind } from './update.js';
import { waitKind } from './wait.js';
import { waitForKind } from './wait-for.js';

export type { StepCheckContext, StepExpression, StepFinding, StepHold, StepKindModel, StepKindModels, StepOf, StepTarget, TransitionKind } from './kind.js';
export { DIAGNOSTIC_PARAM } from './kind.js';

export const STEP_KINDS: StepKindModels = {
  wait: waitKind,
  decide: decideKind,
  branch: branchKind,
  send: sendKind,
  update: updateKind,
  waitFor: waitForKind,
  split: splitKind,
};

/** The model of `step`'s kind, typed for that step. */
export function kindOf<K extends StepType>(step: StepOf<K>): StepKindModel<K> {
  return STEP_KINDS[step.type as K] as StepKindModel<K>;
}

/**
 * The event types a journey definition waits for: its steps' (`listensTo`, e.g. `waitFor` event
 * paths) and its goals'. `ingestEvent` delivers an event of one of these types to the customer's
 * enrollments in the journey.
 */
export function listenedEventTypes(definition: { readonly steps: readonly Step[]; readonly goals?: readonly Goal[] | undefined }): Set<string> {
  const types = new Set<string>();
  for (const goal of definition.goals ?? []) if (goal.event !== undefined) types.add(goal.event);
  for (const step of definition.steps) {
    const listens = kindOf(step).listensTo;
    if (listens !== undefined) for (const type of listens(step)) types.add(type);
  }
  return types;
}
