import { AssertionError } from 'node:assert';
import { describe, expect, it } from 'vitest';
import { assertExpect as e } from '../../src/conformance/index.js';

/** Each case holds under assertExpect exactly when it holds under vitest's expect. */
const cases: Array<[string, (x: typeof e) => unknown]> = [
  ['toBe same', (x) => x(1).toBe(1)],
  ['toBe other', (x) => x({}).toBe({})],
  ['toEqual deep', (x) => x({ a: [1, { b: 'c' }] }).toEqual({ a: [1, { b: 'c' }] })],
  ['toEqual ignores undefined properties', (x) => x({ a: 1, b: undefined }).toEqual({ a: 1 })],
  ['toEqual extra property', (x) => x({ a: 1, b: 2 }).toEqual({ a: 1 })],
  ['toEqual array length', (x) => x([1, 2]).toEqual([1])],
  ['toEqual array vs object', (x) => x({ 0: 1 }).toEqual([1])],
  ['toEqual asymmetric', (x) => x({ s: 'has e1 in it', n: 'x', o: { a: 1, b: 2 } }).toEqual({ s: x.stringContaining('e1'), n: x.any(String), o: x.objectContaining({ a: 1 }) })],
  ['toEqual asymmetric fails', (x) => x({ s: 'nothing' }).toEqual({ s: x.stringContaining('e1') })],
  ['any(Number) on a string', (x) => x('1').toEqual(x.any(Number))],
  ['toMatchObject subset', (x) => x({ code: 'c', details: { id: 'e1', more: 1 }, other: 2 }).toMatchObject({ code: 'c', details: { id: 'e1' } })],
  ['toMatchObject missing', (x) => x({ code: 'c' }).toMatchObject({ code: 'c', path: ['a'] })],
  ['toMatchObject arrays element-wise', (x) => x({ p: ['a', 'b'] }).toMatchObject({ p: ['a'] })],
  ['toBeNull', (x) => x(null).toBeNull()],
  ['toBeNull on undefined', (x) => x(undefined).toBeNull()],
  ['not.toBeNull', (x) => x(0).not.toBeNull()],
  ['toBeUndefined', (x) => x(undefined).toBeUndefined()],
  ['toBeGreaterThan', (x) => x(2).toBeGreaterThan(1)],
  ['toBeGreaterThan equal', (x) => x(1).toBeGreaterThan(1)],
  ['toBeInstanceOf', (x) => x(new TypeError('t')).toBeInstanceOf(Error)],
  ['toBeInstanceOf other', (x) => x({}).toBeInstanceOf(Error)],
  ['toHaveLength', (x) => x([1, 2]).toHaveLength(2)],
  ['toContain', (x) => x([1, 2]).toContain(2)],
  ['not.toContain', (x) => x([1, 2]).not.toContain(2)],
  ['toHaveProperty', (x) => x({ a: undefined }).toHaveProperty('a')],
  ['not.toHaveProperty', (x) => x({}).not.toHaveProperty('a')],
  ['not.toBe', (x) => x(1).not.toBe(1)],
];

function holds(run: () => unknown): boolean {
  try {
    run();
    return true;
  } catch {
    return false;
  }
}

describe('assertExpect (the expect for node:test)', () => {
  for (const [name, run] of cases) {
    it(`agrees with vitest's expect: ${name}`, () => {
      expect(holds(() => run(e))).toBe(holds(() => run(expect as unknown as typeof e)));
    });
  }

  it('throws an AssertionError that names the message and both values', () => {
    let thrown: unknown;
    try {
      e({ a: 1 }, 'op #3').toEqual({ a: 2 });
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(AssertionError);
    expect((thrown as Error).message).toBe('op #3: expected { a: 1 } to equal { a: 2 }');
  });

  it('rejects.toMatchObject: passes on a matching rejection, fails on a resolution or another error', async () => {
    await e(Promise.reject(Object.assign(new Error('x'), { code: 'corrupt-row', details: { id: 'e1' } }))).rejects.toMatchObject({ code: 'corrupt-row', details: { id: 'e1' } });
    await expect(e(Promise.resolve(1)).rejects.toMatchObject({})).rejects.toThrow('expected the promise to reject');
    await expect(e(Promise.reject({ code: 'other' })).rejects.toMatchObject({ code: 'corrupt-row' })).rejects.toBeInstanceOf(AssertionError);
  });
});
