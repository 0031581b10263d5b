import { afterEach, describe, expect, it } from 'vitest';
import { STEP_KINDS } from '../../src/model/steps/index.js';
import type { StepFinding } from '../../src/model/steps/index.js';
import { isDiagnosticCode, validateJourney } from '../../src/validate/index.js';
import { update, journey, wait } from './helpers.js';

type Checked = { check?: (step: unknown) => StepFinding[] };
const updateKind = STEP_KINDS.update as unknown as Checked;

describe("a kind's own rules (its model's check)", () => {
  afterEach(() => {
    delete updateKind.check;
  });

  it('are reported as diagnostics at the step path plus the finding path, with the code severity and step id', () => {
    updateKind.check = () => [
      { code: 'branch-without-conditions', message: 'a warning', path: ['config', 'operations'] },
      { code: 'duplicate-step-id', message: 'an error', path: ['config', 'operations', 0] },
    ];
    const result = validateJourney(journey([wait('w'), update('u')]));
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.stepId, d.path, d.message])).toEqual([
      ['branch-without-conditions', 'warning', 'u', ['steps', 1, 'config', 'operations'], 'a warning'],
      ['duplicate-step-id', 'error', 'u', ['steps', 1, 'config', 'operations', 0], 'an error'],
    ]);
    expect(result.valid).toBe(false);
  });

  it('a finding with a code that is no diagnostic code is still reported, as invalid-field', () => {
    updateKind.check = () => [{ code: 'no-such-code', message: 'oops', path: [] }];
    expect(validateJourney(journey([update('u')])).diagnostics.map((d) => [d.code, d.path])).toEqual([['invalid-field', ['steps', 0]]]);
  });

  it('isDiagnosticCode knows the codes and nothing inherited', () => {
    expect(isDiagnosticCode('instant-loop')).toBe(true);
    expect(isDiagnosticCode('constructor')).toBe(false);
    expect(isDiagnosticCode('toString')).toBe(false);
  });
});
