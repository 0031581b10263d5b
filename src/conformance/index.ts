/**
 * `journey-engine/conformance`: the storage conformance suite and the model-based test, for
 * adapter authors. Both take the host's test functions, so they run under vitest, jest or
 * node:test, and import no test runner. See docs/storage.md, "Writing an adapter".
 */
export { describeStorageConformance, type ConformanceOptions, type StorageFactory } from './suite.js';
export { describeStorageModel, type ModelOptions } from './model.js';
export {
  assertExpect,
  type ConformanceAssertion,
  type ConformanceExpect,
  type ConformanceMatchers,
  type ConformanceTestApi,
} from './api.js';
