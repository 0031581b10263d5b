import { kindOf } from '../../model/steps/index.js';
import { diagnostic, isDiagnosticCode } from '../diagnostics.js';
import type { AnalysisContext } from './context.js';

/**
 * The rules a step kind checks itself (its model's `check`, src/model/steps/): each finding
 * becomes a diagnostic with its code's severity at `steps[i]` plus the finding's path. A finding
 * whose code is not a diagnostic code (a kind's bug) is still reported, as `invalid-field`.
 */
export function checkKindRules({ steps, out }: AnalysisContext): void {
  for (let i = 0; i < steps.length; i++) {
    const step = steps[i]!;
    const findings = kindOf(step).check?.(step);
    if (findings === undefined) continue;
    for (const f of findings) {
      out.push(diagnostic(isDiagnosticCode(f.code) ? f.code : 'invalid-field', f.message, ['steps', i, ...f.path], step.id));
    }
  }
}
