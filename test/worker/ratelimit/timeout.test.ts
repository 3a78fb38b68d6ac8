import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { createRedis, defineScript } from "../../../src/lib/redis.ts";
import { cleanup } from "../support.ts";
import busySource from "./fixtures/busy.lua";
import { fromIp, limitedApp } from "./helpers.ts";

const busy = defineScript(busySource, Number);

describe("when Redis is slow", () => {
  const open = limitedApp("ratelimit-slow", { default: { onRedisFailure: "open" } }, { REDIS_TIMEOUT_MS: "200" });
  const closed = limitedApp("ratelimit-slow", { default: { onRedisFailure: "closed" } }, { REDIS_TIMEOUT_MS: "200" });
  afterAll(async () => {
    await cleanup(open.bindings.KEY_PREFIX ?? "");
    await cleanup(closed.bindings.KEY_PREFIX ?? "");
  });

  it.each([
    ["fail-open", open, 200],
    ["fail-closed", closed, 503],
  ] as const)("gives up after REDIS_TIMEOUT_MS and answers %s, never hanging", async (status, t, code) => {
    const redis = createRedis(loadConfig({ ...t.bindings, REDIS_TIMEOUT_MS: "5000" }));
    const spinning = busy.run(redis, [], [700]);
    await new Promise((resolve) => setTimeout(resolve, 50)); // let the spin start first
    const started = Date.now();
    const res = await t.request("/_test/rl/ping", { headers: fromIp("203.0.113.20") });
    const took = Date.now() - started;
    await spinning;
    expect(res.status).toBe(code);
    expect(res.headers.get("ratelimit-status")).toBe(status);
    expect(took).toBeGreaterThanOrEqual(150);
    expect(took).toBeLessThan(650);
  });
});
