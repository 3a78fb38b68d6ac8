import { describe, expect, it } from "vitest";
import { experimentState } from "../../../src/lib/dashboard/experiment-form.ts";
import { flagChanges } from "../../../src/lib/dashboard/flag-diff.ts";
import { formFieldOf, readFlagFields } from "../../../src/lib/dashboard/flag-form.ts";
import { linksFromCsv, parseCsv } from "../../../src/lib/dashboard/link-csv.ts";
import type { Flag } from "../../../src/lib/flags/schema.ts";

const flag: Flag = {
  key: "f",
  description: "",
  enabled: true,
  type: "boolean",
  variants: { on: true, off: false },
  defaultVariant: "off",
  allow: ["a"],
  deny: [],
  rules: [
    { attribute: "country", operator: "in", values: ["DE"], variant: "on" },
    { attribute: "plan", operator: "equals", values: ["free"], variant: "off" },
  ],
  salt: "f",
  updatedAt: 1,
  rollout: { percentage: 10, variant: "on" },
};

describe("the flag history's diff", () => {
  it("says each change in words", () => {
    const after: Flag = {
      ...flag,
      enabled: false,
      variants: { on: true, off: false, beta: true },
      allow: ["b", "c"],
      rules: [flag.rules[1] as Flag["rules"][number], flag.rules[0] as Flag["rules"][number]],
      rollout: undefined,
    };
    expect(flagChanges(flag, after)).toEqual([
      "turned off",
      "variant beta added: true",
      "rollout: 10% get on → none",
      "allow: +2 (b, c), −1 (a)",
      'rule 2 moved to 1: plan equals "free" → off',
      'rule 1 moved to 2: country in "DE" → on',
    ]);
    expect(flagChanges(null, flag)).toEqual(["created (boolean, default off)"]);
    expect(flagChanges(flag, null)).toEqual(["deleted"]);
    expect(flagChanges(flag, { ...flag })).toEqual(["saved without changes"]);
  });
});

describe("the flag form", () => {
  it("takes the slider's value only when the number box was left as rendered (no JavaScript)", () => {
    const base = { type: "boolean", rolloutWas: "10" };
    expect(readFlagFields({ ...base, rolloutPercentage: "10", rolloutSlider: "40" }).rolloutPercentage).toBe("40");
    expect(readFlagFields({ ...base, rolloutPercentage: "25", rolloutSlider: "40" }).rolloutPercentage).toBe("25");
    expect(readFlagFields({ ...base, rolloutPercentage: "25", rolloutSlider: "25" }).rolloutPercentage).toBe("25");
  });

  it("maps lib error paths to the form's fields", () => {
    const state = readFlagFields({
      "variants.0.name": "on",
      "variants.1.name": "off",
      "rules.0.attribute": "",
      "rules.1.attribute": "x",
      "rules.1.values": "1",
    });
    expect(formFieldOf("variants.off", state)).toBe("variants.1.value");
    expect(formFieldOf("rules.0.values.0", state)).toBe("rules.1.values");
    expect(formFieldOf("rollout.variant", state)).toBe("rolloutVariant");
    expect(formFieldOf("rollout.percentage", state)).toBe("rolloutPercentage");
    expect(formFieldOf("allow.3", state)).toBe("allow");
    expect(formFieldOf("", state)).toBe("");
  });
});

describe("experiment weights on the page", () => {
  it("are shown as percentages adding up to exactly 100", () => {
    const state = experimentState({
      key: "e",
      variants: [
        { name: "a", weight: 1 },
        { name: "b", weight: 1 },
        { name: "c", weight: 1 },
      ],
      coverage: 0.5,
      status: "draft",
      salt: "e",
      goals: ["g"],
      createdAt: 0,
      updatedAt: 0,
    });
    expect(state.variants.map((v) => v.weight)).toEqual(["33.33", "33.33", "33.34"]);
    expect(state.coverage).toBe("50");
  });
});

describe("bulk CSV", () => {
  it("reads quotes, escaped quotes, CRLF and quoted line breaks, skipping blank lines", () => {
    expect(parseCsv('a,"b,c"\r\n\r\n"say ""hi""",x\n"two\nlines",y')).toEqual([
      { line: 1, cells: ["a", "b,c"] },
      { line: 3, cells: ['say "hi"', "x"] },
      { line: 4, cells: ["two\nlines", "y"] },
    ]);
  });

  it("types the optional columns and keeps each row's line", () => {
    const csv = "URL,slug,maxClicks,forwardQuery,tags,redirectStatus\nhttps://e.com,s1,5,yes,a;b,301\nhttps://e.com/2";
    expect(linksFromCsv(csv, 100)).toEqual({
      ok: true,
      items: [
        {
          line: 2,
          item: {
            url: "https://e.com",
            slug: "s1",
            maxClicks: 5,
            forwardQuery: true,
            tags: ["a", "b"],
            redirectStatus: 301,
          },
        },
        { line: 3, item: { url: "https://e.com/2" } },
      ],
    });
  });

  it("reads rows without a header as url,slug and names extra cells so the row is refused", () => {
    expect(linksFromCsv("https://e.com,s,extra", 100)).toEqual({
      ok: true,
      items: [{ line: 1, item: { url: "https://e.com", slug: "s", column3: "extra" } }],
    });
  });
});
