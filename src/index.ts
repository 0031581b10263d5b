/**
 * journey-engine — run customer journeys: a pure interpreter over typed journey graphs, with
 * pluggable storage, clock, decision-flow, channel and profile adapters.
 *
 * @packageDocumentation
 */
export * from './model/index.js';
export type * from './runtime/types.js';
export type * from './runtime/ports.js';
export { ENROLLMENT_STATUSES, OUTCOME_TYPES } from './runtime/types.js';
