import { afterAll, describe, expect, it } from "vitest";
import { cleanup, redisCommand } from "../support.ts";
import { gatewayApp, NO_LIMITS, ORIGIN, originBucket } from "./helpers.ts";

const UNREACHABLE = { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", REDIS_TIMEOUT_MS: "500", RATE_LIMITS: NO_LIMITS };
const routes = [
  { path: "/f/*", origin: ORIGIN, cache: true, timeoutMs: 500 },
  { path: "/down/*", origin: "http://127.0.0.1:1", cache: true },
];
const t = gatewayApp("failure", routes);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("gateway failures", () => {
  it("fails open to the origin within REDIS_TIMEOUT_MS when Redis is unreachable, and says so", async () => {
    const down = gatewayApp("failure-redis", routes, UNREACHABLE);
    const b = originBucket("open");
    await b.program([], { headers: { "cache-control": "max-age=60" }, body: "live" });
    const started = Date.now();
    const res = await down.request(`/f/${b.id}`);
    const took = Date.now() - started;
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("live");
    expect(res.headers.get("cache-status")).toBe("edgekit; fwd=miss; fwd-status=200; detail=cache-unavailable");
    // One lookup timeout, plus the origin: not a second wait for the rate limiter.
    expect(took).toBeLessThan(1500);
  });

  it("answers a 502 problem when Redis and the origin are both down", async () => {
    const down = gatewayApp("failure-both", routes, UNREACHABLE);
    const res = await down.request("/down/x");
    expect(res.status).toBe(502);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("cache-status")).toBe("edgekit; fwd=miss; detail=bad-gateway");
  });

  it("never lets a slow origin hold the lease past its timeout", async () => {
    const b = originBucket("slow");
    await b.program([{ delayMs: 2000 }], { headers: { "cache-control": "max-age=60" }, body: "late" });
    const res = await t.request(`/f/${b.id}`);
    expect(res.status).toBe(504);
    // The lease went back with the failure: no lease key is left behind.
    const leases = await redisCommand<[string, string[]]>(
      "SCAN",
      "0",
      "MATCH",
      `${t.bindings.KEY_PREFIX}*:L`,
      "COUNT",
      10_000,
    );
    expect(leases[1]).toEqual([]);
  });

  it("never counts a 4xx as an origin failure: no backoff, no stale-if-error", async () => {
    const b = originBucket("4xx");
    await b.program([], { status: 404, headers: { "cache-control": "no-store" }, body: "nope" });
    for (let i = 0; i < 3; i++) expect((await t.request(`/f/${b.id}`)).status).toBe(404);
    expect((await b.log()).count).toBe(3);
  });

  it("answers a cold key in error backoff without asking the origin again", async () => {
    const b = originBucket("backoff");
    await b.program([{ status: 500, body: "boom" }], { headers: { "cache-control": "max-age=60" }, body: "fine" });
    const first = await t.request(`/f/${b.id}`);
    expect(first.status).toBe(500);
    expect(first.headers.get("cache-status")).toBe("edgekit; fwd=miss; fwd-status=500");
    const second = await t.request(`/f/${b.id}`);
    expect(second.status).toBe(502);
    expect(second.headers.get("retry-after")).toBe("5");
    expect((await b.log()).count).toBe(1);
    t.clock.advance(5001);
    expect(await (await t.request(`/f/${b.id}`)).text()).toBe("fine");
  });
});
