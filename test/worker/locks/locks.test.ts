import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { manualClock } from "../../../src/lib/clock.ts";
import { acquireLease } from "../../../src/lib/locks/acquire-lease.ts";
import { fencedWrite, readFenced } from "../../../src/lib/locks/fenced-write.ts";
import { lockKeys } from "../../../src/lib/locks/keys.ts";
import { acquireLock } from "../../../src/lib/locks/lock.ts";
import { releaseLease } from "../../../src/lib/locks/release-lease.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { NO_LIMITS } from "../reliability/helpers.ts";
import { adminHeaders, cleanup, jsonHeaders, problemBody, redisCommand, testApp } from "../support.ts";

const clock = manualClock(Date.UTC(2026, 11, 1, 10));
const t = testApp("locks", { clock, bindings: { RATE_LIMITS: NO_LIMITS, REDIS_TIMEOUT_MS: "10000" } });
const config = loadConfig(t.bindings);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const send = (method: string, name: string, body: unknown) =>
  t.request(`/api/locks/${name}`, { method, headers: adminHeaders(jsonHeaders()), body: JSON.stringify(body) });
type Lease = { token: string; fence: number; expiresAt: number };
const problem = (status: number, code: string, title: string, detail: string, name: string, extra = {}) =>
  problemBody(status, code, title, detail, `/api/locks/${name}`, extra);

describe("a lock", () => {
  it("is held by one owner: 201 with a fence, 423 with Retry-After for the next, until released", async () => {
    const first = await send("POST", "orders", { ttlMs: 10_000, owner: "worker-1" });
    expect(first.status).toBe(201);
    const lease = (await first.json()) as Lease;
    expect(lease.expiresAt).toBe(clock.now() + 10_000);

    clock.advance(2_500);
    const busy = await send("POST", "orders", { ttlMs: 10_000, owner: "worker-2" });
    expect(busy.status).toBe(423);
    expect(busy.headers.get("retry-after")).toBe("8");
    expect(await busy.json()).toEqual(
      problem(423, "locked", "Locked", '"orders" is held by another owner. Retry in 7500 ms.', "orders", {
        retryAfterMs: 7500,
      }),
    );

    const extended = await send("PATCH", "orders", { token: lease.token, ttlMs: 20_000 });
    expect(extended.status).toBe(200);
    expect(await extended.json()).toEqual({ token: lease.token, fence: lease.fence, expiresAt: clock.now() + 20_000 });

    expect((await send("DELETE", "orders", { token: lease.token })).status).toBe(204);
    const next = (await (await send("POST", "orders", { ttlMs: 10_000, owner: "worker-2" })).json()) as Lease;
    expect(next.fence).toBeGreaterThan(lease.fence);
  });

  it.each([
    ["extend with another's token", "PATCH", { token: "not-the-token", ttlMs: 1000 }],
    ["release with another's token", "DELETE", { token: "not-the-token" }],
  ])("answers 409 lease-lost to %s", async (_name, method, body) => {
    await send("POST", "owned", { ttlMs: 10_000, owner: "a" });
    const res = await send(method, "owned", body);
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual(
      problem(
        409,
        "lease-lost",
        "Lease lost",
        'This token holds no live lease on "owned": it was released, it lapsed, or it never held one.',
        "owned",
      ),
    );
  });

  it("lapses on its own: then extend and release are 409 lease-lost, and another owner gets it with a higher fence", async () => {
    const lease = (await (await send("POST", "lapsing", { ttlMs: 1_000, owner: "a" })).json()) as Lease;
    clock.advance(1_000);
    expect((await send("PATCH", "lapsing", { token: lease.token, ttlMs: 1_000 })).status).toBe(409);
    expect((await send("DELETE", "lapsing", { token: lease.token })).status).toBe(409);
    const next = await send("POST", "lapsing", { ttlMs: 1_000, owner: "b" });
    expect(next.status).toBe(201);
    expect(((await next.json()) as Lease).fence).toBeGreaterThan(lease.fence);
  });

  it.each([
    ["no ttlMs", { owner: "a" }, "ttlMs"],
    ["a ttlMs under 100", { owner: "a", ttlMs: 5 }, "ttlMs"],
    ["an unknown field", { owner: "a", ttlMs: 1000, colour: "red" }, ""],
    ["a limit of 0", { owner: "a", ttlMs: 1000, limit: 0 }, "limit"],
  ])("refuses %s with 422", async (_name, body, path) => {
    const res = await send("POST", "valid", body);
    expect(res.status).toBe(422);
    const errors = ((await res.json()) as { errors: { path: string }[] }).errors;
    expect(errors.map((error) => error.path)).toContain(path);
  });
});

describe("fences", () => {
  it("rise strictly over 10,000 acquisitions, and still after the counter key is deleted", async () => {
    const redis = createRedis(config);
    const keys = lockKeys(config, "fences");
    const fences: number[] = [];
    for (let batch = 0; batch < 20; batch++) {
      // 500 at once share one pipeline; Redis runs them in order.
      const leases = await Promise.all(
        Array.from({ length: 500 }, () =>
          acquireLease(redis, keys, { owner: "f", ttlMs: 60_000, limit: 100_000, now: clock.now() }),
        ),
      );
      for (const lease of leases) {
        if (!lease.granted) throw new Error("not granted");
        fences.push(lease.fence);
      }
      clock.advance(1);
    }
    expect(fences).toHaveLength(10_000);
    for (let i = 1; i < fences.length; i++) expect(fences[i]).toBeGreaterThan(fences[i - 1] as number);

    await redisCommand("DEL", keys.fence);
    clock.advance(1_000); // fewer than 1,000 grants per ms: the time floor is past every fence given
    const after = await acquireLease(redis, keys, { owner: "f", ttlMs: 60_000, limit: 100_000, now: clock.now() });
    expect(after.granted && after.fence).toBeGreaterThan(fences.at(-1) as number);
  });

  it("let the resource refuse a late write from a holder whose lease lapsed", async () => {
    const redis = createRedis(config);
    const zombie = await acquireLock(redis, config, { name: "report", owner: "a", ttlMs: 1_000, now: clock.now() });
    clock.advance(1_000);
    const current = await acquireLock(redis, config, { name: "report", owner: "b", ttlMs: 1_000, now: clock.now() });
    await fencedWrite(redis, config, { resource: "report", fence: current.fence, value: "b's report" });
    await expect(
      fencedWrite(redis, config, { resource: "report", fence: zombie.fence, value: "a's" }),
    ).rejects.toMatchObject({ code: "stale_fence", extensions: { fence: zombie.fence, seen: current.fence } });
    expect(await readFenced(redis, config, "report")).toEqual({ value: "b's report", fence: current.fence });
    // The holder may write again with its own fence.
    await fencedWrite(redis, config, { resource: "report", fence: current.fence, value: "b's second" });
    expect(await readFenced(redis, config, "report")).toEqual({ value: "b's second", fence: current.fence });
  });
});

describe("a semaphore", () => {
  it("admits exactly N of 200 concurrent acquisitions", async () => {
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, i) => send("POST", "pool", { ttlMs: 10_000, owner: `w${i}`, limit: 5 })),
    );
    expect(responses.filter((res) => res.status === 201)).toHaveLength(5);
    expect(responses.filter((res) => res.status === 423)).toHaveLength(195);
    const busy = await send("POST", "pool", { ttlMs: 10_000, owner: "late", limit: 5 });
    expect(((await busy.json()) as { detail: string }).detail).toBe(
      'All 5 slots of "pool" are held. Retry in 10000 ms.',
    );
  });

  it("never holds more than N under 200-way churn of acquire and release", async () => {
    const redis = createRedis(config);
    const keys = lockKeys(config, "churn");
    let held = 0;
    let most = 0;
    let granted = 0;
    await Promise.all(
      Array.from({ length: 200 }, async (_, i) => {
        for (let round = 0; round < 5; round++) {
          const lease = await acquireLease(redis, keys, { owner: `w${i}`, ttlMs: 60_000, limit: 3, now: clock.now() });
          if (!lease.granted) continue;
          granted++;
          held++;
          most = Math.max(most, held);
          await new Promise((resolve) => setTimeout(resolve, 1));
          held--;
          await releaseLease(redis, keys, { token: lease.token, now: clock.now() });
        }
      }),
    );
    expect(most).toBeLessThanOrEqual(3);
    expect(granted).toBeGreaterThan(3);
  });
});
