import { afterAll, describe, expect, it } from "vitest";
import { cleanup, countRoundTrips, redisCommand } from "../support.ts";
import { adminGet, assign, convert, experimentInput, experimentsApp, putExperiment } from "./helpers.ts";

const t = experimentsApp("experiments-results");
const prefix = t.bindings.KEY_PREFIX ?? "";
afterAll(() => cleanup(prefix));

interface Results {
  variants: {
    name: string;
    control: boolean;
    units: number;
    goals: Record<
      string,
      {
        conversions: number;
        rate: number | null;
        valueSum: number;
        pValue: number | null;
        ci95: [number, number] | null;
        absoluteLift: number | null;
        relativeLift: number | null;
        z: number | null;
      }
    >;
  }[];
  sampleRatio: { chiSquare: number; degreesOfFreedom: number; pValue: number; flagged: boolean };
}

const results = async (key: string) => {
  const res = await adminGet(t, `/api/experiments/${key}/results`);
  expect(res.status).toBe(200);
  return (await res.json()) as Results;
};

/** Writes counters straight into Redis: a data set as the scripts would have left it. */
async function seed(key: string, units: Record<string, number>, conversions: Record<string, number>) {
  const base = `${prefix}edgekit:exp:{${key}}`;
  await redisCommand("HSET", `${base}:units`, ...Object.entries(units).flat());
  if (Object.keys(conversions).length > 0)
    await redisCommand("HSET", `${base}:conv`, ...Object.entries(conversions).flat());
}

describe("GET /api/experiments/{key}/results", () => {
  it("computes rates, lift, the Wald interval and the z-test of the worked 10% vs 13% example", async () => {
    await putExperiment(t, "worked", experimentInput());
    await seed("worked", { control: 1000, treatment: 1000 }, { "purchase:control": 100, "purchase:treatment": 130 });
    const body = await results("worked");
    expect(body.variants[0]).toEqual({
      name: "control",
      weight: 50,
      control: true,
      units: 1000,
      goals: {
        purchase: {
          conversions: 100,
          rate: 0.1,
          valueSum: 0,
          absoluteLift: null,
          relativeLift: null,
          ci95: null,
          z: null,
          pValue: null,
        },
      },
    });
    const treatment = body.variants[1]?.goals.purchase;
    // The numbers worked by hand in stats.test.ts.
    expect(treatment?.rate).toBe(0.13);
    expect(treatment?.absoluteLift).toBeCloseTo(0.03, 12);
    expect(treatment?.relativeLift).toBeCloseTo(0.3, 12);
    expect(treatment?.ci95?.[0]).toBeCloseTo(0.0020679344393763656, 10);
    expect(treatment?.ci95?.[1]).toBeCloseTo(0.057932065560623636, 10);
    expect(treatment?.z).toBeCloseTo(2.102740605622114, 10);
    expect(treatment?.pValue).toBeCloseTo(0.03548845046647471, 10);
    expect(body.sampleRatio).toEqual({ chiSquare: 0, degreesOfFreedom: 1, pValue: 1, flagged: false });
  });

  it("flags a sample ratio mismatch on 5,200 / 4,800 against 50/50 (χ² = 16, p = 6.3e-5)", async () => {
    await putExperiment(t, "skewed", experimentInput());
    await seed("skewed", { control: 5200, treatment: 4800 }, {});
    const { sampleRatio } = await results("skewed");
    expect(sampleRatio.chiSquare).toBeCloseTo(16, 10);
    expect(sampleRatio.pValue).toBeCloseTo(6.334248366623988e-5, 15);
    expect(sampleRatio.flagged).toBe(true);
  });

  it("does not flag 5,050 / 4,950 against 50/50 (χ² = 1, p = 0.317)", async () => {
    await putExperiment(t, "fair", experimentInput());
    await seed("fair", { control: 5050, treatment: 4950 }, {});
    const { sampleRatio } = await results("fair");
    expect(sampleRatio.pValue).toBeCloseTo(0.31731050786291115, 10);
    expect(sampleRatio.flagged).toBe(false);
  });

  it("reports real traffic end to end: units from assignments, conversions and values from conversions", async () => {
    await putExperiment(t, "live", experimentInput());
    const ids = Array.from({ length: 100 }, (_, i) => `u${i}`);
    const variants = await Promise.all(
      ids.map(async (unitId) => ((await (await assign(t, "live", { unitId })).json()) as { variant: string }).variant),
    );
    const buyers = ids.filter((_, i) => i % 4 === 0);
    await Promise.all(buyers.map((unitId) => convert(t, "live", { unitId, goal: "purchase", value: 10 })));
    const body = await results("live");
    for (const variant of body.variants) {
      const mine = ids.filter((_, i) => variants[i] === variant.name);
      const bought = buyers.filter((b) => mine.includes(b)).length;
      expect(variant.units).toBe(mine.length);
      expect(variant.goals.purchase?.conversions).toBe(bought);
      expect(variant.goals.purchase?.valueSum).toBe(bought * 10);
      expect(variant.goals.purchase?.rate).toBeCloseTo(bought / mine.length, 12);
    }
  });

  it("reads everything in one round trip and answers 404 for an unknown experiment", async () => {
    await putExperiment(t, "trip", experimentInput());
    await adminGet(t, "/api/experiments/trip/results"); // Redis learns the script
    const baseline = await countRoundTrips(() => adminGet(t, "/api/experiments/trip/nothing-here"));
    const { roundTrips } = await countRoundTrips(() => adminGet(t, "/api/experiments/trip/results"));
    expect(roundTrips).toBe(baseline.roundTrips + 1);
    const missing = await adminGet(t, "/api/experiments/nope/results");
    expect(missing.status).toBe(404);
  });
});
