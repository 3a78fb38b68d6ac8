import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import {
  adminHeaders,
  cleanup,
  countRoundTrips,
  jsonHeaders,
  keysWithPrefix,
  problemBody,
  redisCommand,
} from "../support.ts";
import { adminGet, assign, experimentInput, experimentsApp, putExperiment } from "./helpers.ts";

const clock = manualClock(Date.UTC(2026, 0, 1));
const t = experimentsApp("experiments-admin", { clock });
const prefix = t.bindings.KEY_PREFIX ?? "";
afterAll(() => cleanup(prefix));

const problem = problemBody;

describe("PUT /api/experiments/{key}", () => {
  it("creates an experiment with 201, filling in coverage, salt and the times", async () => {
    const res = await putExperiment(t, "checkout", experimentInput());
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      key: "checkout",
      variants: [
        { name: "control", weight: 50 },
        { name: "treatment", weight: 50 },
      ],
      coverage: 1,
      status: "running",
      salt: "checkout",
      goals: ["purchase"],
      createdAt: clock.now(),
      updatedAt: clock.now(),
    });
  });

  it("replaces an experiment with 200, keeping when it was created", async () => {
    await putExperiment(t, "replace-me", experimentInput());
    const created = clock.now();
    clock.advance(60_000);
    const res = await putExperiment(t, "replace-me", experimentInput({ status: "completed", winner: "treatment" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      status: "completed",
      winner: "treatment",
      createdAt: created,
      updatedAt: clock.now(),
    });
  });

  it("refuses to remove a variant that already holds units, and writes nothing", async () => {
    await putExperiment(
      t,
      "keep-variants",
      experimentInput({
        variants: [
          { name: "a", weight: 1 },
          { name: "b", weight: 1 },
          { name: "c", weight: 1 },
        ],
      }),
    );
    // Assign until every variant holds a unit.
    for (let i = 0; i < 30; i++) await assign(t, "keep-variants", { unitId: `u${i}` });
    const res = await putExperiment(
      t,
      "keep-variants",
      experimentInput({
        variants: [
          { name: "a", weight: 1 },
          { name: "b", weight: 1 },
        ],
      }),
    );
    const units = Number(await redisCommand("HGET", `${prefix}edgekit:exp:{keep-variants}:units`, "c"));
    expect(units).toBeGreaterThan(0);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual(
      problem(
        409,
        "conflict",
        "Conflict",
        `Variant "c" already holds ${units} units: variants may be added or reweighted, not removed.`,
        "/api/experiments/keep-variants",
        { variant: "c", units },
      ),
    );
    const stored = await adminGet(t, "/api/experiments/keep-variants");
    expect(((await stored.json()) as { variants: unknown[] }).variants).toHaveLength(3);
  });

  const invalid = (path: string, message: string) => ({ path, message });
  it.each([
    ["one variant", { variants: [{ name: "only", weight: 1 }] }, [invalid("variants", "at least 2 variants")]],
    [
      "eleven variants",
      { variants: Array.from({ length: 11 }, (_, i) => ({ name: `v${i}`, weight: 1 })) },
      [invalid("variants", "at most 10 variants")],
    ],
    [
      "duplicate variant names",
      {
        variants: [
          { name: "a", weight: 1 },
          { name: "a", weight: 2 },
        ],
      },
      [invalid("variants", "variant names must be unique")],
    ],
    [
      "a zero weight",
      {
        variants: [
          { name: "a", weight: 0 },
          { name: "b", weight: 1 },
        ],
      },
      [invalid("variants.0.weight", "must be > 0")],
    ],
    [
      "a variant name with a colon",
      {
        variants: [
          { name: "a:b", weight: 1 },
          { name: "b", weight: 1 },
        ],
      },
      [invalid("variants.0.name", "use 1 to 64 of A-Z a-z 0-9 _ -")],
    ],
    ["coverage above 1", { coverage: 1.5 }, [invalid("coverage", "Too big: expected number to be <=1")]],
    [
      "an unknown status",
      { status: "live" },
      [invalid("status", 'Invalid option: expected one of "draft"|"running"|"paused"|"completed"')],
    ],
    ["a winner that is no variant", { winner: "nobody" }, [invalid("winner", "must be one of the variants")]],
    [
      "completed without a winner",
      { status: "completed" },
      [invalid("winner", "is required when status is completed")],
    ],
    ["no goals", { goals: [] }, [invalid("goals", "at least 1 goal")]],
    ["21 goals", { goals: Array.from({ length: 21 }, (_, i) => `g${i}`) }, [invalid("goals", "at most 20 goals")]],
    ["duplicate goals", { goals: ["buy", "buy"] }, [invalid("goals", "goal names must be unique")]],
    ["an unknown field", { weights: [1, 1] }, [invalid("", 'Unrecognized key: "weights"')]],
  ])("answers 422 naming the field for %s", async (_name, overrides, errors) => {
    const res = await putExperiment(t, "invalid", experimentInput(overrides));
    expect(res.status).toBe(422);
    const first = errors[0] as { path: string; message: string };
    expect(await res.json()).toEqual(
      problem(
        422,
        "validation-failed",
        "Validation failed",
        `${first.path || "body"}: ${first.message}`,
        "/api/experiments/invalid",
        {
          errors,
        },
      ),
    );
    expect((await adminGet(t, "/api/experiments/invalid")).status).toBe(404);
  });

  it("answers 422 for a key that cannot be a Redis key part", async () => {
    const res = await putExperiment(t, "bad%7Bkey%7D", experimentInput());
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual(
      problem(
        422,
        "validation-failed",
        "Validation failed",
        "param.key: use 1 to 128 of A-Z a-z 0-9 _ . -",
        "/api/experiments/bad{key}",
        {
          errors: [{ path: "param.key", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }],
        },
      ),
    );
  });

  it("answers 401 without the admin token", async () => {
    const res = await t.request("/api/experiments/checkout", {
      method: "PUT",
      headers: jsonHeaders(),
      body: JSON.stringify(experimentInput()),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(
      problem(
        401,
        "unauthorized",
        "Unauthorized",
        "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.",
        "/api/experiments/checkout",
      ),
    );
  });
});

describe("GET, DELETE and the list", () => {
  it("reads an experiment as stored", async () => {
    await putExperiment(t, "readable", experimentInput({ salt: "s-1", coverage: 0.25 }));
    const res = await adminGet(t, "/api/experiments/readable");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: "readable", salt: "s-1", coverage: 0.25 });
  });

  it("answers 404 with a problem that says how to create it", async () => {
    const res = await adminGet(t, "/api/experiments/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toEqual(
      problem(
        404,
        "not-found",
        "Not found",
        'No experiment "nope". Create it with PUT /api/experiments/nope.',
        "/api/experiments/nope",
      ),
    );
  });

  it("lists experiments oldest first", async () => {
    const listClock = manualClock(Date.UTC(2026, 0, 1));
    const list = experimentsApp("experiments-list", { clock: listClock });
    try {
      await putExperiment(list, "second-b", experimentInput());
      listClock.advance(1);
      await putExperiment(list, "first-a", experimentInput());
      const res = await adminGet(list, "/api/experiments");
      expect(res.status).toBe(200);
      const body = (await res.json()) as { experiments: { key: string }[] };
      expect(body.experiments.map((e) => e.key)).toEqual(["second-b", "first-a"]);
    } finally {
      await cleanup(list.bindings.KEY_PREFIX ?? "");
    }
  });

  it("deletes an experiment with its assignments, counters and index entry", async () => {
    await putExperiment(t, "doomed", experimentInput());
    await assign(t, "doomed", { unitId: "u1" });
    const before = await keysWithPrefix(`${prefix}edgekit:exp:{doomed}`);
    expect(before.length).toBeGreaterThanOrEqual(3);
    const res = await t.request("/api/experiments/doomed", { method: "DELETE", headers: adminHeaders() });
    expect(res.status).toBe(204);
    expect(await keysWithPrefix(`${prefix}edgekit:exp:{doomed}`)).toEqual([]);
    expect(await redisCommand("ZSCORE", `${prefix}edgekit:exps`, "doomed")).toBeNull();
    const again = await t.request("/api/experiments/doomed", { method: "DELETE", headers: adminHeaders() });
    expect(again.status).toBe(404);
  });

  it("costs one round trip each for PUT, GET and DELETE, plus the rate-limit check every route pays", async () => {
    await putExperiment(t, "trips", experimentInput()); // Redis learns the scripts
    await putExperiment(t, "warm-delete", experimentInput());
    await t.request("/api/experiments/warm-delete", { method: "DELETE", headers: adminHeaders() });
    const baseline = await countRoundTrips(() => adminGet(t, "/api/experiments/trips/nothing-here"));
    const put = await countRoundTrips(() => putExperiment(t, "trips", experimentInput({ coverage: 0.5 })));
    const get = await countRoundTrips(() => adminGet(t, "/api/experiments/trips"));
    const del = await countRoundTrips(() =>
      t.request("/api/experiments/trips", { method: "DELETE", headers: adminHeaders() }),
    );
    expect([put.result.status, get.result.status, del.result.status]).toEqual([200, 200, 204]);
    expect([put.roundTrips, get.roundTrips, del.roundTrips]).toEqual(Array(3).fill(baseline.roundTrips + 1));
  });

  it("documents every experiments route in /openapi.json", async () => {
    const spec = (await (await t.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(spec.paths["/api/experiments/{key}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(spec.paths["/api/experiments"]).toHaveProperty("get");
    expect(spec.paths["/api/experiments/{key}/results"]).toHaveProperty("get");
    expect(spec.paths["/api/experiments/{key}/assignment"]).toHaveProperty("post");
    expect(spec.paths["/api/experiments/{key}/conversions"]).toHaveProperty("post");
  });
});
