/** Diagnostics of `validateJourney` placed on the editor's nodes and fields. */
import type { Diagnostic } from '../validate/diagnostics.js';
import { handleId, indexSteps, isDraft } from './read-steps.js';
import type { JourneyDraft } from './types.js';


/** A diagnostic on a step. */
export interface StepDiagnostic {
  readonly diagnostic: Diagnostic;
  /** Where in the step (`['config', 'conditions', 0, 'expression']`; `[]`: the step as a whole). */
  readonly field: readonly (string | number)[];
  /** {@link field} joined by dots (`config.conditions.0.expression`), to match a form field. */
  readonly fieldKey: string;
  /** The handle whose transition it is about (an `unknown-target` on a condition), when one is. */
  readonly handle?: string;
}

/** What {@link diagnosticsByStep} returns. */
export interface DiagnosticsByStep {
  /** Node id (the step id; see `EditorNode.id`) → its diagnostics, in the validator's order. */
  readonly steps: ReadonlyMap<string, readonly StepDiagnostic[]>;
  /** Diagnostics about the journey as a whole (`name`, `entryConditions`, goals, an empty journey). */
  readonly journey: readonly Diagnostic[];
}

const TARGET_FIELDS = new Set(['targetStepId', 'defaultTargetStepId', 'timeoutTargetStepId', 'next']);

/**
 * Place each diagnostic of a validation result (`validateJourney(doc).diagnostics`) on the node
 * of the step it is in and the field in that step: `steps[3].config.conditions[0].expression` is
 * node 3, field `config.conditions.0.expression`; a diagnostic about a transition also names its
 * handle. A diagnostic outside every step is journey-level. Choosing a problem in a list can then
 * select its node and focus its field.
 *
 * @example
 * ```ts
 * const placed = diagnosticsByStep(validateJourney(doc), doc);
 * placed.steps.get('step_check_response'); // [{ diagnostic: { code: 'unknown-target', … }, fieldKey: 'config.conditions.0.targetStepId', handle: 'config.conditions.0.targetStepId' }, …]
 * ```
 */
export function diagnosticsByStep(result: { readonly diagnostics: readonly Diagnostic[] }, doc: unknown): DiagnosticsByStep {
  const steps = new Map<string, StepDiagnostic[]>();
  const journey: Diagnostic[] = [];
  const draft: JourneyDraft = isDraft(doc) ? doc : { steps: [] };
  const index = indexSteps(draft.steps);
  for (const diagnostic of result.diagnostics) {
    const path = diagnostic.path;
    let i: number | undefined;
    let rest: (string | number)[] = [];
    if (path[0] === 'steps' && typeof path[1] === 'number' && path[1] < draft.steps.length) {
      i = path[1];
      rest = path.slice(2);
    } else if (diagnostic.stepId !== undefined) {
      i = index.byStepId.get(diagnostic.stepId);
    }
    if (i === undefined) {
      journey.push(diagnostic);
      continue;
    }
    const last = rest[rest.length - 1];
    const onTarget = typeof last === 'string' && TARGET_FIELDS.has(last);
    const placed: StepDiagnostic = {
      diagnostic,
      field: rest,
      fieldKey: rest.join('.'),
      ...(onTarget ? { handle: handleId({ kind: last === 'next' ? 'next' : 'condition', path: rest }) } : {}),
    };
    const nodeId = index.nodeIds[i]!;
    const list = steps.get(nodeId);
    if (list === undefined) steps.set(nodeId, [placed]);
    else list.push(placed);
  }
  return { steps, journey };
}
