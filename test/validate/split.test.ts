import { describe, expect, it } from 'vitest';
import { FAST_PATH_ENABLED, fastParseStep } from '../../src/validate/fast-steps.js';
import { validateJourney } from '../../src/validate/index.js';
import type { Diagnostic } from '../../src/validate/index.js';
import { branch, journey, send, wait, type RawStep } from './helpers.js';

const variant = (label: string, weight: number, targetStepId: string | null): RawStep => ({ label, weight, targetStepId });
const split = (id: string, variants: unknown[], config: RawStep = {}, extra: RawStep = {}): RawStep => ({ id, type: 'split', config: { variants, ...config }, ...extra });
const AB = [variant('A', 45, 'a'), variant('B', 45, 'b'), variant('Holdout', 10, null)];
const experiment = (s: RawStep = split('s', AB, { salt: '2026-q1' })) => journey([s, send('a', {}, { next: null }), send('b', {}, { next: null })]);

const found = (input: unknown): [string, string, string | undefined, Diagnostic['path']][] =>
  validateJourney(input).diagnostics.map((d) => [d.code, d.severity, d.stepId, d.path]);

describe('split step: validation', () => {
  it('the issue’s document shape is valid with zero diagnostics, salt optional', () => {
    const result = validateJourney(experiment());
    expect(result.diagnostics).toEqual([]);
    expect(result.journey?.steps[0]).toEqual({ id: 's', type: 'split', config: { salt: '2026-q1', variants: AB } });
    expect(found(experiment(split('s', AB)))).toEqual([]);
  });

  it('is parsed by zod: the fast path leaves it alone and stays enabled', () => {
    expect(FAST_PATH_ENABLED).toBe(true);
    expect(fastParseStep(split('s', AB))).toBeUndefined();
  });

  it.each([
    ['an empty label', [variant('', 1, null)], ['config', 'variants', 0, 'label']],
    ['a label over 255 characters', [variant('x'.repeat(256), 1, null)], ['config', 'variants', 0, 'label']],
    ['a negative weight', [variant('A', -1, null)], ['config', 'variants', 0, 'weight']],
    ['a weight as a string', [variant('A', '45' as unknown as number, null)], ['config', 'variants', 0, 'weight']],
    ['a weight over 1,000,000', [variant('A', 1_000_001, null)], ['config', 'variants', 0, 'weight']],
    ['a bad target id', [variant('A', 1, 'a:b')], ['config', 'variants', 0, 'targetStepId']],
    ['a missing target', [{ label: 'A', weight: 1 }], ['config', 'variants', 0, 'targetStepId']],
    ['21 variants', Array.from({ length: 21 }, (_, i) => variant(`v${i}`, 1, null)), ['config', 'variants']],
  ])('refuses %s (invalid-field with the path)', (_, variants, path) => {
    expect(found(journey([split('s', variants)]))).toEqual([['invalid-field', 'error', 's', ['steps', 0, ...path]]]);
  });

  it('refuses a salt that is not a string, an unknown field, and accepts 20 variants', () => {
    expect(found(journey([split('s', AB.slice(2), { salt: 7 })]))).toEqual([['invalid-field', 'error', 's', ['steps', 0, 'config', 'salt']]]);
    expect(found(journey([split('s', [{ ...variant('A', 1, null), wieght: 2 }])]))).toEqual([['unknown-field', 'error', 's', ['steps', 0, 'config', 'variants', 0, 'wieght']]]);
    expect(found(journey([split('s', Array.from({ length: 20 }, (_, i) => variant(`v${i}`, 1, null)))]))).toEqual([]);
  });

  it('split-without-weight: no variant above 0, or no variants (error); one 0 weight among others is fine', () => {
    expect(found(journey([split('s', [variant('A', 0, null), variant('B', 0, null)])]))).toEqual([['split-without-weight', 'error', 's', ['steps', 0, 'config', 'variants']]]);
    // a split without variants has no way on either, so no path reaches the end
    expect(found(journey([split('s', [])]))).toEqual([
      ['exceeds-max-duration', 'error', undefined, ['maxDuration']],
      ['split-without-weight', 'error', 's', ['steps', 0, 'config', 'variants']],
    ]);
    expect(found(journey([split('s', [variant('A', 0, null), variant('B', 1, null)])]))).toEqual([]);
    expect(validateJourney(journey([split('s', [])])).valid).toBe(false);
  });

  it('duplicate-variant-label: an error at the second variant with the label', () => {
    const doc = journey([split('s', [variant('A', 1, null), variant('B', 1, null), variant('A', 1, null), variant('A', 1, null)])]);
    expect(found(doc)).toEqual([
      ['duplicate-variant-label', 'error', 's', ['steps', 0, 'config', 'variants', 2, 'label']],
      ['duplicate-variant-label', 'error', 's', ['steps', 0, 'config', 'variants', 3, 'label']],
    ]);
    // labels named like prototype properties are ordinary labels
    expect(found(journey([split('s', [variant('constructor', 1, null), variant('__proto__', 1, null), variant('toString', 1, null)])]))).toEqual([]);
  });

  it('unknown-target for a variant target that names no step, at its path', () => {
    expect(found(journey([split('s', [variant('A', 1, 'nope'), variant('B', 1, null)])]))).toEqual([
      ['unknown-target', 'error', 's', ['steps', 0, 'config', 'variants', 0, 'targetStepId']],
    ]);
  });

  it('its targets count for reachability (a step only a variant leads to is reachable), and `next` is not one', () => {
    // a: reached by variant B only; x: reached by nothing (the split's `next` is not a transition)
    const doc = journey([
      split('s', [variant('A', 1, 'b'), variant('B', 1, 'a')], {}, { next: 'x' }),
      send('x', {}, { next: null }),
      send('a', {}, { next: null }),
      send('b', {}, { next: null }),
    ]);
    expect(found(doc)).toEqual([['unreachable-step', 'error', 'x', ['steps', 1]]]);
  });

  it('is instant: a loop through a split and a branch only is an instant loop; with a wait it is not', () => {
    const loop = journey([split('s', [variant('A', 1, 'b'), variant('B', 1, null)]), branch('b', ['s'], undefined, { next: null })]);
    expect(found(loop)).toEqual([['instant-loop', 'error', 's', ['steps', 0]]]);
    const selfLoop = journey([split('s', [variant('A', 1, 's'), variant('B', 1, null)])]);
    expect(found(selfLoop)).toEqual([['instant-loop', 'error', 's', ['steps', 0]]]);
    const waited = journey([split('s', [variant('A', 1, 'w'), variant('B', 1, null)]), wait('w', 1, 'days', { next: 's' })]);
    expect(found(waited).map((d) => d[0])).not.toContain('instant-loop');
  });

  it('holds no time in max-duration: the quickest path is the holdout, the longest the waiting variant', () => {
    const doc = journey(
      [split('s', [variant('A', 1, 'w'), variant('Holdout', 1, null)]), wait('w', 40, 'days', { next: null })],
      { maxDuration: 30 },
    );
    expect(found(doc)).toEqual([['path-exceeds-max-duration', 'warning', undefined, ['maxDuration']]]);
    const all = journey([split('s', [variant('A', 1, 'w'), variant('B', 1, 'w')]), wait('w', 40, 'days', { next: null })], { maxDuration: 30 });
    expect(found(all)).toEqual([['exceeds-max-duration', 'error', undefined, ['maxDuration']]]);
  });
});
