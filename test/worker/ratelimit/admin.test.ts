import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { checkLimit } from "../../../src/lib/ratelimit/check-limit.ts";
import { ipIdentifier } from "../../../src/lib/ratelimit/ip-identifier.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { adminHeaders, cleanup, countRoundTrips, keysWithPrefix } from "../support.ts";
import { fromIp, limitedApp } from "./helpers.ts";

// Admin requests count too (as "admin"), so the default quota leaves room for the peeks.
const t = limitedApp("ratelimit-admin", {
  default: { limit: 40, window: 3600 },
  "create-session": { limit: 4, refill: 1, window: 3600 },
  conversions: { limit: 6, window: 3600 },
});
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));
const config = loadConfig(t.bindings);
const redis = createRedis(config);

const path = (identifier: string) => `/api/ratelimit/${encodeURIComponent(identifier)}`;
const peek = async (identifier: string) => {
  const res = await t.request(path(identifier), { headers: adminHeaders() });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { identifier: string; policies: { policy: string; remaining: number }[] };
  return Object.fromEntries(body.policies.map((p) => [p.policy, p.remaining]));
};

describe("GET /api/ratelimit/{identifier}", () => {
  it("shows the remaining quota under every policy, in one round trip", async () => {
    await t.request("/_test/rl/ping", { headers: fromIp("192.0.2.1") });
    await t.request("/_test/rl/ping", { headers: fromIp("192.0.2.1") });
    await peek("user:warm-up"); // Redis learns the peek scripts (a first EVALSHA falls back to EVAL)
    const { result: res, roundTrips } = await countRoundTrips(() =>
      t.request(path("ip:192.0.2.1"), { headers: adminHeaders() }),
    );
    // One for the admin's own limit check, one for the peeks sent as one /pipeline.
    expect(roundTrips).toBe(2);
    expect(await res.json()).toEqual({
      identifier: "ip:192.0.2.1",
      policies: [
        {
          policy: "default",
          algorithm: "slidingWindow",
          limit: 40,
          window: 3600,
          remaining: 38,
          reset: expect.any(Number),
        },
        {
          policy: "redirect",
          algorithm: "slidingWindow",
          limit: 600,
          window: 60,
          remaining: 600,
          reset: expect.any(Number),
        },
        {
          // Counted in this isolate, read without Redis.
          policy: "evaluate-flags",
          algorithm: "fixedWindow",
          limit: 600,
          window: 60,
          remaining: 600,
          reset: expect.any(Number),
        },
        {
          policy: "unlock-link",
          algorithm: "slidingWindow",
          limit: 10,
          window: 60,
          remaining: 10,
          reset: expect.any(Number),
        },
        {
          policy: "count-view",
          algorithm: "slidingWindow",
          limit: 300,
          window: 60,
          remaining: 300,
          reset: expect.any(Number),
        },
        {
          policy: "create-link",
          algorithm: "slidingWindow",
          limit: 20,
          window: 60,
          remaining: 20,
          reset: expect.any(Number),
        },
        {
          policy: "bulk-create-links",
          algorithm: "slidingWindow",
          limit: 200,
          window: 3600,
          remaining: 200,
          reset: expect.any(Number),
        },
        {
          policy: "create-session",
          algorithm: "tokenBucket",
          limit: 4,
          window: 3600,
          remaining: 4,
          reset: expect.any(Number),
        },
        {
          policy: "create-session-address",
          algorithm: "slidingWindow",
          limit: 60,
          window: 60,
          remaining: 60,
          reset: expect.any(Number),
        },
        {
          policy: "admin-login",
          algorithm: "slidingWindow",
          limit: 10,
          window: 600,
          remaining: 10,
          reset: expect.any(Number),
        },
        {
          policy: "conversions",
          algorithm: "slidingWindow",
          limit: 6,
          window: 3600,
          remaining: 6,
          reset: expect.any(Number),
        },
        {
          policy: "leaderboard-submit",
          algorithm: "slidingWindow",
          limit: 3000,
          window: 60,
          remaining: 3000,
          reset: expect.any(Number),
        },
        {
          policy: "trending-hit",
          algorithm: "slidingWindow",
          limit: 6000,
          window: 60,
          remaining: 6000,
          reset: expect.any(Number),
        },
        {
          policy: "places-nearby",
          algorithm: "slidingWindow",
          limit: 120,
          window: 60,
          remaining: 120,
          reset: expect.any(Number),
        },
        {
          policy: "places-write",
          algorithm: "slidingWindow",
          limit: 6000,
          window: 60,
          remaining: 6000,
          reset: expect.any(Number),
        },
        {
          policy: "channels-publish",
          algorithm: "slidingWindow",
          limit: 6000,
          window: 60,
          remaining: 6000,
          reset: expect.any(Number),
        },
        {
          // Counted in this isolate, read without Redis.
          policy: "channels-subscribe",
          algorithm: "fixedWindow",
          limit: 120,
          window: 60,
          remaining: 120,
          reset: expect.any(Number),
        },
        {
          policy: "presence-beat",
          algorithm: "slidingWindow",
          limit: 6000,
          window: 60,
          remaining: 6000,
          reset: expect.any(Number),
        },
        {
          policy: "gateway",
          algorithm: "slidingWindow",
          limit: 600,
          window: 60,
          remaining: 600,
          reset: expect.any(Number),
        },
      ],
    });
  });

  it("spends nothing, however often it is asked", async () => {
    await t.request("/_test/rl/ping", { headers: fromIp("192.0.2.2") });
    const first = await peek("ip:192.0.2.2");
    const second = await peek("ip:192.0.2.2");
    expect(first.default).toBe(39);
    expect(second).toEqual(first);
  });

  it.each([
    ["a bare address", "192.0.2.1"],
    ["a glob pattern", "ip:*"],
    ["an unknown kind", "key:abc"],
    ["a user id with a slash", "user:a/b"],
    ["an IPv4 shape that is no address", "ip:999.1.1.1"],
    ["an IPv6 shape that is no address", "ip:1::2::3/64"],
  ])("refuses %s as an identifier with a 422", async (_name, identifier) => {
    const res = await t.request(path(identifier), { headers: adminHeaders() });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail:
        "param.identifier: Use admin, key:<key id>, user:<id> or ip:<address> (IPv6 as its /64, e.g. ip:2001:db8:0:1::/64)",
      instance: `/api/ratelimit/${encodeURIComponent(identifier)}`,
      errors: [
        {
          path: "param.identifier",
          message: "Use admin, key:<key id>, user:<id> or ip:<address> (IPv6 as its /64, e.g. ip:2001:db8:0:1::/64)",
        },
      ],
    });
  });

  it("needs the admin token", async () => {
    const res = await t.request(path("ip:192.0.2.1"));
    expect(res.status).toBe(401);
  });
});

describe("DELETE /api/ratelimit/{identifier}", () => {
  it("gives a blocked client its full quota back, here and in this isolate's block cache", async () => {
    const ip = "192.0.2.3";
    const stored = await ipIdentifier(ip, config.HASH_SECRET);
    await checkLimit(redis, config, { policy: "default", identifier: stored, cost: 40 });
    expect((await t.request("/_test/rl/ping", { headers: fromIp(ip) })).status).toBe(429);
    // Now in the block cache: refused without asking Redis.
    expect((await countRoundTrips(() => t.request("/_test/rl/ping", { headers: fromIp(ip) }))).roundTrips).toBe(0);
    expect((await keysWithPrefix(`${t.bindings.KEY_PREFIX}edgekit:rl:default:{${stored}}`)).length).toBe(1);

    const res = await t.request(path(`ip:${ip}`), { method: "DELETE", headers: adminHeaders() });
    expect(res.status).toBe(204);
    expect(await keysWithPrefix(`${t.bindings.KEY_PREFIX}edgekit:rl:default:{${stored}}`)).toEqual([]);
    expect((await peek(`ip:${ip}`)).default).toBe(40);
    const after = await t.request("/_test/rl/ping", { headers: fromIp(ip) });
    expect(after.status).toBe(200);
    expect(after.headers.get("x-ratelimit-remaining")).toBe("39");
  });

  it("resets token buckets and fixed windows too", async () => {
    const identifier = "user:reset-me";
    await checkLimit(redis, config, { policy: "create-session", identifier, cost: 3 });
    await checkLimit(redis, config, { policy: "conversions", identifier, cost: 2 });
    expect(await peek(identifier)).toMatchObject({ "create-session": 1, conversions: 4 });
    await t.request(path(identifier), { method: "DELETE", headers: adminHeaders() });
    expect(await peek(identifier)).toMatchObject({ "create-session": 4, conversions: 6 });
  });
});
