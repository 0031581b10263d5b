/**
 * Property names no expression may name. Evaluation reads own properties only (see
 * compile-path.ts), so these are defence in depth: they are refused at compile time, and since
 * member keys are compile-time constants they can never be read at evaluation either.
 */
export const FORBIDDEN_PROPERTIES: ReadonlySet<string> = new Set([
  '__proto__',
  'constructor',
  'prototype',
  '__defineGetter__',
  '__defineSetter__',
  '__lookupGetter__',
  '__lookupSetter__',
  'caller',
  'callee',
  'arguments',
]);
