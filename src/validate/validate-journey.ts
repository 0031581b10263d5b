import type { AnalysisContext } from './analyses/context.js';
import { checkDuplicateStepIds } from './analyses/duplicate-step-ids.js';
import { checkEmptyJourney } from './analyses/empty-journey.js';
import { checkExpressions } from './analyses/expressions.js';
import { checkExpressionTypes } from './analyses/expression-types.js';
import { checkInstantLoops } from './analyses/instant-loops.js';
import { checkGoals } from './analyses/goals.js';
import { checkKindRules } from './analyses/kind-checks.js';
import { checkMaxDuration } from './analyses/max-duration.js';
import { checkReEntry } from './analyses/re-entry.js';
import { checkResultSources } from './analyses/result-sources.js';
import { checkUnknownTargets } from './analyses/unknown-targets.js';
import { checkUnreachableSteps } from './analyses/unreachable-steps.js';
import { diagnostic } from './diagnostics.js';
import type { Diagnostic, ValidateOptions, ValidationResult } from './diagnostics.js';
import { buildGraph } from './graph.js';
import { sortDiagnostics } from './path-order.js';
import { parseJourneyDocument } from './schema-diagnostics.js';

/** Graph analyses, in the order they run (later ones may look at earlier findings). */
const GRAPH_ANALYSES: readonly ((ctx: AnalysisContext) => void)[] = [
  checkEmptyJourney,
  checkDuplicateStepIds,
  checkUnknownTargets,
  checkUnreachableSteps,
  checkInstantLoops,
  checkKindRules,
  checkGoals,
  checkResultSources,
  checkMaxDuration,
  checkReEntry,
  checkExpressionTypes,
];

function describeThrown(error: unknown): string {
  try {
    const text = error instanceof Error ? error.message : String(error);
    return text.length > 200 ? `${text.slice(0, 200)}…` : text;
  } catch {
    return 'reading it threw';
  }
}

function validate(input: unknown, options: ValidateOptions): ValidationResult {
  const parsed = parseJourneyDocument(input);
  const diagnostics: Diagnostic[] = parsed.diagnostics;
  checkExpressions(parsed.steps, options, diagnostics, parsed.journey?.goals);
  const journey = parsed.journey;
  if (journey) {
    const ctx: AnalysisContext = { journey, steps: journey.steps, graph: buildGraph(journey.steps), options, out: diagnostics };
    for (const analysis of GRAPH_ANALYSES) analysis(ctx);
  }
  sortDiagnostics(diagnostics);
  const result: ValidationResult = { valid: !diagnostics.some((d) => d.severity === 'error'), diagnostics };
  if (journey) result.journey = journey;
  return result;
}

/**
 * Validate a journey document: schema (every field, with a path into the input), structure
 * (step ids, transition targets, reachability, loops without a wait, result names, total wait
 * versus `maxDuration`) and branch expressions. Never throws, whatever the input; a value that
 * cannot even be read (a throwing getter, a Proxy, a cyclic structure) is one `invalid-field`
 * diagnostic at the root. Linear in the number of steps and transitions.
 *
 * `journey` is present whenever the schema parse succeeded, even with graph errors (a draft may
 * be saved with errors); `valid` is true when there is no error diagnostic.
 *
 * @example
 * ```ts
 * import { validateJourney } from 'journey-engine';
 *
 * const result = validateJourney(JSON.parse(text));
 * for (const d of result.diagnostics) {
 *   console.log(`${d.severity} ${d.code} at ${d.stepId ?? d.path.join('.')}: ${d.message}`);
 * }
 * if (result.valid) activate(result.journey!);
 * ```
 */
export function validateJourney(input: unknown, options: ValidateOptions = {}): ValidationResult {
  try {
    return validate(input, options ?? {});
  } catch (error) {
    return {
      valid: false,
      diagnostics: [
        diagnostic(
          'invalid-field',
          `The input could not be read as a journey document (${describeThrown(error)}). Pass plain JSON data: no getters that throw, Proxies or cyclic references.`,
          [],
        ),
      ],
    };
  }
}
