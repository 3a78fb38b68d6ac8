import { afterAll, describe, expect, it } from "vitest";
import { cleanup, testApp } from "../support.ts";
import { formHeaders, signIn } from "./session.ts";

// A browser shows problem+json as raw text: the errors a dashboard user meets through no fault of
// their form (too many requests, Redis down) come as pages, with the problem's status and headers.
const limited = testApp("dashboard-errors", {
  bindings: { RATE_LIMITS: JSON.stringify({ "admin-login": { limit: 1, window: 600 } }) },
});
const t = testApp("dashboard-errors-up");
afterAll(async () => {
  await cleanup(limited.bindings.KEY_PREFIX ?? "");
  await cleanup(t.bindings.KEY_PREFIX ?? "");
});

describe("dashboard error pages", () => {
  it("shows a refused sign-in over the rate limit as a page, with Retry-After", async () => {
    const attempt = () =>
      limited.request("/admin/login", {
        method: "POST",
        headers: formHeaders({ "cf-connecting-ip": "192.0.2.77" }),
        body: new URLSearchParams({ token: "not-the-admin-token-at-all" }).toString(),
      });
    expect((await attempt()).status).toBe(401);
    const res = await attempt();
    expect(res.status).toBe(429);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(res.headers.get("content-security-policy")).toContain("default-src 'none'");
    expect(Number(res.headers.get("retry-after"))).toBeGreaterThan(0);
    const html = await res.text();
    expect(html).toContain("<h1>Too many requests</h1>");
    expect(html).toContain(`Try again in ${res.headers.get("retry-after")} s.`);
  });

  it("shows Redis being down as a page, not a problem", async () => {
    const cookie = await signIn(t);
    const down = testApp("dashboard-errors-down", {
      bindings: { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", REDIS_TIMEOUT_MS: "300" },
    });
    const res = await down.request("/admin/flags", { headers: { cookie } });
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("text/html; charset=utf-8");
    expect(await res.text()).toContain("<h1>Storage unavailable</h1>");
  });

  it("keeps the API's errors as problems", async () => {
    const down = testApp("dashboard-errors-api", {
      bindings: { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9", REDIS_TIMEOUT_MS: "300" },
    });
    const res = await down.request("/api/sessions/current", { headers: { cookie: "session=x" } });
    expect(res.headers.get("content-type")).not.toContain("text/html");
  });
});
