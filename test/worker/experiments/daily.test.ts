import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { powerEstimate } from "../../../src/lib/experiments/power.ts";
import { cleanup } from "../support.ts";
import { adminGet, assign, convert, experimentInput, experimentsApp, putExperiment } from "./helpers.ts";

const clock = manualClock(Date.UTC(2026, 2, 10, 12));
const t = experimentsApp("experiments-daily", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX as string));

const DAY = 86_400_000;

interface Daily {
  day: string;
  units: number;
  conversions: Record<string, number>;
}

describe("exposures and conversions per day", () => {
  it("count new units on the day they were first assigned and conversions on the day they came", async () => {
    await putExperiment(t, "daily", experimentInput({ goals: ["purchase", "signup"] }));
    for (const unitId of ["a", "b", "c"]) await assign(t, "daily", { unitId });
    await assign(t, "daily", { unitId: "a" }); // returning: not a new exposure
    await convert(t, "daily", { unitId: "a", goal: "purchase" });
    clock.advance(2 * DAY);
    await assign(t, "daily", { unitId: "d" });
    await convert(t, "daily", { unitId: "b", goal: "purchase" });
    await convert(t, "daily", { unitId: "b", goal: "purchase" }); // once per unit and goal
    await convert(t, "daily", { unitId: "d", goal: "signup" });

    const results = (await (await adminGet(t, "/api/experiments/daily/results")).json()) as { daily: Daily[] };
    // Two weeks at least, ending on the last day with data, gaps filled with zeros.
    expect(results.daily).toHaveLength(14);
    expect(results.daily.at(0)?.day).toBe("2026-02-27");
    expect(results.daily.slice(-3)).toEqual([
      { day: "2026-03-10", units: 3, conversions: { purchase: 1, signup: 0 } },
      { day: "2026-03-11", units: 0, conversions: { purchase: 0, signup: 0 } },
      { day: "2026-03-12", units: 1, conversions: { purchase: 1, signup: 1 } },
    ]);
  });

  it("are deleted with the experiment", async () => {
    const res = await t.request("/api/experiments/daily", {
      method: "DELETE",
      headers: { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}` },
    });
    expect(res.status).toBe(204);
    await putExperiment(t, "daily", experimentInput());
    const results = (await (await adminGet(t, "/api/experiments/daily/results")).json()) as { daily: Daily[] };
    expect(results.daily).toEqual([]);
  });
});

describe("the power estimate", () => {
  it.each([
    // 10% against 12%: Fleiss' n without continuity correction is 3841 per arm.
    [
      { units: 1000, conversions: 100 },
      { units: 1000, conversions: 120 },
      { perArm: 3841, more: 5682 },
    ],
    // 30% against 25% with 10 and 20 units: far from enough.
    [
      { units: 10, conversions: 3 },
      { units: 20, conversions: 5 },
      { perArm: 1251, more: 2472 },
    ],
    // A large difference on many units: already enough.
    [
      { units: 5000, conversions: 500 },
      { units: 5000, conversions: 1000 },
      { perArm: 199, more: 0 },
    ],
  ])("asks %o against %o for %o", (control, treatment, expected) => {
    expect(powerEstimate(control, treatment)).toEqual(expected);
  });

  it("has nothing to estimate without a difference or without units", () => {
    expect(powerEstimate({ units: 100, conversions: 10 }, { units: 50, conversions: 5 })).toBeNull();
    expect(powerEstimate({ units: 0, conversions: 0 }, { units: 50, conversions: 5 })).toBeNull();
  });
});
