/**
 * Test doubles for hosts' own tests: recording channels, scripted decision flows, in-memory
 * profiles — plus the virtual clock and in-memory storage, re-exported for convenience.
 *
 * @example
 * import { recordingChannels, scriptedDecisions, memoryProfiles, virtualClock, memoryStorage } from 'journey-engine/testing';
 *
 * @packageDocumentation
 */
export * from './adapters/testing/index.js';
export { virtualClock, type VirtualClock } from './adapters/clock/index.js';
export { memoryStorage } from './adapters/memory/index.js';
export { simulate } from './simulate/simulate.js';
