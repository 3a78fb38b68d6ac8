import { afterAll, describe, expect, it } from "vitest";
import { cleanup, countRoundTrips, jsonHeaders } from "../support.ts";
import { fromIp, limitedApp, parseSfItem, statusCounts } from "./helpers.ts";

// A long window, so a test never straddles two windows of the sliding counter.
const t = limitedApp("ratelimit-mw", { default: { limit: 10, window: 3600 } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("the rate-limit middleware", () => {
  it("allows exactly 10 of 30 concurrent requests from one client in one window", async () => {
    const responses = await Promise.all(
      Array.from({ length: 30 }, () => t.request("/_test/rl/ping", { headers: fromIp("198.51.100.1") })),
    );
    expect(statusCounts(responses)).toEqual({ 200: 10, 429: 20 });
  });

  it("counts each client apart, and ignores X-Forwarded-For", async () => {
    const spoofed = await Promise.all(
      Array.from({ length: 5 }, (_, i) =>
        t.request("/_test/rl/ping", { headers: fromIp("198.51.100.2", { "x-forwarded-for": `10.0.0.${i}` }) }),
      ),
    );
    expect(spoofed.map((res) => res.headers.get("x-ratelimit-remaining")).sort()).toEqual(["5", "6", "7", "8", "9"]);
    const other = await t.request("/_test/rl/ping", { headers: fromIp("198.51.100.3") });
    expect(other.headers.get("x-ratelimit-remaining")).toBe("9");
  });

  it("puts headers on every response that parse as structured fields and agree with each other", async () => {
    const ip = "198.51.100.4";
    for (let i = 1; i <= 3; i++) {
      const res = await t.request("/_test/rl/ping", { headers: fromIp(ip) });
      const policy = parseSfItem(res.headers.get("ratelimit-policy"));
      const limit = parseSfItem(res.headers.get("ratelimit"));
      expect(policy).toEqual({ name: "default", params: { q: 10, w: 3600 } });
      expect(limit.name).toBe("default");
      expect(limit.params.r).toBe(10 - i);
      expect(limit.params.t).toBeGreaterThan(0);
      expect(limit.params.t).toBeLessThanOrEqual(3600);
      expect(res.headers.get("x-ratelimit-limit")).toBe(String(policy.params.q));
      expect(res.headers.get("x-ratelimit-remaining")).toBe(String(limit.params.r));
      expect(res.headers.get("x-ratelimit-reset")).toBe(String(limit.params.t));
      expect(res.headers.get("retry-after")).toBeNull();
    }
  });

  it.each([
    ["a 404", () => t.request("/no/such/route", { headers: fromIp("198.51.100.5") }), 404],
    [
      "a 415",
      () =>
        t.request("/api/ratelimit/admin", {
          method: "POST",
          body: "x=1",
          headers: fromIp("198.51.100.5", { "content-type": "text/plain" }),
        }),
      415,
    ],
    ["a 401", () => t.request("/api/ratelimit/admin", { headers: fromIp("198.51.100.5") }), 401],
  ])("puts the headers on %s too", async (_name, send, status) => {
    const res = await send();
    expect(res.status).toBe(status);
    expect(parseSfItem(res.headers.get("ratelimit")).name).toBe("default");
    expect(parseSfItem(res.headers.get("ratelimit-policy")).params).toEqual({ q: 10, w: 3600 });
  });

  it("answers 429 with a quota-exceeded problem naming the policy, and Retry-After no earlier than t", async () => {
    const ip = "198.51.100.6";
    for (let i = 0; i < 10; i++) await t.request("/_test/rl/ping", { headers: fromIp(ip) });
    const res = await t.request("/_test/rl/ping", { headers: fromIp(ip) });
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const t429 = parseSfItem(res.headers.get("ratelimit")).params.t as number;
    expect(parseSfItem(res.headers.get("ratelimit")).params.r).toBe(0);
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThanOrEqual(Math.max(1, t429));
    expect(await res.json()).toEqual({
      type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
      title: "Too many requests",
      status: 429,
      detail: `Over the "default" limit of 10 per 3600 s. Retry in ${res.headers.get("retry-after")} s.`,
      instance: "/_test/rl/ping",
      policy: "default",
    });
  });

  it("costs one round trip for an allowed request on a route that does not touch Redis", async () => {
    const { result, roundTrips } = await countRoundTrips(() =>
      t.request("/_test/rl/ping", { headers: fromIp("198.51.100.7") }),
    );
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(1);
  });

  it("answers a flood from a blocked client from the in-isolate cache, with no Redis call", async () => {
    const ip = "198.51.100.8";
    for (let i = 0; i < 11; i++) await t.request("/_test/rl/ping", { headers: fromIp(ip) });
    const { result, roundTrips } = await countRoundTrips(() =>
      Promise.all(Array.from({ length: 25 }, () => t.request("/_test/rl/ping", { headers: fromIp(ip) }))),
    );
    expect(statusCounts(result)).toEqual({ 429: 25 });
    expect(roundTrips).toBe(0);
    // The cached refusal still says when to come back.
    expect(Number(result[0]?.headers.get("retry-after"))).toBeGreaterThan(0);
  });

  it("counts IPv6 clients by their /64", async () => {
    const a = await t.request("/_test/rl/ping", { headers: fromIp("2001:db8:1:2:aaaa::1") });
    const b = await t.request("/_test/rl/ping", { headers: fromIp("2001:0db8:0001:0002:bbbb::2") });
    expect(a.headers.get("x-ratelimit-remaining")).toBe("9");
    expect(b.headers.get("x-ratelimit-remaining")).toBe("8");
  });

  it("counts a request with the admin token as admin, not by its IP", async () => {
    const { adminHeaders } = await import("../support.ts");
    const res = await t.request("/_test/rl/ping", { headers: fromIp("198.51.100.9", adminHeaders()) });
    const peek = await t.request(`/api/ratelimit/${encodeURIComponent("ip:198.51.100.9")}`, {
      headers: adminHeaders(jsonHeaders()),
    });
    expect(res.status).toBe(200);
    const body = (await peek.json()) as { policies: { policy: string; remaining: number }[] };
    expect(body.policies.find((p) => p.policy === "default")?.remaining).toBe(10);
  });

  it("counts what a route spends after its session was loaded against the user, not the IP", async () => {
    const { adminHeaders } = await import("../support.ts");
    const res = await t.request("/_test/rl/me", { headers: fromIp("198.51.100.10", { "x-test-user": "u-42" }) });
    expect(res.status).toBe(200);
    const peek = async (identifier: string) => {
      const body = (await (
        await t.request(`/api/ratelimit/${encodeURIComponent(identifier)}`, { headers: adminHeaders() })
      ).json()) as { policies: { policy: string; remaining: number }[] };
      return body.policies.find((p) => p.policy === "default")?.remaining;
    };
    // The middleware's own unit (before the route ran) went to the IP, the route's two to the user.
    expect(await peek("ip:198.51.100.10")).toBe(9);
    expect(await peek("user:u-42")).toBe(8);
  });

  it("offers no script check when the middleware already spent, so nothing is counted twice", async () => {
    const res = await t.request("/_test/rl/fold", { headers: fromIp("198.51.100.11") });
    expect(await res.json()).toEqual({ limit: null });
    expect(res.headers.get("x-ratelimit-remaining")).toBe("9");
  });
});
