import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { assignVariant, splitHash, type SplitKey } from '../../src/runtime/split-assignment.js';
import { chiSquareCritical, chiSquarePValue, chiSquareStatistic, independenceStatistic } from './chi-square.js';

const CUSTOMERS = 100_000;
const key = (customerId: string, over: Partial<SplitKey> = {}): SplitKey => ({ journeyId: 'j_welcome', stepId: 'step_split', customerId, salt: '2026-q1', ...over });
const customers = Array.from({ length: CUSTOMERS }, (_, i) => `customer-${i}`);

function shares(weights: number[], over: Partial<SplitKey> = {}): number[] {
  const counts = weights.map(() => 0);
  for (const id of customers) counts[assignVariant(key(id, over), weights)]!++;
  return counts;
}

describe('the chi-square helpers (checked against published tables)', () => {
  it('give the 1% critical values for 1, 2, 4 and 9 degrees of freedom', () => {
    expect(chiSquareCritical(0.01, 1)).toBeCloseTo(6.635, 3);
    expect(chiSquareCritical(0.01, 2)).toBeCloseTo(-2 * Math.log(0.01), 6);
    expect(chiSquareCritical(0.01, 4)).toBeCloseTo(13.277, 3);
    expect(chiSquareCritical(0.01, 9)).toBeCloseTo(21.666, 3);
    expect(chiSquarePValue(3.841, 1)).toBeCloseTo(0.05, 4);
  });
});

describe('assignVariant', () => {
  it('matches the weights 45/45/10 over 100,000 customers (chi-square, p > 0.01)', () => {
    const weights = [45, 45, 10];
    const observed = shares(weights);
    const statistic = chiSquareStatistic(observed, weights.map((w) => (w / 100) * CUSTOMERS));
    expect(statistic).toBeLessThan(chiSquareCritical(0.01, 2));
    expect(chiSquarePValue(statistic, 2)).toBeGreaterThan(0.01);
  });

  it('matches the weights 1/1/1/1/96 over 100,000 customers (chi-square, p > 0.01)', () => {
    const weights = [1, 1, 1, 1, 96];
    const observed = shares(weights);
    const statistic = chiSquareStatistic(observed, weights.map((w) => (w / 100) * CUSTOMERS));
    expect(statistic).toBeLessThan(chiSquareCritical(0.01, 4));
    expect(chiSquarePValue(statistic, 4)).toBeGreaterThan(0.01);
  });

  it('never chooses a variant of weight 0', () => {
    const observed = shares([50, 0, 50, 0]);
    expect(observed[1]).toBe(0);
    expect(observed[3]).toBe(0);
    expect(chiSquarePValue(chiSquareStatistic([observed[0]!, observed[2]!], [CUSTOMERS / 2, CUSTOMERS / 2]), 1)).toBeGreaterThan(0.01);
  });

  it('gives the same customer the same variant every time (retry, replay, re-entry)', () => {
    const weights = [45, 45, 10];
    for (const id of customers.slice(0, 1000)) expect(assignVariant(key(id), weights)).toBe(assignVariant({ ...key(id) }, [...weights]));
  });

  it('keeps fixed assignments: a change of the hash (which would reshuffle running experiments) fails here', () => {
    expect(splitHash(key('c_1'))).toBe(HASH_C1);
    expect(splitHash({ journeyId: '', stepId: '', customerId: '', salt: '' })).toBe(HASH_EMPTY);
    expect(splitHash(key('客户-ü-😀'))).toBe(HASH_UNICODE);
    expect(['c_1', 'c_2', 'c_3', 'c_4', 'c_5', 'c_6', 'c_7', 'c_8'].map((id) => assignVariant(key(id), [45, 45, 10]))).toEqual(FIXED_45_45_10);
    expect(['c_1', 'c_2', 'c_3', 'c_4', 'c_5', 'c_6', 'c_7', 'c_8'].map((id) => assignVariant(key(id), [1, 1, 1, 1]))).toEqual(FIXED_QUARTERS);
  });

  it('encodes the four strings unambiguously: moving a character between fields changes the hash', () => {
    const a = splitHash({ journeyId: 'ab', stepId: 'c', customerId: 'd', salt: '' });
    const b = splitHash({ journeyId: 'a', stepId: 'bc', customerId: 'd', salt: '' });
    const c = splitHash({ journeyId: 'a', stepId: 'b', customerId: 'cd', salt: '' });
    const d = splitHash({ journeyId: 'a', stepId: 'b', customerId: 'c', salt: 'd' });
    expect(new Set([a, b, c, d]).size).toBe(4);
  });

  it('reads text as UTF-8: a lone surrogate hashes as U+FFFD, a surrogate pair as its code point', () => {
    expect(splitHash(key('x\uD800y'))).toBe(splitHash(key('x\uFFFDy')));
    expect(splitHash(key('\uD83D\uDE00'))).not.toBe(splitHash(key('\uFFFD\uFFFD')));
  });

  const changes = [
    [{ salt: '2026-q1' }, { salt: '2026-q2' }],
    [{ salt: '' }, { salt: 'x' }],
    [{ salt: 'a' }, { salt: 'b' }],
    [{ stepId: 'step_split' }, { stepId: 'step_split_2' }],
    [{ journeyId: 'j_welcome' }, { journeyId: 'j_welcome2' }],
  ] as const;
  for (const [before, after] of changes) {
    it(`reshuffles independently of the old assignment when ${JSON.stringify(before)} becomes ${JSON.stringify(after)} (chi-square of independence, p > 0.01)`, () => {
      const weights = [1, 1, 1, 1];
      const table = weights.map(() => weights.map(() => 0));
      for (const id of customers) table[assignVariant(key(id, before), weights)]![assignVariant(key(id, after), weights)]!++;
      const { statistic, df } = independenceStatistic(table);
      expect(df).toBe(9);
      expect(chiSquarePValue(statistic, df)).toBeGreaterThan(0.01);
    });
  }

  it('returns an index of a positive weight for any key and weights', () => {
    const weightsArb = fc.array(fc.oneof(fc.constant(0), fc.double({ min: 0, max: 1e6, noNaN: true })), { minLength: 1, maxLength: 8 }).filter((w) => w.some((x) => x > 0));
    fc.assert(fc.property(fc.string(), fc.string(), fc.string(), fc.string(), weightsArb, (journeyId, stepId, customerId, salt, weights) => {
      const i = assignVariant({ journeyId, stepId, customerId, salt }, weights);
      expect(i).toBeGreaterThanOrEqual(0);
      expect(i).toBeLessThan(weights.length);
      expect(weights[i]).toBeGreaterThan(0);
    }));
  });

  it('rejects weights that choose nothing', () => {
    for (const weights of [[], [0, 0], [-1, 2], [Number.NaN], [Infinity, 1]]) {
      expect(() => assignVariant(key('c_1'), weights), JSON.stringify(weights)).toThrow(RangeError);
    }
  });
});

const HASH_C1 = 8144136988139380;
const HASH_EMPTY = 4310297869662037;
const HASH_UNICODE = 475977140683554;
const FIXED_45_45_10 = [2, 2, 1, 2, 1, 1, 0, 0];
const FIXED_QUARTERS = [3, 3, 2, 3, 3, 2, 1, 0];

/** cyrb53's lanes and MurmurHash3's finish written plainly over TextEncoder's bytes of the length-prefixed encoding: the reference. */
function referenceHash(k: SplitKey): number {
  const bytes: number[] = [];
  for (const text of [k.journeyId, k.stepId, k.customerId, k.salt]) {
    const utf8 = new TextEncoder().encode(text);
    bytes.push((utf8.length >>> 24) & 255, (utf8.length >>> 16) & 255, (utf8.length >>> 8) & 255, utf8.length & 255, ...utf8);
  }
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  for (const b of bytes) {
    h1 = Math.imul(h1 ^ b, 2654435761);
    h2 = Math.imul(h2 ^ b, 1597334677);
  }
  const fmix = (h: number): number => {
    h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
    h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
    return h ^ (h >>> 16);
  };
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  [h1, h2] = [fmix(h1), fmix(h2)];
  h1 = (h1 + h2) | 0;
  h2 = (h2 + h1) | 0;
  return 2 ** 32 * (h2 & 0x1fffff) + (h1 >>> 0);
}

describe('splitHash', () => {
  it('is cyrb53 lanes with a MurmurHash3 finish over the UTF-8 bytes of the length-prefixed strings, for any text', () => {
    const text = fc.string({ unit: 'binary', maxLength: 40 });
    fc.assert(fc.property(text, text, text, text, (journeyId, stepId, customerId, salt) => {
      const k = { journeyId, stepId, customerId, salt };
      expect(splitHash(k)).toBe(referenceHash(k));
    }), { numRuns: 2000 });
  });
});
