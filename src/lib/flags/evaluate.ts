import { inRollout } from "../bucketing.ts";
import type { EvaluationContext } from "./context.ts";
import { ruleMatches } from "./operators.ts";
import { type Flag, type FlagType, valueMatchesType } from "./schema.ts";

/**
 * Pure flag evaluation: no I/O, no clock, so the same flag and context give the same answer in the
 * Worker, in tests, and in anything else that imports it.
 */

export type Reason = "STATIC" | "TARGETING_MATCH" | "SPLIT" | "DISABLED" | "DEFAULT" | "ERROR";
export type ErrorCode =
  | "FLAG_NOT_FOUND"
  | "TARGETING_KEY_MISSING"
  | "TYPE_MISMATCH"
  | "INVALID_CONTEXT"
  | "PARSE_ERROR"
  | "GENERAL";

/** OFREP allows flat metadata only: string, number or boolean values. */
export type FlagMetadata = Record<string, string | number | boolean>;

/** A resolved value, in OpenFeature's shape. */
export interface Resolution {
  key: string;
  value: unknown;
  variant: string;
  reason: Exclude<Reason, "ERROR">;
  metadata: FlagMetadata;
}

/** A failed evaluation, in OpenFeature's shape: the caller falls back to its own default value. */
export interface EvaluationFailure {
  key: string;
  reason: "ERROR";
  errorCode: ErrorCode;
  errorDetails: string;
  metadata: FlagMetadata;
}

export type Evaluation = Resolution | EvaluationFailure;

export function evaluationFailure(key: string, errorCode: ErrorCode, errorDetails: string): EvaluationFailure {
  return { key, reason: "ERROR", errorCode, errorDetails, metadata: {} };
}

export interface EvaluateOptions {
  /** The type the caller expects (an SDK's getBooleanValue...): anything else is TYPE_MISMATCH. */
  expectedType?: FlagType;
}

/**
 * Evaluates one flag for one context, in this order:
 * disabled → deny list → allow list → rules (first match) → rollout → default.
 *
 * - disabled: the default variant, reason DISABLED.
 * - deny / allow: the targeting key is listed: default / rollout variant, reason TARGETING_MATCH.
 * - rules: the first rule that matches gives its variant, reason TARGETING_MATCH.
 * - rollout: bucket of `${salt}:${targetingKey}` below percentage × 100 gets the rollout variant,
 *   everybody else the default; reason SPLIT. Without a targeting key: TARGETING_KEY_MISSING.
 * - otherwise the default variant: reason STATIC for a flag with no targeting at all, else DEFAULT.
 *
 * @example
 * evaluate(flag, { targetingKey: "user-1", country: "DE" })
 * // { key: "new-checkout", value: true, variant: "on", reason: "SPLIT", metadata: {} }
 */
export function evaluate(flag: Flag, context: EvaluationContext, options: EvaluateOptions = {}): Evaluation {
  if (options.expectedType && options.expectedType !== flag.type) {
    return evaluationFailure(
      flag.key,
      "TYPE_MISMATCH",
      `${flag.key} is a ${flag.type} flag, not ${options.expectedType}`,
    );
  }
  if (!flag.enabled) return resolve(flag, flag.defaultVariant, "DISABLED");

  const targetingKey =
    typeof context.targetingKey === "string" && context.targetingKey ? context.targetingKey : undefined;
  if (targetingKey !== undefined) {
    if (idSet(flag.deny).has(targetingKey)) return resolve(flag, flag.defaultVariant, "TARGETING_MATCH");
    if (flag.rollout && idSet(flag.allow).has(targetingKey)) {
      return resolve(flag, flag.rollout.variant, "TARGETING_MATCH");
    }
  }
  for (const rule of flag.rules) {
    if (ruleMatches(rule, context)) return resolve(flag, rule.variant, "TARGETING_MATCH");
  }
  if (flag.rollout) {
    if (targetingKey === undefined) {
      return evaluationFailure(
        flag.key,
        "TARGETING_KEY_MISSING",
        `${flag.key} has a percentage rollout: send context.targetingKey`,
      );
    }
    const inside = inRollout(flag.salt, targetingKey, flag.rollout.percentage);
    return resolve(flag, inside ? flag.rollout.variant : flag.defaultVariant, "SPLIT");
  }
  const targeted = flag.rules.length > 0 || flag.allow.length > 0 || flag.deny.length > 0;
  return resolve(flag, flag.defaultVariant, targeted ? "DEFAULT" : "STATIC");
}

/** The variant's value, checked against the flag's type (a flag built by hand may not be valid). */
function resolve(flag: Flag, variant: string, reason: Resolution["reason"]): Evaluation {
  if (!Object.hasOwn(flag.variants, variant)) {
    return evaluationFailure(
      flag.key,
      "GENERAL",
      `${flag.key} refers to variant "${variant}", which it does not define`,
    );
  }
  const value = flag.variants[variant];
  if (!valueMatchesType(flag.type, value)) {
    return evaluationFailure(flag.key, "TYPE_MISMATCH", `variant "${variant}" of ${flag.key} is not a ${flag.type}`);
  }
  // Metadata stays empty on purpose: evaluation is public (OFREP), and a description is an admin's
  // note, not something to show every visitor.
  return { key: flag.key, value, variant, reason, metadata: {} };
}

// Allow and deny lists hold up to 10,000 ids: look them up in a Set built once per (cached) flag.
const sets = new WeakMap<readonly string[], ReadonlySet<string>>();
function idSet(ids: readonly string[]): ReadonlySet<string> {
  let set = sets.get(ids);
  if (!set) {
    set = new Set(ids);
    sets.set(ids, set);
  }
  return set;
}
