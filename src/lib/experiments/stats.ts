/**
 * The statistics behind experiment results, in plain TypeScript (no dependency; runs on Workers).
 *
 * Everything rests on the regularized upper incomplete gamma function Q(a, x):
 * - chi-square survival: P(X² > x | k df) = Q(k/2, x/2);
 * - normal tails: erfc(x) = Q(1/2, x²) (Abramowitz & Stegun 6.5.17 with 7.1.2), so the two-sided
 *   p-value of a z score is Q(1/2, z²/2), accurate to ~1e-14 far out in the tail where 1 - Φ(z)
 *   computed by subtraction would lose every digit.
 * Q is computed as in Numerical Recipes (Press et al., 3rd ed., §6.2, gser/gcf): the series for
 * P when x < a + 1, else the continued fraction for Q by the modified Lentz method. ln Γ uses the
 * Lanczos approximation with g = 7, n = 9 (Godfrey's coefficients), relative error < 1e-15.
 */

const LANCZOS = [
  0.99999999999980993, 676.5203681218851, -1259.1392167224028, 771.32342877765313, -176.61502916214059,
  12.507343278686905, -0.13857109526572012, 9.9843695780195716e-6, 1.5056327351493116e-7,
];

/** ln Γ(x) for x > 0. */
export function lnGamma(x: number): number {
  if (x < 0.5) return Math.log(Math.PI / Math.sin(Math.PI * x)) - lnGamma(1 - x); // reflection
  const z = x - 1;
  let sum = LANCZOS[0] as number;
  for (let i = 1; i < LANCZOS.length; i++) sum += (LANCZOS[i] as number) / (z + i);
  const t = z + 7.5;
  return 0.5 * Math.log(2 * Math.PI) + (z + 0.5) * Math.log(t) - t + Math.log(sum);
}

const EPS = 1e-15;
const TINY = 1e-300;
const MAX_ITERATIONS = 1000;

/** P(a, x) by its series (NR 6.2.5); converges fast for x < a + 1. */
function gammaPSeries(a: number, x: number): number {
  let term = 1 / a;
  let sum = term;
  for (let n = 1; n < MAX_ITERATIONS; n++) {
    term *= x / (a + n);
    sum += term;
    if (Math.abs(term) < Math.abs(sum) * EPS) break;
  }
  return sum * Math.exp(-x + a * Math.log(x) - lnGamma(a));
}

/** Q(a, x) by its continued fraction (NR 6.2.7, modified Lentz); converges fast for x >= a + 1. */
function gammaQFraction(a: number, x: number): number {
  let b = x + 1 - a;
  let c = 1 / TINY;
  let d = 1 / b;
  let h = d;
  for (let i = 1; i < MAX_ITERATIONS; i++) {
    const an = -i * (i - a);
    b += 2;
    d = an * d + b;
    if (Math.abs(d) < TINY) d = TINY;
    c = b + an / c;
    if (Math.abs(c) < TINY) c = TINY;
    d = 1 / d;
    const delta = d * c;
    h *= delta;
    if (Math.abs(delta - 1) < EPS) break;
  }
  return Math.exp(-x + a * Math.log(x) - lnGamma(a)) * h;
}

/** The regularized upper incomplete gamma function Q(a, x) = Γ(a, x) / Γ(a), for a > 0, x >= 0. */
export function gammaQ(a: number, x: number): number {
  if (!(a > 0) || !(x >= 0)) throw new RangeError(`gammaQ: need a > 0 and x >= 0, got a=${a}, x=${x}`);
  if (x === 0) return 1;
  return x < a + 1 ? 1 - gammaPSeries(a, x) : gammaQFraction(a, x);
}

/** P(X² > x) for a chi-square variable with `df` degrees of freedom. */
export function chiSquareSurvival(x: number, df: number): number {
  return x <= 0 ? 1 : gammaQ(df / 2, x / 2);
}

/** The standard normal CDF Φ(z). */
export function normalCdf(z: number): number {
  const tail = 0.5 * gammaQ(0.5, (z * z) / 2); // Φ(-|z|) = erfc(|z|/√2) / 2
  return z < 0 ? tail : 1 - tail;
}

/** Two-sided p-value of a standard normal score: P(|Z| >= |z|). */
export function twoSidedP(z: number): number {
  return gammaQ(0.5, (z * z) / 2);
}

/** Φ⁻¹(0.975): the two-sided 95 % critical value. */
export const Z_95 = 1.959963984540054;

export interface Proportion {
  units: number;
  conversions: number;
}

export interface Comparison {
  /** Treatment rate minus control rate. */
  absoluteLift: number | null;
  /** absoluteLift / control rate; null when the control rate is 0. */
  relativeLift: number | null;
  /** 95 % Wald interval of the difference (unpooled standard error). */
  ci95: [number, number] | null;
  /** Two-proportion z statistic (pooled standard error). */
  z: number | null;
  /** Two-sided p-value of that z-test. */
  pValue: number | null;
}

/**
 * Treatment against control: the difference of conversion rates, its 95 % Wald interval
 * (p_t - p_c ± 1.96 · sqrt(p_c(1-p_c)/n_c + p_t(1-p_t)/n_t)), and the two-sided two-proportion
 * z-test with the pooled standard error sqrt(p(1-p)(1/n_c + 1/n_t)), p = pooled rate. Fields that
 * are undefined for the data (no units, a zero standard error) are null rather than NaN.
 *
 * @example
 * compareProportions({ units: 1000, conversions: 100 }, { units: 1000, conversions: 130 })
 * // { absoluteLift: 0.03, relativeLift: 0.3, ci95: [0.00207, 0.05793], z: 2.1027, pValue: 0.0355 }
 */
export function compareProportions(control: Proportion, treatment: Proportion): Comparison {
  if (control.units === 0 || treatment.units === 0) {
    return { absoluteLift: null, relativeLift: null, ci95: null, z: null, pValue: null };
  }
  const pc = control.conversions / control.units;
  const pt = treatment.conversions / treatment.units;
  const diff = pt - pc;
  const se = Math.sqrt((pc * (1 - pc)) / control.units + (pt * (1 - pt)) / treatment.units);
  const pooled = (control.conversions + treatment.conversions) / (control.units + treatment.units);
  const pooledSe = Math.sqrt(pooled * (1 - pooled) * (1 / control.units + 1 / treatment.units));
  const z = pooledSe > 0 ? diff / pooledSe : null;
  return {
    absoluteLift: diff,
    relativeLift: pc > 0 ? diff / pc : null,
    ci95: [diff - Z_95 * se, diff + Z_95 * se],
    z,
    pValue: z === null ? null : twoSidedP(z),
  };
}

/** The threshold below which a sample ratio mismatch is flagged (GrowthBook's default). */
export const SRM_P_THRESHOLD = 0.001;

export interface SampleRatioCheck {
  chiSquare: number;
  degreesOfFreedom: number;
  pValue: number;
  /** True when p < 0.001: the split differs from the weights more than chance explains. */
  flagged: boolean;
}

/**
 * Chi-square goodness of fit of the observed units per variant against the configured weights
 * (expected_i = total · w_i / Σw), with k - 1 degrees of freedom.
 *
 * @example
 * sampleRatioCheck([5200, 4800], [1, 1]) // { chiSquare: 16, degreesOfFreedom: 1, pValue: 6.3e-5, flagged: true }
 */
export function sampleRatioCheck(observed: readonly number[], weights: readonly number[]): SampleRatioCheck {
  const total = observed.reduce((sum, n) => sum + n, 0);
  const weightSum = weights.reduce((sum, w) => sum + w, 0);
  const degreesOfFreedom = Math.max(1, observed.length - 1);
  if (total === 0 || weightSum <= 0) return { chiSquare: 0, degreesOfFreedom, pValue: 1, flagged: false };
  let chiSquare = 0;
  observed.forEach((n, i) => {
    const expected = (total * (weights[i] ?? 0)) / weightSum;
    if (expected > 0) chiSquare += (n - expected) ** 2 / expected;
  });
  const pValue = chiSquareSurvival(chiSquare, degreesOfFreedom);
  return { chiSquare, degreesOfFreedom, pValue, flagged: pValue < SRM_P_THRESHOLD };
}
