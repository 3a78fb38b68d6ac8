import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketOf } from "../../../src/lib/bucketing.ts";
import { checkContext } from "../../../src/lib/flags/context.ts";
import { type Evaluation, evaluate } from "../../../src/lib/flags/evaluate.ts";
import { booleanFlag } from "./fixtures.ts";

/** The resolved value, or undefined for an error. */
const resolvedValue = (evaluation: Evaluation) => ("value" in evaluation ? evaluation.value : undefined);
const users = (n: number) => Array.from({ length: n }, (_, i) => `user-${i}`);
const onCount = (flag: ReturnType<typeof booleanFlag>, ids: string[]) =>
  ids.filter((id) => resolvedValue(evaluate(flag, { targetingKey: id })) === true).length;

describe("percentage rollout", () => {
  it("puts 10,000 synthetic users at 30% within 30% ± 1.5%", () => {
    const flag = booleanFlag({ rollout: { percentage: 30, variant: "on" } });
    const share = onCount(flag, users(10_000)) / 10_000;
    expect(share).toBeGreaterThanOrEqual(0.285);
    expect(share).toBeLessThanOrEqual(0.315);
  });

  it("only adds users as the percentage rises and only removes them as it falls", () => {
    const ids = users(5000);
    const inside = (percentage: number) =>
      new Set(
        ids.filter((id) =>
          resolvedValue(evaluate(booleanFlag({ rollout: { percentage, variant: "on" } }), { targetingKey: id })),
        ),
      );
    const steps = [0, 1, 5, 10, 25, 30, 50, 75, 99.5, 100];
    for (let i = 1; i < steps.length; i++) {
      const smaller = inside(steps[i - 1] as number);
      const larger = inside(steps[i] as number);
      for (const id of smaller) expect(larger.has(id)).toBe(true);
    }
    expect(inside(0).size).toBe(0);
    expect(inside(100).size).toBe(ids.length);
  });

  it("never takes a user out when the percentage rises, for any salt, user and pair of percentages", () => {
    const percentage = fc.integer({ min: 0, max: 10_000 }).map((n) => n / 100);
    fc.assert(
      fc.property(fc.string(), fc.string({ minLength: 1 }), percentage, percentage, (salt, user, p, q) => {
        const [low, high] = p <= q ? [p, q] : [q, p];
        const inside = (percentage: number) =>
          resolvedValue(
            evaluate(booleanFlag({ salt, rollout: { percentage, variant: "on" } }), { targetingKey: user }),
          );
        return !inside(low) || inside(high) === true;
      }),
      { numRuns: 2000 },
    );
  });

  it("gives the same user the same answer on every call", () => {
    const flag = booleanFlag({ rollout: { percentage: 50, variant: "on" } });
    for (const id of users(200)) {
      const first = evaluate(flag, { targetingKey: id });
      for (let i = 0; i < 5; i++) expect(evaluate(flag, { targetingKey: id })).toEqual(first);
    }
  });

  it("buckets by the shared function: bucket of salt:targetingKey below percentage × 100", () => {
    const flag = booleanFlag({ salt: "s1", rollout: { percentage: 42.5, variant: "on" } });
    for (const id of users(500)) {
      expect(resolvedValue(evaluate(flag, { targetingKey: id }))).toBe(bucketOf("s1", id) < 4250);
    }
  });

  it("lets a per-flag salt pick different first users for different flags", () => {
    const ids = users(10_000);
    const a = booleanFlag({ salt: "flag-a", rollout: { percentage: 10, variant: "on" } });
    const b = booleanFlag({ salt: "flag-b", rollout: { percentage: 10, variant: "on" } });
    const both = ids.filter(
      (id) => resolvedValue(evaluate(a, { targetingKey: id })) && resolvedValue(evaluate(b, { targetingKey: id })),
    );
    // Independent 10% samples overlap in about 1% of users, not 10%.
    expect(both.length).toBeGreaterThan(50);
    expect(both.length).toBeLessThan(200);
  });
});

describe("precedence: disabled → deny → allow → rules → rollout → default", () => {
  // One flag where every step would give a different answer, so each row shows which step won.
  const flag = booleanFlag({
    type: "string",
    variants: { fallback: "default", allowed: "allowed", ruled: "ruled", rolled: "rolled" },
    defaultVariant: "fallback",
    allow: ["both-lists", "allowed-user"],
    deny: ["both-lists", "denied-user"],
    rules: [
      { attribute: "plan", operator: "equals", values: ["pro"], variant: "ruled" },
      { attribute: "plan", operator: "starts_with", values: ["p"], variant: "allowed" },
    ],
    rollout: { percentage: 100, variant: "rolled" },
  });
  const rows = [
    {
      name: "a disabled flag ignores everything else",
      enabled: false,
      context: { targetingKey: "allowed-user", plan: "pro" },
      value: "default",
      reason: "DISABLED",
    },
    {
      name: "deny beats allow",
      enabled: true,
      context: { targetingKey: "both-lists", plan: "pro" },
      value: "default",
      reason: "TARGETING_MATCH",
    },
    {
      name: "deny beats rules and rollout",
      enabled: true,
      context: { targetingKey: "denied-user", plan: "pro" },
      value: "default",
      reason: "TARGETING_MATCH",
    },
    {
      name: "allow gives the rollout variant and beats rules",
      enabled: true,
      context: { targetingKey: "allowed-user", plan: "pro" },
      value: "rolled",
      reason: "TARGETING_MATCH",
    },
    {
      name: "the first matching rule wins",
      enabled: true,
      context: { targetingKey: "someone", plan: "pro" },
      value: "ruled",
      reason: "TARGETING_MATCH",
    },
    {
      name: "a later rule matches when the first does not",
      enabled: true,
      context: { targetingKey: "someone", plan: "plus" },
      value: "allowed",
      reason: "TARGETING_MATCH",
    },
    {
      name: "rules beat the rollout",
      enabled: true,
      context: { targetingKey: "someone", plan: "pro" },
      value: "ruled",
      reason: "TARGETING_MATCH",
    },
    {
      name: "the rollout applies when no rule matches",
      enabled: true,
      context: { targetingKey: "someone", plan: "free" },
      value: "rolled",
      reason: "SPLIT",
    },
  ];
  it.each(rows)("$name", ({ enabled, context, value, reason }) => {
    expect(evaluate({ ...flag, enabled }, context)).toMatchObject({ value, reason });
  });

  it("gives the default variant with reason DEFAULT when targeting exists but nothing matched", () => {
    const { rollout: _, ...noRollout } = flag;
    expect(evaluate({ ...noRollout, allow: [] }, { targetingKey: "someone", plan: "free" })).toEqual({
      key: "new-checkout",
      value: "default",
      variant: "fallback",
      reason: "DEFAULT",
      metadata: {},
    });
  });
});

describe("reasons and error codes", () => {
  it.each([
    ["STATIC", booleanFlag({ defaultVariant: "on" }), { targetingKey: "u" }, { value: true, variant: "on" }],
    [
      "DISABLED",
      booleanFlag({ enabled: false, rollout: { percentage: 100, variant: "on" } }),
      {},
      { value: false, variant: "off" },
    ],
    [
      "TARGETING_MATCH",
      booleanFlag({ allow: ["u"], rollout: { percentage: 0, variant: "on" } }),
      { targetingKey: "u" },
      { value: true, variant: "on" },
    ],
    [
      "SPLIT",
      booleanFlag({ rollout: { percentage: 100, variant: "on" } }),
      { targetingKey: "u" },
      { value: true, variant: "on" },
    ],
    ["DEFAULT", booleanFlag({ deny: ["x"] }), { targetingKey: "u" }, { value: false, variant: "off" }],
  ])("answers reason %s", (reason, flag, context, expected) => {
    expect(evaluate(flag, context)).toEqual({ key: "new-checkout", ...expected, reason, metadata: {} });
  });

  it("keeps the description out of the metadata: evaluation is public, descriptions are admin notes", () => {
    expect(evaluate(booleanFlag({ description: "Checkout v2 for ACME only" }), {}).metadata).toEqual({});
  });

  it("answers SPLIT for users outside the rollout too: their value also came from the split", () => {
    expect(evaluate(booleanFlag({ rollout: { percentage: 0, variant: "on" } }), { targetingKey: "u" })).toMatchObject({
      value: false,
      reason: "SPLIT",
    });
  });

  const failure = (errorCode: string, errorDetails: string) => ({
    key: "new-checkout",
    reason: "ERROR",
    errorCode,
    errorDetails,
    metadata: {},
  });

  it("answers TARGETING_KEY_MISSING when a rollout is reached without a targeting key", () => {
    expect(evaluate(booleanFlag({ rollout: { percentage: 50, variant: "on" } }), { plan: "pro" })).toEqual(
      failure("TARGETING_KEY_MISSING", "new-checkout has a percentage rollout: send context.targetingKey"),
    );
  });

  it("needs no targeting key when a rule decides first", () => {
    const flag = booleanFlag({
      rules: [{ attribute: "plan", operator: "in", values: ["pro"], variant: "on" }],
      rollout: { percentage: 50, variant: "on" },
    });
    expect(evaluate(flag, { plan: "pro" })).toMatchObject({ value: true, reason: "TARGETING_MATCH" });
  });

  it("answers TYPE_MISMATCH when the caller expects another type", () => {
    expect(evaluate(booleanFlag(), {}, { expectedType: "string" })).toEqual(
      failure("TYPE_MISMATCH", "new-checkout is a boolean flag, not string"),
    );
  });

  it("answers TYPE_MISMATCH when a hand-built flag holds a value of the wrong type", () => {
    expect(evaluate(booleanFlag({ variants: { on: true, off: "no" } }), {})).toEqual(
      failure("TYPE_MISMATCH", 'variant "off" of new-checkout is not a boolean'),
    );
  });

  it("answers GENERAL when a hand-built flag refers to a variant it does not define", () => {
    expect(evaluate(booleanFlag({ defaultVariant: "missing" }), {})).toEqual(
      failure("GENERAL", 'new-checkout refers to variant "missing", which it does not define'),
    );
  });
});

describe("checkContext", () => {
  it.each([
    ["a string", "user-1", "context must be a JSON object"],
    ["an array", [], "context must be a JSON object"],
    ["a numeric targeting key", { targetingKey: 42 }, "targetingKey must be a non-empty string"],
    ["an empty targeting key", { targetingKey: "" }, "targetingKey must be a non-empty string"],
    [
      "a targeting key over 256 characters",
      { targetingKey: "x".repeat(257) },
      "targetingKey is longer than 256 characters",
    ],
    ["an attribute over 1024 characters", { note: "x".repeat(1025) }, "note is longer than 1024 characters"],
    [
      "101 attributes",
      Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`a${i}`, i])),
      "context may hold at most 100 attributes",
    ],
  ])("refuses %s", (_, input, details) => {
    expect(checkContext(input)).toEqual({ ok: false, details });
  });

  it("accepts a missing context as an empty one", () => {
    expect(checkContext(undefined)).toEqual({ ok: true, context: {} });
  });
});
