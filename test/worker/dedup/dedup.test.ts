import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { bloomShape } from "../../../src/lib/dedup/bloom.ts";
import { NO_LIMITS } from "../reliability/helpers.ts";
import { adminHeaders, cleanup, jsonHeaders, testApp } from "../support.ts";

const clock = manualClock(Date.UTC(2026, 11, 1, 11));
const t = testApp("dedup", { clock, bindings: { RATE_LIMITS: NO_LIMITS, REDIS_TIMEOUT_MS: "10000" } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

type Split = { new: string[]; seen: string[]; inFlight?: string[]; token?: string };
const post = async <T = Split>(path: string, body: unknown, expected = 200): Promise<T> => {
  const res = await t.request(path, {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify(body),
  });
  const text = await res.text();
  expect(res.status, text).toBe(expected);
  return JSON.parse(text) as T;
};
const ids = (prefix: string, count: number, from = 0) =>
  Array.from({ length: count }, (_, i) => `${prefix}-${from + i}`);

describe("POST /api/dedup/{namespace}", () => {
  it("answers which ids are new and marks them seen; an id twice in one batch is new once", async () => {
    expect(await post("/api/dedup/orders", { ids: ["a", "b", "a"] })).toEqual({ new: ["a", "b"], seen: ["a"] });
    expect(await post("/api/dedup/orders", { ids: ["b", "c"] })).toEqual({ new: ["c"], seen: ["b"] });
    expect(await post("/api/dedup/other", { ids: ["a"] })).toEqual({ new: ["a"], seen: [] });
  });

  it("reports each of 10,000 ids sent twice in racing batches new exactly once", async () => {
    const all = ids("race", 10_000);
    const batches = Array.from({ length: 10 }, (_, i) => all.slice(i * 1000, (i + 1) * 1000));
    // Every batch twice, the second copy reversed, all 20 requests at once.
    const replies = await Promise.all(
      [...batches, ...batches.map((batch) => [...batch].reverse())].map((batch) =>
        post("/api/dedup/race", { ids: batch }),
      ),
    );
    const fresh = replies.flatMap((reply) => reply.new);
    expect(fresh).toHaveLength(10_000);
    expect(new Set(fresh).size).toBe(10_000);
    expect(replies.flatMap((reply) => reply.seen)).toHaveLength(10_000);
  });

  it.each([
    ["1,001 ids", { ids: ids("x", 1001) }, "ids"],
    ["no ids", { ids: [] }, "ids"],
    ["an id with a space", { ids: ["a b"] }, "ids.0"],
    ["a zero ttl", { ids: ["a"], ttl: 0 }, "ttl"],
    ["an unknown mode", { ids: ["a"], mode: "maybe" }, "mode"],
  ])("refuses %s with 422", async (_name, body, path) => {
    const reply = await post<{ errors: { path: string }[] }>("/api/dedup/orders", body, 422);
    expect(reply.errors.map((error) => error.path)).toContain(path);
  });

  it("refuses a namespace outside its alphabet, and callers without the admin token", async () => {
    expect((await post<{ status: number }>("/api/dedup/a%20b", { ids: ["a"] }, 422)).status).toBe(422);
    const res = await t.request("/api/dedup/orders", {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({ ids: ["a"] }),
    });
    expect(res.status).toBe(401);
  });
});

describe("two-phase dedup", () => {
  it("claims new ids, tells a second consumer they are in flight, and marks them seen on ack", async () => {
    const claim = await post("/api/dedup/jobs", { ids: ["j1", "j2"], mode: "claim" });
    expect(claim).toMatchObject({ new: ["j1", "j2"], seen: [], inFlight: [] });
    expect(await post("/api/dedup/jobs", { ids: ["j1", "j3"], mode: "claim" })).toMatchObject({
      new: ["j3"],
      inFlight: ["j1"],
    });
    expect(await post("/api/dedup/jobs/ack", { ids: ["j1"], token: "someone-else" })).toEqual({
      acked: [],
      lost: ["j1"],
    });
    expect(await post("/api/dedup/jobs/ack", { ids: ["j1", "j2"], token: claim.token })).toEqual({
      acked: ["j1", "j2"],
      lost: [],
    });
    expect(await post("/api/dedup/jobs", { ids: ["j1", "j2"], mode: "claim" })).toMatchObject({ seen: ["j1", "j2"] });
  });

  it("frees released ids for a retry, and lets a crashed consumer's claim lapse unseen", async () => {
    const claim = await post("/api/dedup/crash", { ids: ["r1", "c1"], mode: "claim", claimTtlMs: 5_000 });
    expect(await post("/api/dedup/crash/release", { ids: ["r1"], token: claim.token })).toEqual({
      released: ["r1"],
      lost: [],
    });
    expect(await post("/api/dedup/crash", { ids: ["r1", "c1"], mode: "claim" })).toMatchObject({
      new: ["r1"],
      inFlight: ["c1"],
    });

    clock.advance(5_000); // c1's consumer died: its claim lapses, and it was never marked seen
    const retry = await post("/api/dedup/crash", { ids: ["c1"], mode: "claim" });
    expect(retry).toMatchObject({ new: ["c1"] });
    expect(await post("/api/dedup/crash/ack", { ids: ["c1"], token: claim.token })).toEqual({
      acked: [],
      lost: ["c1"],
    });
    expect(await post("/api/dedup/crash", { ids: ["c1"] })).toEqual({ new: [], seen: ["c1"] });
  });
});

describe("Bloom mode", () => {
  it("is sized as docs/dedup.md says: 9.6 bits and 7 hashes per id at 1 %, 1.2 MB per million", () => {
    expect(bloomShape(1_000_000, 0.01)).toEqual({ bits: 9_585_059, hashes: 7 });
    expect(bloomShape(1_000_000, 0.001)).toEqual({ bits: 14_377_588, hashes: 10 });
  });

  it("finds no new id seen, keeps false positives near the rate at capacity, and forgets after two windows", async () => {
    const body = { mode: "bloom", capacity: 10_000, errorRate: 0.01, ttl: 3600 };
    const inserted = ids("bloom", 10_000);
    for (let i = 0; i < 10; i++) {
      const batch = inserted.slice(i * 1000, (i + 1) * 1000);
      const first = await post("/api/dedup/views", { ...body, ids: batch });
      // Each is new, except the rare false positive against ids already in.
      expect(first.new.length).toBeGreaterThan(960);
    }
    const again = await post("/api/dedup/views", { ...body, ids: inserted.slice(0, 1000) });
    expect(again.seen).toHaveLength(1000);

    let falsePositives = 0;
    for (let i = 0; i < 10; i++) {
      const reply = await post("/api/dedup/views", { ...body, ids: ids("unseen", 1000, i * 1000) });
      falsePositives += reply.seen.length;
    }
    // 20,000 ids in the filter by now (twice capacity) raises the rate; at capacity it is 1 %.
    expect(falsePositives / 10_000).toBeLessThan(0.1);

    clock.advance(2 * 3_600_000);
    const later = await post("/api/dedup/views", { ...body, ids: inserted.slice(0, 1000) });
    expect(later.new).toHaveLength(1000);
  });

  it("at capacity, measures a false-positive rate close to the one asked for", async () => {
    const body = { mode: "bloom", capacity: 5_000, errorRate: 0.01, ttl: 3600 };
    for (let i = 0; i < 5; i++) await post("/api/dedup/fp", { ...body, ids: ids("in", 1000, i * 1000) });
    // 1,000 probes never sent before; each also goes in, so the last ones see a fuller filter.
    const reply = await post("/api/dedup/fp", { ...body, ids: ids("probe", 1000) });
    expect(reply.seen.length / 1000).toBeLessThan(0.03);
  });
});
