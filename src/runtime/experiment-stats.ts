/**
 * Experiment statistics for split variants: per variant the conversion rate, its 95% Wilson
 * score interval, and a two-sided two-proportion z-test against the first variant (the control),
 * with the relative lift over it. Pure arithmetic: no I/O, no clock, no randomness.
 */

/** One variant's counts, as stats report them: customers assigned, and how many of them converted. */
export interface VariantCounts {
  readonly label: string;
  /** Customers assigned the variant (a non-negative integer). */
  readonly assigned: number;
  /** Of those, how many converted (an integer from 0 to `assigned`). */
  readonly converted: number;
}

/** A 95% confidence interval for a rate, within [0, 1]. */
export interface RateInterval {
  readonly low: number;
  readonly high: number;
}

/** What {@link experimentStats} computes for one variant. */
export interface VariantStats extends VariantCounts {
  /** `converted / assigned`, or `null` when nobody was assigned. */
  readonly rate: number | null;
  /** The 95% Wilson score interval of the rate, or `null` when nobody was assigned. */
  readonly interval: RateInterval | null;
  /**
   * The two-sided p-value of the pooled two-proportion z-test of this variant's rate against the
   * first variant's: the chance of a difference at least this large if both converted alike.
   * `null` for the first variant itself, and when the test is undefined: either variant has no
   * one assigned, or the pooled rate is 0 or 1 (nobody, or everybody, converted in both).
   */
  readonly pValue: number | null;
  /**
   * The relative lift over the first variant, `rate / firstRate - 1` (0.25: converts 25% better).
   * `null` for the first variant itself, when either rate is `null`, or when the first rate is 0.
   */
  readonly lift: number | null;
}

/** The standard normal quantile for a two-sided 95% interval: Φ⁻¹(0.975). */
export const Z_95 = 1.959963984540054;

/**
 * Conversion statistics for the variants of an experiment, in the order given: the FIRST variant
 * is the control every other one is compared with (for a split, list the control first).
 *
 * - `rate`: `converted / assigned`.
 * - `interval`: the Wilson score interval at 95%, which stays within [0, 1] and behaves at rates
 *   near 0 or 1 and for small samples, unlike the normal ("Wald") interval.
 * - `pValue`: the two-sided p-value of the pooled two-proportion z-test against the first variant,
 *   `z = (p − p₀) / √(p̄(1 − p̄)(1/n + 1/n₀))` with `p̄` the pooled rate; equal to the chi-square test
 *   of the 2×2 table without continuity correction. It is not corrected for comparing several
 *   variants at once, nor for looking repeatedly while the experiment runs.
 * - `lift`: `rate / firstRate − 1`.
 *
 * @throws RangeError when a count is not a non-negative integer, or `converted` exceeds `assigned`.
 * @example
 * experimentStats([
 *   { label: 'A', assigned: 1000, converted: 200 },
 *   { label: 'B', assigned: 1000, converted: 250 },
 * ]);
 * // [ { label: 'A', rate: 0.2, interval: { low: 0.1764, high: 0.2259 }, pValue: null, lift: null, … },
 * //   { label: 'B', rate: 0.25, interval: { low: 0.2242, high: 0.2778 }, pValue: 0.0074, lift: 0.25, … } ]
 */
export function experimentStats(variants: readonly VariantCounts[]): VariantStats[] {
  variants.forEach(checkCounts);
  const first = variants[0];
  return variants.map((v, i): VariantStats => {
    const rate = v.assigned === 0 ? null : v.converted / v.assigned;
    const base = i === 0 || first === undefined ? undefined : first;
    const baseRate = base === undefined || base.assigned === 0 ? null : base.converted / base.assigned;
    return {
      label: v.label,
      assigned: v.assigned,
      converted: v.converted,
      rate,
      interval: wilsonInterval(v.converted, v.assigned),
      pValue: base === undefined ? null : twoProportionPValue(base.converted, base.assigned, v.converted, v.assigned),
      lift: base === undefined || rate === null || baseRate === null || baseRate === 0 ? null : rate / baseRate - 1,
    };
  });
}

function checkCounts(v: VariantCounts, i: number): void {
  const { assigned, converted } = v;
  if (!Number.isSafeInteger(assigned) || assigned < 0) throw new RangeError(`variant ${i} (${String(v.label)}): assigned must be a non-negative integer, got ${assigned}`);
  if (!Number.isSafeInteger(converted) || converted < 0 || converted > assigned) {
    throw new RangeError(`variant ${i} (${String(v.label)}): converted must be an integer from 0 to assigned (${assigned}), got ${converted}`);
  }
}

/**
 * The Wilson score interval of `successes / trials` at `z` (default 95%), or `null` for 0 trials.
 *
 * @example
 * wilsonInterval(200, 1000); // { low: 0.17637…, high: 0.22591… }
 */
export function wilsonInterval(successes: number, trials: number, z: number = Z_95): RateInterval | null {
  if (trials === 0) return null;
  const p = successes / trials;
  const z2 = z * z;
  const denominator = 1 + z2 / trials;
  const center = (p + z2 / (2 * trials)) / denominator;
  const half = (z / denominator) * Math.sqrt((p * (1 - p)) / trials + z2 / (4 * trials * trials));
  // At p = 0 or 1 one bound is exactly the edge; rounding must not push it past.
  return { low: successes === 0 ? 0 : Math.max(0, center - half), high: successes === trials ? 1 : Math.min(1, center + half) };
}

/**
 * The z statistic of the pooled two-proportion test of `b` against `a` (positive when `b`
 * converts better), or `null` when undefined: a side without trials, or a pooled rate of 0 or 1.
 */
export function twoProportionZ(aSuccesses: number, aTrials: number, bSuccesses: number, bTrials: number): number | null {
  if (aTrials === 0 || bTrials === 0) return null;
  const pooled = (aSuccesses + bSuccesses) / (aTrials + bTrials);
  if (pooled <= 0 || pooled >= 1) return null;
  const se = Math.sqrt(pooled * (1 - pooled) * (1 / aTrials + 1 / bTrials));
  return (bSuccesses / bTrials - aSuccesses / aTrials) / se;
}

/** The two-sided p-value of {@link twoProportionZ}, or `null` when the test is undefined. */
export function twoProportionPValue(aSuccesses: number, aTrials: number, bSuccesses: number, bTrials: number): number | null {
  const z = twoProportionZ(aSuccesses, aTrials, bSuccesses, bTrials);
  return z === null ? null : twoSidedNormalPValue(z);
}

/**
 * The two-sided p-value of a standard normal statistic, `P(|Z| ≥ |z|) = erfc(|z| / √2)`,
 * accurate to about 1e-15 relative also far in the tail.
 *
 * @example
 * twoSidedNormalPValue(1.96); // 0.04999…
 */
export function twoSidedNormalPValue(z: number): number {
  return Math.min(1, erfc(Math.abs(z) / Math.SQRT2));
}

const SQRT_PI = Math.sqrt(Math.PI);

/**
 * The complementary error function, `erfc(x) = Q(1/2, x²)` for x ≥ 0 (the regularized upper
 * incomplete gamma function): by its power series for small x, by its continued fraction
 * (modified Lentz) for large x (Numerical Recipes, ch. 6.2), accurate to about 1e-15 relative —
 * so tiny p-values stay meaningful.
 */
function erfc(x: number): number {
  if (x <= 0) return 1; // only called with |z| / √2 ≥ 0

  const t = x * x;
  if (t < 1.5) return 1 - erfSeries(x);
  // Q(a, t) = e^{-t} t^a / Γ(a) · 1/(t + 1 − a − 1·(1 − a)/(t + 3 − a − …)), a = 1/2, Γ(1/2) = √π.
  const a = 0.5;
  const tiny = 1e-300;
  let b = t + 1 - a;
  let c = 1 / tiny;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < 500; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < tiny) d = tiny;
    c = b + an / c;
    if (Math.abs(c) < tiny) c = tiny;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < 1e-16) break;
  }
  return ((x * Math.exp(-t)) / SQRT_PI) * h;
}

/** `erf(x)` for x ≥ 0 by the series of P(1/2, x²) = e^{-x²} x / Γ(3/2) · Σ x^{2n} / ((3/2)(5/2)…). */
function erfSeries(x: number): number {
  const t = x * x;
  let term = 1;
  let sum = 1;
  for (let n = 1; n < 500; n++) {
    term *= t / (0.5 + n);
    sum += term;
    if (term < sum * 1e-17) break;
  }
  return ((2 * x * Math.exp(-t)) / SQRT_PI) * sum;
}
