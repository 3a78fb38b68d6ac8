import { describe, expect, it } from "vitest";
import { ruleMatches } from "../../../src/lib/flags/operators.ts";
import type { Operator } from "../../../src/lib/flags/schema.ts";
import { compareSemver, parseSemver } from "../../../src/lib/flags/semver.ts";

const matches = (operator: Operator, values: (string | number)[], attribute: unknown) =>
  ruleMatches({ attribute: "a", operator, values, variant: "on" }, attribute === undefined ? {} : { a: attribute });

describe("rule operators", () => {
  it.each([
    ["in", ["DE", "FR"], "FR", true],
    ["in", ["DE", "FR"], "SE", false],
    ["in", [5, 6], "5", true],
    ["in", ["true"], true, true],
    ["not_in", ["DE", "FR"], "SE", true],
    ["not_in", ["DE", "FR"], "DE", false],
    ["equals", ["pro"], "pro", true],
    ["equals", ["pro"], "Pro", false],
    ["starts_with", ["user-", "admin-"], "admin-7", true],
    ["starts_with", ["user-"], "superuser-1", false],
    ["ends_with", ["@example.com"], "ann@example.com", true],
    ["ends_with", ["@example.com"], "ann@example.com.evil", false],
    ["contains", ["beta"], "app-beta-2", true],
    ["contains", ["beta"], "app-stable", false],
    ["gt", [18], 21, true],
    ["gt", [18], 18, false],
    ["gt", [18], "21", true],
    ["gt", [18], "21 years", false],
    ["lt", [1.5], 1.49, true],
    ["lt", [1.5], true, false],
    ["semver_gt", ["1.2.3"], "1.10.0", true],
    ["semver_gt", ["1.2.3"], "1.2.3", false],
    ["semver_gt", ["1.0.0-rc.1"], "1.0.0", true],
    ["semver_lt", ["2.0.0"], "2.0.0-beta", true],
    ["semver_lt", ["2.0.0"], "10.0.0", false],
    ["semver_lt", ["2.0.0"], "v1.0.0", false],
    ["semver_lt", ["2.0.0"], "1.0", false],
    ["semver_lt", ["2.0.0"], 1, false],
  ] as [Operator, (string | number)[], unknown, boolean][])(
    "%s %j against %j is %s",
    (operator, values, attribute, expected) => {
      expect(matches(operator, values, attribute)).toBe(expected);
    },
  );

  it.each(["in", "not_in", "equals", "contains", "gt", "semver_gt"] as Operator[])(
    "never matches a missing or non-scalar attribute with %s",
    (operator) => {
      const values = operator === "gt" ? [0] : operator === "semver_gt" ? ["0.0.1"] : ["x"];
      expect(matches(operator, values, undefined)).toBe(false);
      expect(matches(operator, values, null)).toBe(false);
      expect(matches(operator, values, { nested: "x" })).toBe(false);
      expect(matches(operator, values, ["x"])).toBe(false);
    },
  );

  it("lets the targeting key be a rule attribute", () => {
    expect(
      ruleMatches(
        { attribute: "targetingKey", operator: "ends_with", values: ["@corp.com"], variant: "on" },
        { targetingKey: "a@corp.com" },
      ),
    ).toBe(true);
  });
});

describe("semver", () => {
  it("sorts versions by Semantic Versioning 2.0.0 precedence (semver.org §11)", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "2.0.0",
      "10.0.0",
    ];
    for (let i = 1; i < ordered.length; i++) {
      const [a, b] = [parseSemver(ordered[i - 1] as string), parseSemver(ordered[i] as string)];
      expect(a && b && compareSemver(a, b)).toBe(-1);
      expect(a && b && compareSemver(b, a)).toBe(1);
    }
  });

  it("ignores build metadata", () => {
    const [a, b] = [parseSemver("1.0.0+build.1"), parseSemver("1.0.0+build.2")];
    expect(a && b && compareSemver(a, b)).toBe(0);
  });

  it.each(["v1.0.0", "1.0", "1", "01.0.0", "1.0.0-", "1.0.0-01", "1.0.0 ", "", "1.0.0+", "a.b.c"])(
    "refuses %j as a version",
    (text) => {
      expect(parseSemver(text)).toBeUndefined();
    },
  );
});
