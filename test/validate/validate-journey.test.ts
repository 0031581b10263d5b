import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { DIAGNOSTIC_CODES, resolveTransitions, validateJourney } from '../../src/validate/index.js';
import type { Diagnostic, DiagnosticCode } from '../../src/validate/index.js';
import { branch, decide, journey, send, update, wait } from './helpers.js';

const example = (name: string): unknown =>
  JSON.parse(readFileSync(new URL(`../../examples/journeys/${name}`, import.meta.url), 'utf8'));

const codes = (input: unknown, options?: Parameters<typeof validateJourney>[1]): DiagnosticCode[] =>
  validateJourney(input, options).diagnostics.map((d) => d.code);

const only = (input: unknown, code: DiagnosticCode): Diagnostic[] =>
  validateJourney(input).diagnostics.filter((d) => d.code === code);

describe('the examples', () => {
  it('loan-nurture.json is valid with zero diagnostics', () => {
    const result = validateJourney(example('loan-nurture.json'));
    expect(result.diagnostics).toEqual([]);
    expect(result.valid).toBe(true);
    expect(result.journey?.steps).toHaveLength(10);
  });

  it("the seed's own example yields exactly its two unknown targets, and still parses", () => {
    const result = validateJourney(example('loan-nurture.seed.json'));
    expect(result.valid).toBe(false);
    expect(result.diagnostics.map((d) => [d.code, d.severity, d.stepId, d.path])).toEqual([
      ['unknown-target', 'error', 'step_check_response', ['steps', 3, 'config', 'conditions', 0, 'targetStepId']],
      ['unknown-target', 'error', 'step_check_response', ['steps', 3, 'config', 'defaultTargetStepId']],
    ]);
    expect(result.diagnostics[0]!.message).toContain('"step_end"');
    expect(result.diagnostics[1]!.message).toContain('"step_followup"');
    expect(result.journey?.name).toBe('Personal Loan Nurture');
  });
});

describe('invalid-field', () => {
  it('points at the field and says how to fix a quoted number', () => {
    const [d, ...rest] = validateJourney(journey([wait('w', '3' as unknown as number)])).diagnostics;
    expect(rest).toEqual([]);
    expect(d).toMatchObject({ code: 'invalid-field', severity: 'error', stepId: 'w', path: ['steps', 0, 'config', 'duration'] });
    expect(d!.message).toMatch(/must be a number.*without quotes/);
  });

  it('reports a missing required field', () => {
    const input = journey([send('s')]);
    delete input['name'];
    const ds = only(input, 'invalid-field');
    expect(ds).toMatchObject([{ path: ['name'] }]);
    expect(ds[0]!.message).toMatch(/"name" is required/);
  });

  it('lists the step types when a type is unknown', () => {
    const ds = only(journey([{ id: 'x', type: 'email', config: {} }]), 'invalid-field');
    expect(ds).toMatchObject([{ path: ['steps', 0, 'type'], stepId: 'x' }]);
    expect(ds[0]!.message).toContain('"wait", "decide", "branch", "send", "update"');
  });

  it('explains bounds, enums and update operation types', () => {
    const ds = only(
      journey(
        [
          wait('w', 3, 'weeks'),
          { id: 'u', type: 'update', config: { operations: [{ type: 'rename', key: 'a' }] } },
        ],
        { maxDuration: 400 },
      ),
      'invalid-field',
    );
    expect(ds.map((d) => d.path)).toEqual([
      ['maxDuration'],
      ['steps', 0, 'config', 'unit'],
      ['steps', 1, 'config', 'operations', 0, 'type'],
    ]);
    expect(ds[0]!.message).toMatch(/at most 365/);
    expect(ds[1]!.message).toContain('"minutes", "hours", "days"');
    expect(ds[2]!.message).toContain('"set_attribute"');
  });

  it('reports a refinement (a wait longer than a year)', () => {
    expect(only(journey([wait('w', 400)]), 'invalid-field')).toMatchObject([
      { path: ['steps', 0, 'config', 'duration'], message: expect.stringMatching(/365 days/) },
    ]);
  });

  it('rejects a document that is not an object', () => {
    for (const input of [null, 42, 'journey', [], undefined]) {
      expect(validateJourney(input).diagnostics).toMatchObject([{ code: 'invalid-field', path: [] }]);
    }
  });

  it('reports unreadable input at the root instead of throwing', () => {
    const throwing = { name: 'x', maxDuration: 3, get steps(): never { throw new Error('boom'); } };
    const cyclic: Record<string, unknown> = { name: 'x', maxDuration: 3 };
    cyclic['steps'] = [{ id: 'u', type: 'update', config: { operations: [{ type: 'set_attribute', key: 'k', value: cyclic }] } }];
    const proxy = new Proxy({}, { get() { throw new Error('trap'); }, ownKeys() { throw new Error('trap'); } });
    for (const input of [throwing, cyclic, proxy]) {
      const result = validateJourney(input);
      expect(result.valid).toBe(false);
      expect(result.diagnostics.some((d) => d.code === 'invalid-field')).toBe(true);
    }
    expect(validateJourney(cyclic).diagnostics).toMatchObject([
      { code: 'invalid-field', path: ['steps', 0, 'config', 'operations', 0, 'value'], message: expect.stringContaining('cycles') },
    ]);
    expect(validateJourney(throwing).diagnostics).toMatchObject([{ code: 'invalid-field', path: [], message: expect.stringContaining('boom') }]);
  });

  it('refuses more than 10,000 steps without parsing each one', () => {
    const steps = Array.from({ length: 10_001 }, (_, i) => update(`s${i}`));
    expect(validateJourney(journey(steps)).diagnostics).toMatchObject([{ code: 'invalid-field', path: ['steps'] }]);
  });
});

describe('unknown-field', () => {
  it('reports each unknown key with its path and suggests the closest known key', () => {
    const ds = only(journey([{ ...wait('w'), config: { duraton: 3, unit: 'days', colour: 'red' } }]), 'unknown-field');
    expect(ds.map((d) => d.path)).toEqual([
      ['steps', 0, 'config', 'colour'],
      ['steps', 0, 'config', 'duraton'],
    ]);
    expect(ds[1]!.message).toContain('did you mean "duration"?');
    expect(ds[0]!.message).not.toContain('did you mean');
    expect(ds[0]!.message).toContain('"duration", "unit"');
  });

  it('works at the top level and inside a union member', () => {
    const input = journey([{ id: 'u', type: 'update', config: { operations: [{ type: 'add_segment', segmnet: 'a', segment: 'b' }] } }], {
      maxDurration: 3,
    });
    const ds = only(input, 'unknown-field');
    expect(ds.map((d) => [d.path, d.message.match(/did you mean "(\w+)"/)?.[1]])).toEqual([
      [['steps', 0, 'config', 'operations', 0, 'segmnet'], 'segment'],
      [['maxDurration'], 'maxDuration'],
    ]);
  });
});

describe('empty-journey', () => {
  it('reports a journey without steps', () => {
    const result = validateJourney(journey([]));
    expect(result.diagnostics).toMatchObject([{ code: 'empty-journey', path: ['steps'], severity: 'error' }]);
    expect(result.journey?.steps).toEqual([]);
  });
});

describe('duplicate-step-id', () => {
  it('reports every later occurrence and resolves targets to the first', () => {
    const ds = validateJourney(journey([send('a'), wait('b'), update('a', { next: null })])).diagnostics;
    expect(ds).toMatchObject([{ code: 'duplicate-step-id', path: ['steps', 2, 'id'], stepId: 'a' }]);
    expect(ds[0]!.message).toContain('steps[0]');
  });
});

describe('unknown-target', () => {
  it('covers next, condition targets and default targets, with a suggestion', () => {
    const ds = only(journey([branch('b', ['nowhere'], 'step_ed'), send('step_end', {}, { next: 'gone' })]), 'unknown-target');
    expect(ds.map((d) => d.path)).toEqual([
      ['steps', 0, 'config', 'conditions', 0, 'targetStepId'],
      ['steps', 0, 'config', 'defaultTargetStepId'],
      ['steps', 1, 'next'],
    ]);
    expect(ds[1]!.message).toContain('Did you mean "step_end"?');
  });
});

describe('unreachable-step', () => {
  it('reports steps no transition reaches from the first step', () => {
    const input = journey([send('a', {}, { next: 'c' }), update('b'), update('c'), update('d', { next: null }), update('e')]);
    expect(only(input, 'unreachable-step').map((d) => d.stepId)).toEqual(['b', 'e']);
  });

  it('follows the normal transition of a branch without a default', () => {
    const input = journey([branch('a', ['c']), update('b', { next: null }), update('c')]);
    expect(codes(input)).toEqual([]);
    const withDefault = journey([branch('a', ['c'], 'c'), update('b', { next: null }), update('c')]);
    expect(only(withDefault, 'unreachable-step').map((d) => d.stepId)).toEqual(['b']);
  });
});

describe('instant-loop', () => {
  it('reports a cycle with no wait once, naming its steps', () => {
    const input = journey([send('a'), update('b'), branch('c', ['a'], 'd'), update('d', { next: null })]);
    const ds = only(input, 'instant-loop');
    expect(ds).toMatchObject([{ path: ['steps', 0], stepId: 'a' }]);
    expect(ds[0]!.message).toContain('"a", "b", "c"');
  });

  it('reports a step that leads back to itself', () => {
    expect(only(journey([send('a', {}, { next: 'a' })]), 'instant-loop')).toMatchObject([{ stepId: 'a' }]);
  });

  it('accepts a loop through a wait step (only warning that going round it has no upper bound)', () => {
    expect(codes(journey([send('a'), wait('w'), branch('c', ['a'], 'd'), update('d', { next: null })]))).toEqual(['path-exceeds-max-duration']);
  });
});

describe('expressions', () => {
  it('invalid-expression carries the detail code and index, path ends at expression', () => {
    const input = journey([{ id: 'b', type: 'branch', config: { conditions: [{ expression: 'outcome ==', targetStepId: 'e' }] } }, update('e')]);
    const ds = validateJourney(input).diagnostics;
    expect(ds).toMatchObject([{ code: 'invalid-expression', stepId: 'b', path: ['steps', 0, 'config', 'conditions', 0, 'expression'] }]);
    expect(ds[0]!.message).toMatch(/syntax, character 10/);
  });

  it('unknown-identifier for a root outside the scope, unless options.roots allows it', () => {
    const input = journey([{ id: 'b', type: 'branch', config: { conditions: [{ expression: "plan == 'gold'", targetStepId: 'e' }] } }, update('e')]);
    expect(validateJourney(input).diagnostics).toMatchObject([
      { code: 'unknown-identifier', path: ['steps', 0, 'config', 'conditions', 0, 'expression'], message: expect.stringContaining('plan') },
    ]);
    expect(codes(input, { roots: ['plan'] })).toEqual([]);
  });

  it('still checks expressions when another step fails the schema', () => {
    const input = journey([{ id: 'b', type: 'branch', config: { conditions: [{ expression: 'nope', targetStepId: 'e' }] } }, wait('e', -1)]);
    expect(codes(input)).toEqual(['unknown-identifier', 'invalid-field']);
  });
});

describe('result names', () => {
  it('unknown-result-source when no decide has that id or storeResultAs', () => {
    const ds = only(journey([decide('d', { storeResultAs: 'loan_offer' }), send('s', { resultSource: 'loan_ofer' })]), 'unknown-result-source');
    expect(ds).toMatchObject([{ path: ['steps', 1, 'config', 'resultSource'], stepId: 's' }]);
    expect(ds[0]!.message).toContain('Did you mean "loan_offer"?');
  });

  it('accepts a decide id or its storeResultAs', () => {
    expect(codes(journey([decide('d', { storeResultAs: 'k' }), send('s1', { resultSource: 'd' }), send('s2', { resultSource: 'k' })]))).toEqual([]);
  });

  it('result-maybe-missing warns when a path skips the decide', () => {
    const input = journey([branch('b', ['s'], 'd'), decide('d'), send('s', { resultSource: 'd' })]);
    const result = validateJourney(input);
    expect(result.valid).toBe(true);
    expect(result.diagnostics).toMatchObject([{ code: 'result-maybe-missing', severity: 'warning', stepId: 's', path: ['steps', 2, 'config', 'resultSource'] }]);
  });

  it('duplicate-result-name for two decides under one key, and a key equal to another decide id', () => {
    const input = journey([
      decide('d1', { storeResultAs: 'offer' }),
      decide('d2', { storeResultAs: 'offer' }),
      decide('d3', { storeResultAs: 'd1' }),
      send('s', { resultSource: 'd2' }, { next: null }),
    ]);
    const ds = only(input, 'duplicate-result-name');
    expect(ds.map((d) => [d.stepId, d.path])).toEqual([
      ['d2', ['steps', 1, 'config', 'storeResultAs']],
      ['d3', ['steps', 2, 'config', 'storeResultAs']],
    ]);
  });
});

describe('exceeds-max-duration', () => {
  it('errors when the shortest path to an end waits longer than maxDuration', () => {
    const input = journey([wait('w1', 20), wait('w2', 2), update('u')], { maxDuration: 21 });
    const ds = validateJourney(input).diagnostics;
    expect(ds).toMatchObject([{ code: 'exceeds-max-duration', path: ['maxDuration'] }]);
    expect(ds[0]!.message).toMatch(/22 days.*21 days.*max-duration/);
  });

  it('is fine when some path is short enough, or the waits are in hours', () => {
    // The 40-day path still warns: customers who take it exit before its end.
    expect(codes(journey([branch('b', ['u'], 'w'), wait('w', 40), update('u')], { maxDuration: 21 }))).toEqual(['path-exceeds-max-duration']);
    expect(codes(journey([wait('w', 48, 'hours'), update('u')], { maxDuration: 2 }))).toEqual([]);
  });

  it('errors when no path ends at all', () => {
    expect(only(journey([send('a'), wait('w', 1, 'days', { next: 'a' })]), 'exceeds-max-duration')).toHaveLength(1);
  });
});

describe('path-exceeds-max-duration', () => {
  it('warns when some path to an end waits longer than maxDuration, though the quickest fits: 7 + 7 + 30 days in 21', () => {
    const input = journey([wait('w1', 7), wait('w2', 7), branch('b', ['u'], 'w3'), wait('w3', 30), update('u')], { maxDuration: 21 });
    const result = validateJourney(input);
    expect(result.valid).toBe(true);
    expect(result.diagnostics).toMatchObject([{ code: 'path-exceeds-max-duration', severity: 'warning', path: ['maxDuration'] }]);
    expect(result.diagnostics[0]!.message).toMatch(/44 days.*21 days/);
    expect(result.diagnostics[0]!.message).toContain('"w3"');
  });

  it('is quiet when every path fits, the longest exactly at maxDuration included', () => {
    expect(codes(journey([wait('w1', 7), branch('b', ['u'], 'w2'), wait('w2', 14), update('u')], { maxDuration: 21 }))).toEqual([]);
  });

  it('is not reported on top of exceeds-max-duration', () => {
    expect(codes(journey([wait('w1', 30), branch('b', ['u'], 'w2'), wait('w2', 30), update('u')], { maxDuration: 21 }))).toEqual(['exceeds-max-duration']);
  });

  it('names a loop through a wait that can reach an end: its path has no upper bound', () => {
    const input = journey([send('s'), wait('w', 2), branch('b', ['u'], 's'), update('u')], { maxDuration: 21 });
    const ds = only(input, 'path-exceeds-max-duration');
    expect(ds).toMatchObject([{ severity: 'warning', stepId: 's', path: ['steps', 0] }]);
    expect(ds[0]!.message).toMatch(/"s", "w", "b"/);
    expect(ds[0]!.message).toMatch(/without bound/);
  });
});

describe('branch-without-conditions', () => {
  it('warns about a branch with an empty condition list', () => {
    const result = validateJourney(journey([branch('b', [], 'u'), update('u')]));
    expect(result.valid).toBe(true);
    expect(result.diagnostics).toMatchObject([{ code: 'branch-without-conditions', severity: 'warning', path: ['steps', 0, 'config', 'conditions'] }]);
  });
});

describe('entryConditions.reEntry and reEntryAfterDays', () => {
  const entry = (entryConditions: unknown) => journey([wait('w')], { entryConditions });

  it('accepts both reEntry values and reEntryAfterDays from 0 to 3,650', () => {
    for (const conditions of [{ reEntry: 'after-exit' }, { reEntry: 'never' }, { reEntryAfterDays: 0 }, { reEntryAfterDays: 3650 }, { reEntry: 'after-exit', reEntryAfterDays: 7.5 }]) {
      const result = validateJourney(entry(conditions));
      expect(result.diagnostics).toEqual([]);
      expect(result.journey?.entryConditions).toEqual(conditions);
    }
  });

  it('reports a bad reEntry with its path and the allowed values', () => {
    const ds = only(entry({ reEntry: 'sometimes' }), 'invalid-field');
    expect(ds).toMatchObject([{ path: ['entryConditions', 'reEntry'], severity: 'error' }]);
    expect(ds[0]!.message).toContain('"after-exit", "never"');
  });

  it('reports reEntryAfterDays out of bounds, not finite or quoted, with its path', () => {
    for (const [value, pattern] of [
      [-1, /at least 0/],
      [3651, /at most 3650/],
      [Number.POSITIVE_INFINITY, /finite/],
      ['7', /without quotes/],
    ] as const) {
      const ds = only(entry({ reEntryAfterDays: value }), 'invalid-field');
      expect(ds).toMatchObject([{ path: ['entryConditions', 'reEntryAfterDays'] }]);
      expect(ds[0]!.message).toMatch(pattern);
    }
  });

  it('suggests the field for a typo', () => {
    const ds = only(entry({ reEntryAfterDay: 3 }), 'unknown-field');
    expect(ds).toMatchObject([{ path: ['entryConditions', 'reEntryAfterDay'] }]);
    expect(ds[0]!.message).toContain('did you mean "reEntryAfterDays"?');
  });

  it('warns re-entry-after-days-ignored when reEntry is "never" and reEntryAfterDays is set', () => {
    const result = validateJourney(entry({ reEntry: 'never', reEntryAfterDays: 30 }));
    expect(result.valid).toBe(true);
    expect(result.diagnostics).toMatchObject([{ code: 're-entry-after-days-ignored', severity: 'warning', path: ['entryConditions', 'reEntryAfterDays'] }]);
    expect(result.diagnostics[0]!.message).toMatch(/never applies.*Remove reEntryAfterDays/);
    expect(codes(entry({ reEntry: 'after-exit', reEntryAfterDays: 30 }))).toEqual([]);
    expect(codes(entry({ reEntry: 'never' }))).toEqual([]);
  });
});

describe('the result', () => {
  it('sorts diagnostics by where they appear in the document', () => {
    const input = { steps: [wait('w', 0), { ...send('a'), config: { channelId: 1 } }], maxDuration: 0, zzz: 1 };
    const paths = validateJourney(input).diagnostics.map((d) => d.path.join('.'));
    expect(paths).toEqual(['name', 'maxDuration', 'steps.0.config.duration', 'steps.1.config.channelId', 'zzz']);
    const graph = journey([send('a', {}, { next: 'x' }), update('a', { next: 'y' })]);
    expect(validateJourney(graph).diagnostics.map((d) => `${d.code}@${d.path.join('.')}`)).toEqual([
      'unknown-target@steps.0.next',
      'unreachable-step@steps.1',
      'duplicate-step-id@steps.1.id',
      'unknown-target@steps.1.next',
    ]);
  });

  it('every code is listed in DIAGNOSTIC_CODES', () => {
    expect(new Set(DIAGNOSTIC_CODES).size).toBe(DIAGNOSTIC_CODES.length);
    expect(DIAGNOSTIC_CODES).toContain('result-maybe-missing');
  });

  it('returns the parsed journey even when graph analyses fail', () => {
    const result = validateJourney(journey([send('a', {}, { next: 'b' })]));
    expect(result.valid).toBe(false);
    expect(result.journey?.description).toBe('');
    expect(result.journey?.status).toBe('draft');
  });
});

describe('resolveTransitions', () => {
  it('uses next, else the following step, else the end', () => {
    expect(resolveTransitions([{ id: 'a' }, { id: 'b', next: 'a' }, { id: 'c', next: null }, { id: 'd' }])).toEqual(['b', 'a', null, null]);
  });
});
