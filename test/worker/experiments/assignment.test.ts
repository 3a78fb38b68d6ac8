import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { pickWeighted } from "../../../src/lib/bucketing.ts";
import { manualClock } from "../../../src/lib/clock.ts";
import { assignUnit } from "../../../src/lib/experiments/assign.ts";
import { unitBuckets } from "../../../src/lib/experiments/buckets.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { adminHeaders, cleanup, countRoundTrips, keysWithPrefix, redisCommand } from "../support.ts";
import { assign, experimentInput, experimentsApp, putExperiment } from "./helpers.ts";

const clock = manualClock(Date.UTC(2026, 0, 1));
const t = experimentsApp("experiments-assignment", { clock });
const prefix = t.bindings.KEY_PREFIX ?? "";
const config = loadConfig(t.bindings);
const redis = createRedis(config);
afterAll(() => cleanup(prefix));

type Body = { variant: string; inExperiment: boolean; sticky: boolean; reason: string };
const assigned = async (key: string, unitId: string): Promise<Body> => {
  const res = await assign(t, key, { unitId });
  expect(res.status).toBe(200);
  return (await res.json()) as Body;
};
/** Units per variant, read with HMGET (for the variants these tests use). */
const unitsOf = async (key: string, variants = ["control", "treatment", "b", "c"]) => {
  const counts = await redisCommand<(string | null)[]>("HMGET", `${prefix}edgekit:exp:{${key}}:units`, ...variants);
  return Object.fromEntries(variants.flatMap((v, i) => (counts[i] === null ? [] : [[v, Number(counts[i])]])));
};

describe("POST /api/experiments/{key}/assignment", () => {
  it("assigns a new unit, stores it and counts one exposure; the unit then gets the same variant, sticky", async () => {
    await putExperiment(t, "sticky", experimentInput());
    const first = await assigned("sticky", "user-1");
    expect(first).toMatchObject({ inExperiment: true, sticky: false, reason: "new" });
    const again = await assigned("sticky", "user-1");
    expect(again).toEqual({ variant: first.variant, inExperiment: true, sticky: true, reason: "assigned" });
    expect(await unitsOf("sticky")).toEqual({ [first.variant]: 1 });
  });

  it("keeps every assigned unit on its variant when the weights, salt or coverage change", async () => {
    await putExperiment(t, "reweigh", experimentInput());
    const units = Array.from({ length: 200 }, (_, i) => `unit-${i}`);
    const before = await Promise.all(units.map((u) => assigned("reweigh", u)));
    expect(new Set(before.map((b) => b.variant))).toEqual(new Set(["control", "treatment"]));
    await putExperiment(
      t,
      "reweigh",
      experimentInput({
        variants: [
          { name: "control", weight: 1 },
          { name: "treatment", weight: 99 },
        ],
      }),
    );
    const after = await Promise.all(units.map((u) => assigned("reweigh", u)));
    expect(after.map((a) => a.variant)).toEqual(before.map((b) => b.variant));
    expect(after.every((a) => a.sticky)).toBe(true);
    // A new unit follows the new weights: 99% treatment.
    const fresh = await Promise.all(Array.from({ length: 100 }, (_, i) => assigned("reweigh", `new-${i}`)));
    expect(fresh.filter((f) => f.variant === "treatment").length).toBeGreaterThanOrEqual(95);
    // Nor do a new salt and a lower coverage move anyone.
    await putExperiment(t, "reweigh", experimentInput({ salt: "another-salt", coverage: 0.1 }));
    const later = await Promise.all(units.map((u) => assigned("reweigh", u)));
    expect(later.map((a) => a.variant)).toEqual(before.map((b) => b.variant));
  });

  it.each([
    ["paused", { status: "paused" }, { variant: "control", inExperiment: false, sticky: false, reason: "paused" }],
    ["draft", { status: "draft" }, { variant: "control", inExperiment: false, sticky: false, reason: "draft" }],
    [
      "completed",
      { status: "completed", winner: "treatment" },
      { variant: "treatment", inExperiment: false, sticky: false, reason: "completed" },
    ],
  ])("gives everyone the same answer and records nothing when %s", async (status, overrides, expected) => {
    const key = `status-${status}`;
    await putExperiment(t, key, experimentInput());
    await assigned(key, "was-assigned"); // a unit assigned while running
    const exposures = await unitsOf(key);
    await putExperiment(t, key, experimentInput(overrides));
    const answers = await Promise.all(["was-assigned", "a", "b", "c"].map((u) => assigned(key, u)));
    expect(answers).toEqual(Array(4).fill(expected));
    expect(await unitsOf(key)).toEqual(exposures);
    expect(await redisCommand("HLEN", `${prefix}edgekit:exp:{${key}}:assign`)).toBe(1);
  });

  it("gives units outside coverage the control without recording them, and splits the rest by weight", async () => {
    await putExperiment(t, "quarter", experimentInput({ coverage: 0.25 }));
    const answers = await Promise.all(Array.from({ length: 400 }, (_, i) => assigned("quarter", `q-${i}`)));
    const inside = answers.filter((a) => a.inExperiment);
    const outside = answers.filter((a) => !a.inExperiment);
    expect(outside.every((a) => a.variant === "control" && a.reason === "outside_coverage")).toBe(true);
    // Each unit's fate is exactly what the shared bucketing function says.
    const expectedInside = Array.from({ length: 400 }, (_, i) => unitBuckets("quarter", `q-${i}`).coverage < 2500);
    expect(answers.map((a) => a.inExperiment)).toEqual(expectedInside);
    expect(inside.length).toBeGreaterThan(60);
    expect(inside.length).toBeLessThan(140);
    const units = await unitsOf("quarter");
    expect((units.control ?? 0) + (units.treatment ?? 0)).toBe(inside.length);
  });

  it("answers 404 for an experiment that does not exist, and 422 for a missing unit id", async () => {
    const missing = await assign(t, "no-such-experiment", { unitId: "u" });
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      type: "https://edgekit.dev/problems/not-found",
      title: "Not found",
      status: 404,
      detail: 'No experiment "no-such-experiment". Create it with PUT /api/experiments/no-such-experiment.',
      instance: "/api/experiments/no-such-experiment/assignment",
    });
    const invalid = await assign(t, "sticky", { unitId: "" });
    expect(invalid.status).toBe(422);
    expect(await invalid.json()).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: "unitId: Too small: expected string to have >=1 characters",
      instance: "/api/experiments/sticky/assignment",
      errors: [{ path: "unitId", message: "Too small: expected string to have >=1 characters" }],
    });
  });

  it("counts exactly one exposure for 20 concurrent first assignments of one unit", async () => {
    await putExperiment(t, "race", experimentInput());
    const answers = await Promise.all(Array.from({ length: 20 }, () => assigned("race", "same-unit")));
    expect(new Set(answers.map((a) => a.variant)).size).toBe(1);
    expect(answers.filter((a) => !a.sticky)).toHaveLength(1);
    const units = await unitsOf("race");
    expect(Object.values(units).reduce((a, b) => a + b, 0)).toBe(1);
  });

  it("costs exactly one proxy request per assignment over HTTP, rate-limit check included", async () => {
    await putExperiment(t, "one-trip", experimentInput());
    await assigned("one-trip", "warm-up"); // Redis learns the script
    const fresh = await countRoundTrips(() => assign(t, "one-trip", { unitId: "fresh" }));
    expect(fresh.result.status).toBe(200);
    expect(fresh.roundTrips).toBe(1);
    expect(fresh.result.headers.get("ratelimit")).toMatch(/^"default";r=\d+;t=\d+$/);
    const returning = await countRoundTrips(() => assign(t, "one-trip", { unitId: "fresh" }));
    expect(returning.roundTrips).toBe(1);
  });

  it("costs one round trip in assignUnit, and one more once per isolate for a custom salt", async () => {
    await putExperiment(t, "plain", experimentInput());
    await assignUnit(redis, config, { key: "plain", unitId: "warm-up" }); // Redis learns the script
    const plain = await countRoundTrips(() => assignUnit(redis, config, { key: "plain", unitId: "p-1" }));
    expect(plain.roundTrips).toBe(1);
    await putExperiment(t, "salted", experimentInput({ salt: "custom-salt" }));
    const first = await countRoundTrips(() => assignUnit(redis, config, { key: "salted", unitId: "s-1" }));
    expect(first.roundTrips).toBe(2); // the script names the salt; this isolate remembers it
    const second = await countRoundTrips(() => assignUnit(redis, config, { key: "salted", unitId: "s-2" }));
    expect(second.roundTrips).toBe(1);
    // Buckets came from the custom salt, not from the key.
    for (const [unitId, answer] of [
      ["s-1", first.result],
      ["s-2", second.result],
    ] as const) {
      const position = unitBuckets("custom-salt", unitId).variant / 10_000;
      expect(answer.variant).toBe(pickWeighted(experimentInput().variants, position)?.name);
    }
  });

  it("refuses with 429 and assigns nothing once the client is over its limit", async () => {
    const limited = experimentsApp("experiments-limited");
    try {
      const strict = { ...limited, bindings: { ...limited.bindings, RATE_LIMITS: '{"default":{"limit":2}}' } };
      const request = (unitId: string) =>
        limited.app.request(
          "http://edgekit.test/api/experiments/limited/assignment",
          {
            method: "POST",
            headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.9" },
            body: JSON.stringify({ unitId }),
          },
          strict.bindings,
        );
      await putExperiment(limited, "limited", experimentInput());
      expect((await request("a")).status).toBe(200);
      expect((await request("b")).status).toBe(200);
      const refused = await request("c");
      expect(refused.status).toBe(429);
      expect(await redisCommand("HEXISTS", `${limited.bindings.KEY_PREFIX}edgekit:exp:{limited}:assign`, "c")).toBe(0);
    } finally {
      await cleanup(limited.bindings.KEY_PREFIX ?? "");
    }
  });
});

describe("the 50/50 split", () => {
  it("puts 10,000 units within ±2% of 50/50, each exactly where the shared bucketing function says", async () => {
    await putExperiment(t, "fifty", experimentInput());
    const ids = Array.from({ length: 10_000 }, (_, i) => `user-${i}`);
    const answers: string[] = [];
    for (let i = 0; i < ids.length; i += 1000) {
      const batch = ids.slice(i, i + 1000).map((unitId) => assignUnit(redis, config, { key: "fifty", unitId }));
      answers.push(...(await Promise.all(batch)).map((a) => a.variant));
    }
    const variants = experimentInput().variants;
    expect(answers).toEqual(ids.map((id) => pickWeighted(variants, unitBuckets("fifty", id).variant / 10_000)?.name));
    const units = await unitsOf("fifty");
    expect((units.control ?? 0) + (units.treatment ?? 0)).toBe(10_000);
    expect(Math.abs((units.treatment ?? 0) / 10_000 - 0.5)).toBeLessThan(0.02);
  });

  it("answers over HTTP what the script stored, for a sample of 300 of those units", async () => {
    const ids = Array.from({ length: 300 }, (_, i) => `user-${i * 33}`);
    const answers = await Promise.all(ids.map((unitId) => assigned("fifty", unitId)));
    const stored = await redisCommand<string[]>("HMGET", `${prefix}edgekit:exp:{fifty}:assign`, ...ids);
    expect(answers.map((a) => a.variant)).toEqual(stored);
    expect(answers.every((a) => a.sticky)).toBe(true);
  });

  it("passes the sample ratio check on those 10,000 real assignments", async () => {
    const res = await t.request("/api/experiments/fifty/results", { headers: adminHeaders() });
    const { sampleRatio, variants } = (await res.json()) as {
      sampleRatio: { pValue: number; flagged: boolean };
      variants: { units: number }[];
    };
    expect(variants.reduce((sum, v) => sum + v.units, 0)).toBe(10_000);
    expect(sampleRatio.flagged).toBe(false);
    expect(sampleRatio.pValue).toBeGreaterThan(0.001);
  });

  it("has the script pick exactly what pickWeighted picks for uneven weights (3 : 1.5 : 0.7)", async () => {
    const variants = [
      { name: "control", weight: 3 },
      { name: "b", weight: 1.5 },
      { name: "c", weight: 0.7 },
    ];
    await putExperiment(t, "split", experimentInput({ variants }));
    const ids = Array.from({ length: 2000 }, (_, i) => `user-${i}`);
    const answers = await Promise.all(ids.map((unitId) => assignUnit(redis, config, { key: "split", unitId })));
    const expected = ids.map((id) => pickWeighted(variants, unitBuckets("split", id).variant / 10_000)?.name);
    expect(answers.map((a) => a.variant)).toEqual(expected);
  });

  it("keeps every key of an experiment under its hash tag", async () => {
    const keys = (await keysWithPrefix(`${prefix}edgekit:exp`)).filter((k) => k.includes("{split}"));
    expect(keys.sort()).toEqual(
      [
        `${prefix}edgekit:exp:{split}`,
        `${prefix}edgekit:exp:{split}:assign`,
        `${prefix}edgekit:exp:{split}:daily`,
        `${prefix}edgekit:exp:{split}:units`,
      ].sort(),
    );
  });
});
