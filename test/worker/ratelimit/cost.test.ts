import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { checkLimit } from "../../../src/lib/ratelimit/check-limit.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { cleanup, countRoundTrips, jsonHeaders } from "../support.ts";
import { fromIp, limitedApp } from "./helpers.ts";

const t = limitedApp("ratelimit-cost", {
  default: { limit: 10, window: 3600 },
  conversions: { algorithm: "fixedWindow", limit: 10, window: 3600 },
  "create-session": { limit: 10, refill: 1, window: 3600 },
});
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));
const config = loadConfig(t.bindings);
const redis = createRedis(config);

// A route that spends one unit per item of its body, the way bulk link creation does.
t.app.post("/api/_test/items", async (c) => {
  const { items } = (await c.req.json()) as { items: unknown[] };
  await c.var.rateLimit.spend(items.length);
  return c.json({ accepted: items.length });
});

describe("cost", () => {
  // A token bucket's script does not say what is left when it refuses: it reports 0.
  it.each([
    ["a sliding window", "default", 3],
    ["a fixed window", "conversions", 3],
    ["a token bucket", "create-session", 0],
  ] as const)("spends n units at once under %s, and a refused request spends nothing", async (_name, policy, left) => {
    const identifier = `user:cost-${policy}`;
    const spend = (cost: number) => checkLimit(redis, config, { policy, identifier, cost });
    expect(await spend(7)).toMatchObject({ status: "allowed", remaining: 3 });
    expect(await spend(4)).toMatchObject({ status: "blocked", remaining: left });
    expect(await spend(3)).toMatchObject({ status: "allowed", remaining: 0 });
    expect(await spend(1)).toMatchObject({ status: "blocked", remaining: 0 });
  });

  it("lets a route spend one unit per item through c.var.rateLimit.spend", async () => {
    const post = (n: number) =>
      t.request("/api/_test/items", {
        method: "POST",
        headers: jsonHeaders(fromIp("192.0.2.50")),
        body: JSON.stringify({ items: Array.from({ length: n }, (_, i) => i) }),
      });
    // The middleware spends one unit for the request, the route one per item.
    const first = await post(4);
    expect(first.status).toBe(200);
    expect(first.headers.get("x-ratelimit-remaining")).toBe("5");
    const refused = await post(5);
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit")).toBe(`"default";r=4;t=${refused.headers.get("x-ratelimit-reset")}`);
    const { result, roundTrips } = await countRoundTrips(() => post(3));
    expect(result.status).toBe(200);
    expect(result.headers.get("x-ratelimit-remaining")).toBe("0");
    expect(roundTrips).toBe(2);
  });
});
