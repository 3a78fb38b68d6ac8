import { describe, expect, it } from "vitest";
import { fromIp, limitedApp } from "./helpers.ts";

const UNREACHABLE = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" };

describe("when Redis cannot be reached", () => {
  it("lets a request through on a fail-open policy within 2 s, and says so", async () => {
    const t = limitedApp("ratelimit-open", { default: { onRedisFailure: "open" } }, UNREACHABLE);
    const started = Date.now();
    const res = await t.request("/_test/rl/ping", { headers: fromIp("203.0.113.1") });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("pong");
    expect(res.headers.get("ratelimit-status")).toBe("fail-open");
    expect(res.headers.get("ratelimit-policy")).toBe('"default";q=120;w=60');
    expect(res.headers.get("ratelimit")).toBeNull();
  });

  it("refuses a request on a fail-closed policy within 2 s with a 503, and says so", async () => {
    const t = limitedApp("ratelimit-closed", { default: { onRedisFailure: "closed" } }, UNREACHABLE);
    const started = Date.now();
    const res = await t.request("/_test/rl/ping", { headers: fromIp("203.0.113.2") });
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(res.headers.get("ratelimit-status")).toBe("fail-closed");
    expect(res.headers.get("retry-after")).toBe("2");
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/redis-unavailable",
      title: "Storage unavailable",
      status: 503,
      detail: "Storage is temporarily unavailable. Try again shortly.",
      instance: "/_test/rl/ping",
    });
  });
});

describe("RATE_LIMITS", () => {
  it.each([
    ["not JSON", "{limit:", "RATE_LIMITS is not valid JSON"],
    ["an unknown policy", '{"nope":{"limit":1}}', "RATE_LIMITS"],
    ["a zero limit", '{"default":{"limit":0}}', "RATE_LIMITS.default.limit:"],
    ["an unknown algorithm", '{"default":{"algorithm":"leakyBucket"}}', "RATE_LIMITS.default.algorithm:"],
    ["an unknown field", '{"default":{"limt":5}}', "RATE_LIMITS.default:"],
  ])("answers 503 naming RATE_LIMITS when it holds %s", async (_name, value, message) => {
    const t = limitedApp("ratelimit-config", {}, { RATE_LIMITS: value });
    const res = await t.request("/_test/rl/ping");
    expect(res.status).toBe(503);
    const body = (await res.json()) as { type: string; detail: string; variables: string[] };
    expect(body.type).toBe("https://edgekit.dev/problems/config-invalid");
    expect(body.variables).toContain("RATE_LIMITS");
    expect(body.detail).toContain(message);
  });
});

describe("without RATE_LIMITS", () => {
  it("uses the built-in policies", async () => {
    const { testApp } = await import("../support.ts");
    const t = testApp("ratelimit-defaults", { bindings: { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" } });
    t.app.get("/_test/rl/ping", (c) => c.text("pong"));
    const res = await t.request("/_test/rl/ping");
    expect(res.status).toBe(200);
    expect(res.headers.get("ratelimit-policy")).toBe('"default";q=120;w=60');
  });
});
