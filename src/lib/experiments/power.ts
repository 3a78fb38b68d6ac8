import { Z_95 } from "./stats.ts";

/** Φ⁻¹(0.8): the one-sided critical value for 80 % power. */
export const Z_80 = 0.8416212335729143;

export interface PowerEstimate {
  /** Units each of the two arms needs for the observed difference to be significant with 80 % power. */
  perArm: number;
  /** Units still to collect over both arms (0 when both already have `perArm`). */
  more: number;
}

/**
 * A plain power estimate: how many units per arm a two-sided two-proportion z-test at α = 0.05
 * needs to detect the observed difference with 80 % power, taking the observed rates as the truth
 * (Fleiss, Statistical Methods for Rates and Proportions, eq. 4.14, without continuity correction):
 *
 *   n = ( z₀.₉₇₅ · √(2 p̄ (1 − p̄)) + z₀.₈ · √(p_c (1 − p_c) + p_t (1 − p_t)) )² / (p_t − p_c)²
 *
 * with p̄ = (p_c + p_t) / 2, z₀.₉₇₅ = 1.96 and z₀.₈ = 0.8416. `more` is what is missing of `n`
 * in each arm, summed. Null when there is no difference to detect (equal rates, or an arm
 * without units).
 *
 * @example
 * powerEstimate({ units: 1000, conversions: 100 }, { units: 1000, conversions: 120 })
 * // { perArm: 3841, more: 5682 }
 */
export function powerEstimate(
  control: { units: number; conversions: number },
  treatment: { units: number; conversions: number },
): PowerEstimate | null {
  if (control.units <= 0 || treatment.units <= 0) return null;
  const pc = control.conversions / control.units;
  const pt = treatment.conversions / treatment.units;
  const delta = pt - pc;
  if (delta === 0) return null;
  const mean = (pc + pt) / 2;
  const root = Z_95 * Math.sqrt(2 * mean * (1 - mean)) + Z_80 * Math.sqrt(pc * (1 - pc) + pt * (1 - pt));
  const perArm = Math.ceil((root * root) / (delta * delta));
  const more = Math.max(0, perArm - control.units) + Math.max(0, perArm - treatment.units);
  return { perArm, more };
}
