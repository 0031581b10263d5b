import type { JourneyDocument } from '../model/types.js';
import type { CustomerSchema } from './expression/customer-schema.js';

/**
 * Every code {@link validateJourney} can report, in a stable order. Switch on these; the
 * message text may change between releases, the codes do not.
 *
 * Errors: `invalid-field`, `unknown-field`, `empty-journey`, `duplicate-step-id`,
 * `unknown-target`, `unreachable-step`, `instant-loop`, `invalid-expression`,
 * `unknown-identifier`, `unknown-result-source`, `duplicate-result-name`,
 * `exceeds-max-duration`, `invalid-time-zone`, `empty-window`, `split-without-weight`,
 * `duplicate-variant-label`, `duplicate-goal-id`, `type-mismatch`. Warnings: `result-maybe-missing`, `branch-without-conditions`,
 * `path-exceeds-max-duration`, `until-in-the-past`, `re-entry-after-days-ignored`,
 * `unknown-attribute`, `never-true` (`type-mismatch`, `unknown-attribute` and `never-true` are
 * reported only with a `customerSchema`).
 *
 * See docs/validation.md for an example and the fix for each one.
 */
export const DIAGNOSTIC_CODES = [
  'invalid-field',
  'unknown-field',
  'empty-journey',
  'duplicate-step-id',
  'unknown-target',
  'unreachable-step',
  'instant-loop',
  'invalid-expression',
  'unknown-identifier',
  'unknown-result-source',
  'result-maybe-missing',
  'duplicate-result-name',
  'exceeds-max-duration',
  'branch-without-conditions',
  'path-exceeds-max-duration',
  'invalid-time-zone',
  'empty-window',
  'until-in-the-past',
  'split-without-weight',
  'duplicate-variant-label',
  'duplicate-goal-id',
  're-entry-after-days-ignored',
  'type-mismatch',
  'unknown-attribute',
  'never-true',
] as const;

/** One of {@link DIAGNOSTIC_CODES}. */
export type DiagnosticCode = (typeof DIAGNOSTIC_CODES)[number];

/** How bad a diagnostic is: errors block activation, warnings do not. */
export type DiagnosticSeverity = 'error' | 'warning';

/** A path into the validated input: object keys and array indices. */
export type DiagnosticPath = (string | number)[];

/** One problem found in a journey document. */
export interface Diagnostic {
  /** Stable machine-readable code. */
  code: DiagnosticCode;
  severity: DiagnosticSeverity;
  /** What is wrong and what to do about it. */
  message: string;
  /** The id of the step the problem is in, when there is one. */
  stepId?: string;
  /** Where in the INPUT the problem is, e.g. `['steps', 3, 'config', 'conditions', 0, 'expression']`. */
  path: DiagnosticPath;
}

/** The outcome of {@link validateJourney}. */
export interface ValidationResult {
  /** `true` when there is no error diagnostic (warnings allowed). */
  valid: boolean;
  /** Every problem found, sorted by where it appears in the input. */
  diagnostics: Diagnostic[];
  /**
   * The parsed document (defaults filled in). Present whenever the schema parse succeeded, even
   * when graph analyses found errors: a draft may be saved with errors.
   */
  journey?: JourneyDocument;
}

/** Options for {@link validateJourney}. */
export interface ValidateOptions {
  /**
   * Root identifiers branch expressions may name. Defaults to the expression module's
   * `EXPRESSION_ROOTS` (`outcome`, `outcomes`, `customer`, `segments`, `results`, `journey`,
   * `enrollment`).
   */
  readonly roots?: readonly string[];
  /**
   * The instant (epoch ms) to check time-dependent rules against, such as a wait `until` an
   * instant already past (`until-in-the-past`). Validation stays pure: without `now` those checks
   * are skipped. The engine passes its clock's `now` when it saves or activates a journey.
   */
  readonly now?: number;
  /**
   * The host's customer attributes — a zod schema or a JSON Schema of the `customer` object.
   * With it, every expression is type-checked (`type-mismatch`, `unknown-attribute`,
   * `never-true`) and every `set_attribute` value is checked against its attribute's type.
   * Without it those checks are skipped. See docs/validation.md, "Typed expressions".
   */
  readonly customerSchema?: CustomerSchema;
}

const SEVERITY: Readonly<Record<DiagnosticCode, DiagnosticSeverity>> = Object.freeze({
  'invalid-field': 'error',
  'unknown-field': 'error',
  'empty-journey': 'error',
  'duplicate-step-id': 'error',
  'unknown-target': 'error',
  'unreachable-step': 'error',
  'instant-loop': 'error',
  'invalid-expression': 'error',
  'unknown-identifier': 'error',
  'unknown-result-source': 'error',
  'result-maybe-missing': 'warning',
  'duplicate-result-name': 'error',
  'exceeds-max-duration': 'error',
  'branch-without-conditions': 'warning',
  'path-exceeds-max-duration': 'warning',
  'invalid-time-zone': 'error',
  'empty-window': 'error',
  'until-in-the-past': 'warning',
  'split-without-weight': 'error',
  'duplicate-variant-label': 'error',
  'duplicate-goal-id': 'error',
  're-entry-after-days-ignored': 'warning',
  'type-mismatch': 'error',
  'unknown-attribute': 'warning',
  'never-true': 'warning',
});

/** Whether `code` is one of {@link DIAGNOSTIC_CODES}. */
export function isDiagnosticCode(code: unknown): code is DiagnosticCode {
  return typeof code === 'string' && Object.hasOwn(SEVERITY, code);
}

/** The severity a code is always reported with. */
export function severityOf(code: DiagnosticCode): DiagnosticSeverity {
  return SEVERITY[code];
}

/** Build a diagnostic with its code's severity; `stepId` is omitted when undefined. */
export function diagnostic(code: DiagnosticCode, message: string, path: DiagnosticPath, stepId?: string): Diagnostic {
  const d: Diagnostic = { code, severity: SEVERITY[code], message, path };
  if (stepId !== undefined) d.stepId = stepId;
  return d;
}
