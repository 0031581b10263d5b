import { kindOf } from '../../model/steps/index.js';
import { diagnostic, isDiagnosticCode } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';

/**
 * The checks each kind makes of its own parsed steps (`StepKindModel.check`, src/model/steps/),
 * given the validator's `now`. A finding whose code is not a diagnostic code is reported as
 * `invalid-field`.
 */
export function checkKindRules({ steps, options, out }: AnalysisContext): void {
  const context = options.now === undefined ? {} : { now: options.now };
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const check = kindOf(step).check;
    if (check === undefined) continue;
    for (const finding of check(step, context)) {
      const code = isDiagnosticCode(finding.code) ? finding.code : 'invalid-field';
      out.push(diagnostic(code, finding.message, ['steps', i, ...finding.path], step.id));
    }
  }
}
