import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { experimentStats, twoProportionPValue, twoProportionZ, twoSidedNormalPValue, wilsonInterval, Z_95 } from '../../src/runtime/experiment-stats.js';
import { chiSquarePValue, independenceStatistic } from './chi-square.js';

const counts = fc
  .tuple(fc.integer({ min: 0, max: 100_000 }), fc.double({ min: 0, max: 1, noNaN: true }))
  .map(([assigned, share]) => ({ assigned, converted: Math.round(assigned * share) }));

describe('experiment stats: known values (computed by hand)', () => {
  it('200/1000 against 250/1000: z ≈ 2.68, p ≈ 0.0074, lift 25%, Wilson bounds', () => {
    const [a, b] = experimentStats([
      { label: 'A', assigned: 1000, converted: 200 },
      { label: 'B', assigned: 1000, converted: 250 },
    ]);
    expect(a).toMatchObject({ label: 'A', assigned: 1000, converted: 200, rate: 0.2, pValue: null, lift: null });
    expect(a!.interval!.low).toBeCloseTo(0.1764, 4);
    expect(a!.interval!.high).toBeCloseTo(0.2259, 4);
    expect(b!.rate).toBe(0.25);
    expect(b!.interval!.low).toBeCloseTo(0.2242, 4);
    expect(b!.interval!.high).toBeCloseTo(0.2778, 4);
    expect(twoProportionZ(200, 1000, 250, 1000)).toBeCloseTo(2.6774, 4);
    expect(b!.pValue).toBeCloseTo(0.00742, 5);
    expect(b!.lift).toBeCloseTo(0.25, 12);
  });

  it('more known values: a worse variant, a small sample, a large one', () => {
    // 50/500 vs 40/500: z = -1.1050, p = 0.2692
    expect(twoProportionZ(50, 500, 40, 500)).toBeCloseTo(-1.105, 3);
    expect(twoProportionPValue(50, 500, 40, 500)).toBeCloseTo(0.26916, 5);
    // 10/100 vs 30/100: z = 3.5355, p = 0.000407
    expect(twoProportionPValue(10, 100, 30, 100)).toBeCloseTo(0.00040695, 8);
    // 1000/100000 vs 1100/100000: z = 2.1937, p = 0.02826
    expect(twoProportionPValue(1000, 100_000, 1100, 100_000)).toBeCloseTo(0.028255, 6);
    // Wilson 1/3: [0.0615, 0.7923]; 0/10: [0, 0.2775]; 10/10: [0.7225, 1]
    expect(wilsonInterval(1, 3)!.low).toBeCloseTo(0.0615, 4);
    expect(wilsonInterval(1, 3)!.high).toBeCloseTo(0.7923, 4);
    expect(wilsonInterval(0, 10)).toEqual({ low: 0, high: expect.closeTo(0.2775, 4) });
    expect(wilsonInterval(10, 10)).toEqual({ low: expect.closeTo(0.7225, 4), high: 1 });
    expect(Z_95).toBeCloseTo(1.96, 2);
  });

  it('keeps tiny p-values meaningful (far tail of the normal)', () => {
    // 100/10000 vs 300/10000: z = 10.1015, p = 5.4389e-24
    expect(twoProportionZ(100, 10_000, 300, 10_000)).toBeCloseTo(10.101525, 5);
    expect(twoProportionPValue(100, 10_000, 300, 10_000)! / 5.4389471780890406e-24).toBeCloseTo(1, 9);
  });

  it('twoSidedNormalPValue matches erfc(|z|/√2) to 1e-12 relative, near and far', () => {
    // reference values: erfc(z / sqrt(2)) from a C library (Python math.erfc)
    const reference: [number, number][] = [
      [0, 1],
      [0.5, 0.6170750774519738],
      [1, 0.31731050786291415],
      [1.5, 0.13361440253771617],
      [1.959963984540054, 0.05],
      [2, 0.04550026389635844],
      [3, 0.0026997960632601913],
      [5, 5.733031437583892e-7],
      [8, 1.2441921148543639e-15],
      [12, 3.552964224155404e-33],
      [20, 5.507248237212663e-89],
      [30, 9.813427854297528e-198],
    ];
    for (const [z, p] of reference) {
      expect(twoSidedNormalPValue(z) / p).toBeCloseTo(1, 12);
      expect(twoSidedNormalPValue(-z)).toBe(twoSidedNormalPValue(z));
    }
  });
});

describe('experiment stats: undefined cases are null', () => {
  it('the first variant has no p-value or lift; zero samples give no rate, interval or test', () => {
    const [a, b, c] = experimentStats([
      { label: 'A', assigned: 0, converted: 0 },
      { label: 'B', assigned: 10, converted: 3 },
      { label: 'C', assigned: 0, converted: 0 },
    ]);
    expect(a).toEqual({ label: 'A', assigned: 0, converted: 0, rate: null, interval: null, pValue: null, lift: null });
    expect(b).toMatchObject({ rate: 0.3, pValue: null, lift: null });
    expect(b!.interval).not.toBeNull();
    expect(c).toMatchObject({ rate: null, interval: null, pValue: null, lift: null });
  });

  it('a pooled rate of 0 or 1 gives no p-value; a first rate of 0 gives no lift', () => {
    const none = experimentStats([{ label: 'A', assigned: 10, converted: 0 }, { label: 'B', assigned: 20, converted: 0 }]);
    expect(none[1]).toMatchObject({ rate: 0, pValue: null, lift: null });
    const all = experimentStats([{ label: 'A', assigned: 10, converted: 10 }, { label: 'B', assigned: 20, converted: 20 }]);
    expect(all[1]).toMatchObject({ rate: 1, pValue: null, lift: 0 });
    const fromZero = experimentStats([{ label: 'A', assigned: 10, converted: 0 }, { label: 'B', assigned: 10, converted: 5 }]);
    expect(fromZero[1]!.lift).toBeNull();
    expect(fromZero[1]!.pValue).toBeGreaterThan(0);
  });

  it('no variants: nothing; one variant: its rate and interval only', () => {
    expect(experimentStats([])).toEqual([]);
    expect(experimentStats([{ label: 'only', assigned: 4, converted: 1 }])).toMatchObject([{ rate: 0.25, pValue: null, lift: null }]);
  });

  it.each([
    [{ label: 'A', assigned: -1, converted: 0 }],
    [{ label: 'A', assigned: 1.5, converted: 0 }],
    [{ label: 'A', assigned: Number.NaN, converted: 0 }],
    [{ label: 'A', assigned: 10, converted: 11 }],
    [{ label: 'A', assigned: 10, converted: -1 }],
    [{ label: 'A', assigned: 10, converted: 0.5 }],
  ])('refuses bad counts with a RangeError (%o)', (v) => {
    expect(() => experimentStats([{ label: 'ok', assigned: 1, converted: 0 }, v])).toThrow(RangeError);
  });
});

describe('experiment stats: properties', () => {
  it('the interval contains the rate and lies within [0, 1]; p-values lie in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(counts, { minLength: 1, maxLength: 5 }), (list) => {
        const stats = experimentStats(list.map((c, i) => ({ label: `v${i}`, ...c })));
        for (const s of stats) {
          if (s.assigned === 0) {
            expect(s.interval).toBeNull();
            continue;
          }
          expect(s.interval!.low).toBeGreaterThanOrEqual(0);
          expect(s.interval!.high).toBeLessThanOrEqual(1);
          expect(s.interval!.low).toBeLessThanOrEqual(s.rate! + 1e-12);
          expect(s.interval!.high).toBeGreaterThanOrEqual(s.rate! - 1e-12);
          if (s.pValue !== null) {
            expect(s.pValue).toBeGreaterThanOrEqual(0);
            expect(s.pValue).toBeLessThanOrEqual(1);
          }
        }
      }),
      { numRuns: 500 },
    );
  });

  it('is symmetric: swapping the two variants keeps the p-value and negates z; swapping successes and failures mirrors the interval', () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const ab = twoProportionPValue(a.converted, a.assigned, b.converted, b.assigned);
        const ba = twoProportionPValue(b.converted, b.assigned, a.converted, a.assigned);
        if (ab === null) {
          expect(ba).toBeNull();
          return;
        }
        expect(ba).toBeCloseTo(ab, 12);
        expect(twoProportionZ(b.converted, b.assigned, a.converted, a.assigned)).toBeCloseTo(-twoProportionZ(a.converted, a.assigned, b.converted, b.assigned)!, 9);
        // failures instead of successes: the same test
        expect(twoProportionPValue(a.assigned - a.converted, a.assigned, b.assigned - b.converted, b.assigned)).toBeCloseTo(ab, 9);
        const w = wilsonInterval(a.converted, a.assigned);
        const mirrored = wilsonInterval(a.assigned - a.converted, a.assigned);
        if (w === null) return;
        expect(mirrored!.low).toBeCloseTo(1 - w.high, 12);
        expect(mirrored!.high).toBeCloseTo(1 - w.low, 12);
      }),
      { numRuns: 500 },
    );
  });

  it('equals the chi-square test of the 2×2 table (no continuity correction)', () => {
    fc.assert(
      fc.property(counts, counts, (a, b) => {
        const p = twoProportionPValue(a.converted, a.assigned, b.converted, b.assigned);
        if (p === null) return;
        const { statistic, df } = independenceStatistic([
          [a.converted, a.assigned - a.converted],
          [b.converted, b.assigned - b.converted],
        ]);
        expect(df).toBe(1);
        expect(p).toBeCloseTo(chiSquarePValue(statistic, 1), 8);
      }),
      { numRuns: 500 },
    );
  });

  it('identical rates give p = 1 and lift 0', () => {
    const [, b] = experimentStats([{ label: 'A', assigned: 400, converted: 40 }, { label: 'B', assigned: 800, converted: 80 }]);
    expect(b!.pValue).toBeCloseTo(1, 12);
    expect(b!.lift).toBeCloseTo(0, 12);
  });
});
