/** Transition semantics live with the step kinds in the model; re-exported here for the validator's callers. */
export { resolveTransitions, stepTargets } from '../model/transitions.js';
export type { StepTarget, TransitionKind, TransitionSource } from '../model/transitions.js';
