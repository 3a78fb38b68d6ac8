import { afterAll, describe, expect, it } from "vitest";
import { pickWeighted } from "../../../src/lib/bucketing.ts";
import { unitBuckets } from "../../../src/lib/experiments/buckets.ts";
import { cleanup, countRoundTrips, problemBody, redisCommand } from "../support.ts";
import { assign, convert, experimentInput, experimentsApp, putExperiment } from "./helpers.ts";

const t = experimentsApp("experiments-conversions");
const prefix = t.bindings.KEY_PREFIX ?? "";
afterAll(() => cleanup(prefix));

const conversionsKey = (key: string) => `${prefix}edgekit:exp:{${key}}:conv`;
const counted = (key: string, field: string) => redisCommand<string | null>("HGET", conversionsKey(key), field);

async function assignedVariant(key: string, unitId: string): Promise<string> {
  const res = await assign(t, key, { unitId });
  return ((await res.json()) as { variant: string }).variant;
}

describe("POST /api/experiments/{key}/conversions", () => {
  it("counts a conversion once per unit and goal, for the unit's stored variant", async () => {
    await putExperiment(t, "once", experimentInput({ goals: ["purchase", "signup"] }));
    const variant = await assignedVariant("once", "u1");
    const first = await convert(t, "once", { unitId: "u1", goal: "purchase" });
    expect(first.status).toBe(200);
    expect(await first.json()).toEqual({ variant, counted: true });
    const repeat = await convert(t, "once", { unitId: "u1", goal: "purchase" });
    expect(await repeat.json()).toEqual({ variant, counted: false });
    const otherGoal = await convert(t, "once", { unitId: "u1", goal: "signup" });
    expect(await otherGoal.json()).toEqual({ variant, counted: true });
    expect(await counted("once", `purchase:${variant}`)).toBe("1");
    expect(await counted("once", `signup:${variant}`)).toBe("1");
  });

  it("counts exactly 1 of 25 concurrent duplicate conversions", async () => {
    await putExperiment(t, "dupes", experimentInput());
    const variant = await assignedVariant("dupes", "u1");
    const responses = await Promise.all(
      Array.from({ length: 25 }, () => convert(t, "dupes", { unitId: "u1", goal: "purchase" })),
    );
    const bodies = (await Promise.all(responses.map((r) => r.json()))) as { counted: boolean }[];
    expect(bodies.filter((b) => b.counted)).toHaveLength(1);
    expect(await counted("dupes", `purchase:${variant}`)).toBe("1");
  });

  it("sums values per variant and goal, only for counted conversions", async () => {
    await putExperiment(t, "values", experimentInput());
    // Two units the shared bucketing function puts in different variants.
    const variantOf = (id: string) =>
      pickWeighted(experimentInput().variants, unitBuckets("values", id).variant / 10_000)?.name;
    const ids = Array.from({ length: 50 }, (_, i) => `v${i}`);
    const [a, b] = [ids.find((id) => variantOf(id) === "control"), ids.find((id) => variantOf(id) === "treatment")] as [
      string,
      string,
    ];
    expect(await assignedVariant("values", a)).toBe("control");
    expect(await assignedVariant("values", b)).toBe("treatment");
    await convert(t, "values", { unitId: a, goal: "purchase", value: 19.5 });
    await convert(t, "values", { unitId: a, goal: "purchase", value: 1000 }); // a repeat: not summed
    await convert(t, "values", { unitId: b, goal: "purchase", value: 0.25 });
    expect(await counted("values", "purchase:control:value")).toBe("19.5");
    expect(await counted("values", "purchase:treatment:value")).toBe("0.25");
  });

  it("costs one round trip over HTTP: the conversions rate-limit check runs inside the script", async () => {
    await putExperiment(t, "trips", experimentInput());
    await assignedVariant("trips", "u1");
    await assignedVariant("trips", "u2");
    await convert(t, "trips", { unitId: "u1", goal: "purchase" }); // Redis learns the script
    const { result, roundTrips } = await countRoundTrips(() => convert(t, "trips", { unitId: "u2", goal: "purchase" }));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(1);
  });

  const problem = problemBody;

  it.each([
    [
      "a unit that was never assigned",
      "refusals",
      { unitId: "stranger", goal: "purchase" },
      problem(
        409,
        "conflict",
        "Conflict",
        'Unit "stranger" was never assigned in experiment "refusals": assign it first (POST /api/experiments/refusals/assignment).',
        "/api/experiments/refusals/conversions",
      ),
    ],
    [
      "a goal the experiment does not have",
      "refusals",
      { unitId: "member", goal: "refund" },
      problem(
        422,
        "validation-failed",
        "Validation failed",
        'goal: "refund" is not a goal of experiment "refusals"',
        "/api/experiments/refusals/conversions",
        { errors: [{ path: "goal", message: '"refund" is not a goal of experiment "refusals"' }] },
      ),
    ],
    [
      "a goal name that could not be one",
      "refusals",
      { unitId: "member", goal: "re:fund" },
      problem(
        422,
        "validation-failed",
        "Validation failed",
        "goal: use 1 to 64 of A-Z a-z 0-9 _ -",
        "/api/experiments/refusals/conversions",
        { errors: [{ path: "goal", message: "use 1 to 64 of A-Z a-z 0-9 _ -" }] },
      ),
    ],
    [
      "an experiment that does not exist",
      "ghost",
      { unitId: "member", goal: "purchase" },
      problem(
        404,
        "not-found",
        "Not found",
        'No experiment "ghost". Create it with PUT /api/experiments/ghost.',
        "/api/experiments/ghost/conversions",
      ),
    ],
  ])("refuses %s and counts nothing", async (_name, key, body, expected) => {
    await putExperiment(t, "refusals", experimentInput());
    await assignedVariant("refusals", "member");
    const res = await convert(t, key, body);
    expect(res.status).toBe(expected.status);
    expect(await res.json()).toEqual(expected);
    expect(await redisCommand("EXISTS", conversionsKey("refusals"))).toBe(0);
    expect(await redisCommand("EXISTS", `${prefix}edgekit:exp:{refusals}:converted`)).toBe(0);
  });

  it("refuses conversions once the experiment is completed: its results are final", async () => {
    await putExperiment(t, "done", experimentInput());
    await assignedVariant("done", "u1");
    await putExperiment(t, "done", experimentInput({ status: "completed", winner: "control" }));
    const res = await convert(t, "done", { unitId: "u1", goal: "purchase" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual(
      problem(
        409,
        "conflict",
        "Conflict",
        'Experiment "done" is completed: its results are final.',
        "/api/experiments/done/conversions",
      ),
    );
  });

  it("still counts conversions of assigned units while the experiment is paused", async () => {
    await putExperiment(t, "paused", experimentInput());
    const variant = await assignedVariant("paused", "u1");
    await putExperiment(t, "paused", experimentInput({ status: "paused" }));
    const res = await convert(t, "paused", { unitId: "u1", goal: "purchase" });
    expect(await res.json()).toEqual({ variant, counted: true });
  });
});
