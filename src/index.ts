/**
 * journey-engine — run customer journeys: a pure interpreter over typed journey graphs, with
 * pluggable storage, clock, decision-flow, channel and profile adapters.
 *
 * @packageDocumentation
 */

// The journey model.
export * from './model/index.js';

// Validation and the expression language.
export {
  validateJourney,
  DIAGNOSTIC_CODES,
  severityOf,
  resolveTransitions,
  stepTargets,
  type Diagnostic,
  type DiagnosticCode,
  type DiagnosticPath,
  type DiagnosticSeverity,
  type ValidateOptions,
  type ValidationResult,
  type StepTarget,
  type TransitionKind,
  type TransitionSource,
} from './validate/index.js';
export {
  compileExpression,
  ExpressionError,
  EXPRESSION_ROOTS,
  EXPRESSION_FUNCTIONS,
  expressionCompletions,
  type CompletionOptions,
  type CustomerSchema,
  type ExpressionCompletion,
  type ExpressionCompletions,
  type CompiledExpression,
  type CompileExpressionOptions,
  type ExpressionErrorCode,
  type ExpressionRoot,
  type ExpressionFunctionName,
} from './validate/expression/index.js';

// The runtime: interpreter, engine, ports.
export type * from './runtime/types.js';
export type * from './runtime/ports.js';
export { ENROLLMENT_STATUSES, MAX_INBOX_ITEMS, MAX_SENDS_KEPT, OUTCOME_TYPES } from './runtime/types.js';
export { advance, createEnrollment, deliver, idempotencyKey, MAX_OUTCOMES_KEPT, type AdvanceOptions, type DeliveryRefusal, type NewEnrollment } from './runtime/interpreter.js';
export { visitOf } from './runtime/interpreter.js';
export { compileJourney, resolveResultKey, type CompiledJourney, type CompiledStep, type CompiledCondition, type JourneyIdentity } from './runtime/compile-journey.js';
export { createEngine, type EngineOptions, type JourneyEngine, type JourneyStats, type EnrollmentListQuery, type WorkerOptions } from './runtime/engine.js';
export type { GoalStats } from './runtime/goal-stats.js';
export { MAX_SEND_PRIORITY, parseSendPolicy, sendPolicySchema, type SendCap, type SendPolicy } from './model/send-policy.js';
export { PRIORITY_SPACING_MS } from './runtime/send-gate.js';
export { experimentStats, wilsonInterval, type RateInterval, type VariantCounts, type VariantStats } from './runtime/experiment-stats.js';
export type { EngineEvents, EngineEmitter } from './runtime/events.js';
export type { EngineLogger, LogLevel, SpanLike, TracerProviderLike } from './runtime/observe.js';
export type { CreatedJourney, JourneyDetails, JourneyPatch } from './runtime/journeys.js';
export { summarize as toJourneySummary } from './runtime/journeys.js';
export {
  MAX_CUSTOMERS_PER_ENROLL,
  MAX_CONTEXT_BYTES,
  MAX_CONTEXT_DEPTH,
  MAX_CONTEXT_ENTRIES,
  MAX_ENROLL_CONTEXT_BYTES,
  type EnrollResult,
  type EnrollTarget,
  type IngestedEvent,
  type IngestResult,
  type OutcomeReport,
  type OutcomeResult,
  type SkipReason,
} from './runtime/enrollments.js';
export { ENTRY_RULES, ENTRY_VIAS, type EntryExplanation, type EntryRule, type EntryRuleResult, type EntryVia } from './runtime/entry-rules.js';
export type { OutcomeUnmatched, OutcomeUnmatchedReason } from './runtime/outcome-attribution.js';
export { DEFAULT_RETRY_POLICY, nextRetryAt, type RetryPolicy } from './runtime/retry.js';
export { DEFAULT_BATCH_SIZE, DEFAULT_IN_FLIGHT, type RunDueResult } from './runtime/worker.js';

// Adapters with no dependencies.
export { memoryStorage } from './adapters/memory/index.js';
export { guardStorage } from './runtime/storage-guard.js';
export { systemClock, virtualClock, type VirtualClock } from './adapters/clock/index.js';

// Sample-customer testing.
export { simulate, type SimulateOptions, type SimulatedEvent, type SimulatedOutcome, type SimulationResult, type TimelineEntry } from './simulate/simulate.js';
