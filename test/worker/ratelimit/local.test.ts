import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders } from "../support.ts";
import { fromIp, limitedApp, parseSfItem } from "./helpers.ts";

// OpenFeature evaluation is served from the in-isolate flag cache; its limit is counted in-isolate
// too, so a warm evaluation stays at zero round trips.
const t = limitedApp("ratelimit-local", { "evaluate-flags": { limit: 5, window: 3600 } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const evaluate = (ip: string) =>
  t.request("/ofrep/v1/evaluate/flags", {
    method: "POST",
    headers: jsonHeaders(fromIp(ip)),
    body: JSON.stringify({ context: { targetingKey: "u" } }),
  });

describe("the in-isolate evaluate-flags policy", () => {
  it("allows exactly the limit out of many concurrent evaluations, without a Redis round trip for the limit", async () => {
    await evaluate("198.51.100.200"); // warms the flag cache for this prefix (one HGETALL)
    const { result, roundTrips } = await countRoundTrips(() =>
      Promise.all(Array.from({ length: 20 }, () => evaluate("198.51.100.7"))),
    );
    const statuses = result.map((res) => res.status);
    expect(statuses.filter((s) => s === 200)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(15);
    expect(roundTrips).toBe(0);
  });

  it("states the policy and what is left in the standard headers", async () => {
    const res = await evaluate("198.51.100.8");
    expect(parseSfItem(res.headers.get("ratelimit-policy"))).toEqual({
      name: "evaluate-flags",
      params: { q: 5, w: 3600 },
    });
    expect(parseSfItem(res.headers.get("ratelimit")).params.r).toBe(4);
  });

  it("counts clients apart, and an admin reset gives the quota back", async () => {
    for (let i = 0; i < 5; i++) await evaluate("198.51.100.9");
    expect((await evaluate("198.51.100.9")).status).toBe(429);
    expect((await evaluate("198.51.100.10")).status).toBe(200);
    const reset = await t.request("/api/ratelimit/ip:198.51.100.9", { method: "DELETE", headers: adminHeaders() });
    expect(reset.status).toBeLessThan(300);
    expect((await evaluate("198.51.100.9")).status).toBe(200);
  });
});
