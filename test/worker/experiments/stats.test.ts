import { describe, expect, it } from "vitest";
import {
  chiSquareSurvival,
  compareProportions,
  gammaQ,
  lnGamma,
  normalCdf,
  sampleRatioCheck,
  twoSidedP,
} from "../../../src/lib/experiments/stats.ts";

// Reference values come from published tables and closed forms where one exists, otherwise from
// SciPy 1.17 (scipy.stats.norm / scipy.stats.chi2, computed independently of this code), to the
// digits written. Abramowitz & Stegun is "A&S", Numerical Recipes 3rd ed. is "NR".

describe("the normal distribution", () => {
  it.each([
    // [z, two-sided p, source]
    [1.96, 0.04999579029644087, "A&S table 26.1; scipy 2*norm.sf(1.96)"],
    [2.5758293035489, 0.01, "the 99% critical value"],
    [1, 0.31731050786291115, "the 68-95-99.7 rule: 1 - 0.6827"],
    [8, 1.244192114854348e-15, "scipy 2*norm.sf(8): far tail, no cancellation"],
  ])("gives the two-sided p-value of z = %f as %e", (z, p) => {
    expect(twoSidedP(z)).toBeCloseTo(p, 12);
    expect(twoSidedP(z) / p).toBeCloseTo(1, 9);
  });

  it("gives Φ(-3) = 0.0013499 and Φ(1) = 0.8413447 (A&S table 26.1)", () => {
    expect(normalCdf(-3)).toBeCloseTo(0.0013498980316300933, 14);
    expect(normalCdf(1)).toBeCloseTo(0.8413447460685429, 14);
    expect(normalCdf(0)).toBe(0.5);
  });
});

describe("the gamma functions", () => {
  it("matches ln Γ at 1/2 (ln √π), 10 (ln 9!) and 100.5", () => {
    expect(lnGamma(0.5)).toBeCloseTo(Math.log(Math.sqrt(Math.PI)), 13);
    expect(lnGamma(10)).toBeCloseTo(Math.log(362880), 12);
    expect(lnGamma(100.5)).toBeCloseTo(361.4355404677776, 10); // Python math.lgamma(100.5)
  });

  it("gives Q(1, x) = e^-x, the closed form for a = 1, on both sides of x = a + 1", () => {
    for (const x of [0.1, 1.5, 2.5, 20]) expect(gammaQ(1, x)).toBeCloseTo(Math.exp(-x), 14);
  });
});

describe("the chi-square distribution", () => {
  it.each([
    // [statistic, df, p, source]
    [10.828, 1, 0.0009997657195830916, "the 0.001 critical value, 1 df (NIST/SEMATECH table 1.3.6.7.4)"],
    [13.816, 2, Math.exp(-13.816 / 2), "0.001 critical value, 2 df; closed form e^(-x/2) for 2 df"],
    [16.266, 3, 0.001000111604662117, "the 0.001 critical value, 3 df (same table)"],
    [30, 10, 0.000856641210775301, "scipy chi2.sf(30, 10)"],
    [3.841, 1, 0.05, "the 0.05 critical value, 1 df"],
  ])("gives P(X² > %f | %i df) = %e", (x, df, p) => {
    expect(chiSquareSurvival(x, df)).toBeCloseTo(p, df === 1 && x === 3.841 ? 4 : 12);
  });
});

describe("comparing two proportions", () => {
  // Worked example, by hand: control 100/1000 (10%), treatment 130/1000 (13%).
  //   difference            = 0.13 - 0.10 = 0.03; relative lift 0.03 / 0.10 = 0.30
  //   unpooled SE (Wald)    = sqrt(0.1·0.9/1000 + 0.13·0.87/1000) = sqrt(0.0002031) = 0.0142513
  //   95% CI                = 0.03 ± 1.959964 · 0.0142513 = [0.0020679, 0.0579321]
  //   pooled p              = 230 / 2000 = 0.115
  //   pooled SE             = sqrt(0.115 · 0.885 · (1/1000 + 1/1000)) = 0.0142671
  //   z                     = 0.03 / 0.0142671 = 2.102741
  //   two-sided p           = 2 · (1 - Φ(2.102741)) = 0.035488 (scipy 2*norm.sf(2.102740605622114))
  it("gives lift, Wald interval, z and p of the worked 10% vs 13% example", () => {
    const result = compareProportions({ units: 1000, conversions: 100 }, { units: 1000, conversions: 130 });
    expect(result.absoluteLift).toBeCloseTo(0.03, 12);
    expect(result.relativeLift).toBeCloseTo(0.3, 12);
    expect(result.ci95?.[0]).toBeCloseTo(0.0020679344393763656, 10);
    expect(result.ci95?.[1]).toBeCloseTo(0.057932065560623636, 10);
    expect(result.z).toBeCloseTo(2.102740605622114, 10);
    expect(result.pValue).toBeCloseTo(0.03548845046647471, 10);
  });

  it("answers null where a quantity is undefined: no units, a zero rate to lift from, no variance", () => {
    expect(compareProportions({ units: 0, conversions: 0 }, { units: 10, conversions: 1 })).toEqual({
      absoluteLift: null,
      relativeLift: null,
      ci95: null,
      z: null,
      pValue: null,
    });
    const fromZero = compareProportions({ units: 100, conversions: 0 }, { units: 100, conversions: 5 });
    expect(fromZero.relativeLift).toBeNull();
    expect(fromZero.pValue).not.toBeNull();
    const allZero = compareProportions({ units: 100, conversions: 0 }, { units: 100, conversions: 0 });
    expect(allZero).toEqual({ absoluteLift: 0, relativeLift: null, ci95: [0, 0], z: null, pValue: null });
  });
});

describe("the sample ratio check", () => {
  it("flags 5,200 / 4,800 on a 50/50 split: χ² = 2·200²/5000 = 16, p = 6.33e-5 (scipy chi2.sf(16, 1))", () => {
    const check = sampleRatioCheck([5200, 4800], [1, 1]);
    expect(check.chiSquare).toBeCloseTo(16, 12);
    expect(check.degreesOfFreedom).toBe(1);
    expect(check.pValue).toBeCloseTo(6.334248366623988e-5, 15);
    expect(check.flagged).toBe(true);
  });

  it("does not flag 5,050 / 4,950: χ² = 2·50²/5000 = 1, p = 0.3173 (scipy chi2.sf(1, 1))", () => {
    const check = sampleRatioCheck([5050, 4950], [50, 50]);
    expect(check.chiSquare).toBeCloseTo(1, 12);
    expect(check.pValue).toBeCloseTo(0.31731050786291115, 12);
    expect(check.flagged).toBe(false);
  });

  it("compares against unequal weights: 2,000 / 1,000 / 1,000 on 2:1:1 fits exactly", () => {
    expect(sampleRatioCheck([2000, 1000, 1000], [2, 1, 1])).toEqual({
      chiSquare: 0,
      degreesOfFreedom: 2,
      pValue: 1,
      flagged: false,
    });
  });

  it("does not flag an experiment with no units yet", () => {
    expect(sampleRatioCheck([0, 0], [1, 1]).flagged).toBe(false);
  });
});
