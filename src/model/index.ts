export * from './status.js';
export * from './duration.js';
export * from './schema.js';
export * from './types.js';
export * from './errors.js';
export * from './goals.js';
