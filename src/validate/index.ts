/**
 * Journey validation: `validateJourney` and its diagnostics, plus the transition semantics the
 * runtime shares.
 *
 * @packageDocumentation
 */
export { validateJourney } from './validate-journey.js';
export { DIAGNOSTIC_CODES, isDiagnosticCode, severityOf } from './diagnostics.js';
export type {
  Diagnostic,
  DiagnosticCode,
  DiagnosticPath,
  DiagnosticSeverity,
  ValidateOptions,
  ValidationResult,
} from './diagnostics.js';
export { resolveTransitions, stepTargets } from './transitions.js';
export type { StepTarget, TransitionKind, TransitionSource } from './transitions.js';
