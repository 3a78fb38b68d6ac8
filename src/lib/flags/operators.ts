import type { EvaluationContext } from "./context.ts";
import type { Operator, Rule } from "./schema.ts";
import { compareSemver, parseSemver } from "./semver.ts";

/**
 * Rule matching. A rule holds when its operator holds for the context attribute and AT LEAST ONE of
 * its values (`not_in`: for none of them). An attribute that is missing, or is not a string, number
 * or boolean, never matches — not even `not_in` — so a client that forgets an attribute is never
 * targeted by accident.
 *
 * - in, not_in, equals, starts_with, ends_with, contains: compare as strings (5 equals "5").
 * - gt, lt: numbers; a numeric string attribute ("42") counts, anything else does not match.
 * - semver_gt, semver_lt: strict semantic versions; an attribute that is not one does not match.
 */
export function ruleMatches(rule: Rule, context: EvaluationContext): boolean {
  const attribute = context[rule.attribute];
  if (typeof attribute !== "string" && typeof attribute !== "number" && typeof attribute !== "boolean") return false;
  const test = OPERATORS[rule.operator];
  if (rule.operator === "not_in") return !rule.values.some((value) => OPERATORS.in(attribute, value));
  return rule.values.some((value) => test(attribute, value));
}

type Scalar = string | number | boolean;
type Test = (attribute: Scalar, value: string | number) => boolean;

function toNumber(value: Scalar): number | undefined {
  if (typeof value === "number") return Number.isFinite(value) ? value : undefined;
  if (typeof value === "string" && /^-?\d+(\.\d+)?([eE][-+]?\d+)?$/.test(value)) return Number(value);
  return undefined;
}

function semverOrder(attribute: Scalar, value: string | number): number | undefined {
  const a = typeof attribute === "string" ? parseSemver(attribute) : undefined;
  const b = typeof value === "string" ? parseSemver(value) : undefined;
  return a && b ? compareSemver(a, b) : undefined;
}

const OPERATORS: Record<Operator, Test> = {
  in: (attribute, value) => String(attribute) === String(value),
  not_in: (attribute, value) => String(attribute) !== String(value),
  equals: (attribute, value) => String(attribute) === String(value),
  starts_with: (attribute, value) => String(attribute).startsWith(String(value)),
  ends_with: (attribute, value) => String(attribute).endsWith(String(value)),
  contains: (attribute, value) => String(attribute).includes(String(value)),
  gt: (attribute, value) => {
    const a = toNumber(attribute);
    return a !== undefined && typeof value === "number" && a > value;
  },
  lt: (attribute, value) => {
    const a = toNumber(attribute);
    return a !== undefined && typeof value === "number" && a < value;
  },
  semver_gt: (attribute, value) => semverOrder(attribute, value) === 1,
  semver_lt: (attribute, value) => semverOrder(attribute, value) === -1,
};
