import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { closestKey, editDistance, KeyMatcher } from '../../src/validate/closest-key.js';

function naive(a: string, b: string): number {
  const d = Array.from({ length: a.length + 1 }, (_, i) => Array.from({ length: b.length + 1 }, (_, j) => (i === 0 ? j : j === 0 ? i : 0)));
  for (let i = 1; i <= a.length; i++)
    for (let j = 1; j <= b.length; j++) d[i]![j] = Math.min(d[i - 1]![j]! + 1, d[i]![j - 1]! + 1, d[i - 1]![j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
  return d[a.length]![b.length]!;
}

describe('key suggestions', () => {
  it('editDistance is Levenshtein distance, capped at limit + 1', () => {
    fc.assert(
      fc.property(fc.string({ maxLength: 12 }), fc.string({ maxLength: 80 }), fc.nat({ max: 4 }), (a, b, limit) => {
        const exact = naive(a, b);
        expect(editDistance(a, b)).toBe(exact);
        expect(editDistance(a, b, limit)).toBe(Math.min(exact, limit + 1));
      }),
    );
  });

  it('suggests likely typos only', () => {
    expect(closestKey('duraton', ['duration', 'unit'])).toBe('duration');
    expect(closestKey('DURATION', ['duration', 'unit'])).toBe('duration');
    expect(closestKey('colour', ['duration', 'unit'])).toBeUndefined();
    expect(closestKey('ab', ['a', 'b'])).toBeUndefined();
  });

  it('stops suggesting once its comparison budget is spent', () => {
    const matcher = new KeyMatcher(['step_end', 'step_start'], 4);
    expect(matcher.suggest('step_ed')).toBe('step_end');
    expect(matcher.suggest('step_strat')).toBe('step_start');
    expect(matcher.suggest('step_ed')).toBeUndefined();
  });
});
