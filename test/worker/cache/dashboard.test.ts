import { afterAll, describe, expect, it } from "vitest";
import { stats } from "../../../src/lib/gateway/stats.ts";
import { hitRatio } from "../../../src/routes/admin/cache.tsx";
import { signIn } from "../dashboard/session.ts";
import { cleanup } from "../support.ts";
import { gatewayApp, ORIGIN, originBucket, sleep } from "./helpers.ts";

const t = gatewayApp("dashboard", [{ path: "/d/*", origin: ORIGIN, cache: true, name: "shop" }]);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("the cache dashboard page", () => {
  it("computes the hit ratio from hits, stale hits and misses", () => {
    const zero = { hits: 0, staleHits: 0, misses: 0, fills: 0, fencedFills: 0, originErrors: 0, bypasses: 0 };
    expect(hitRatio(zero)).toBeUndefined();
    expect(hitRatio({ ...zero, hits: 2, staleHits: 1, misses: 1 })).toBe(75);
  });

  it("shows each route's hit ratio and counts, behind the admin session", async () => {
    const b = originBucket("dash");
    await b.program([], { headers: { "cache-control": "max-age=60" }, body: "d" });
    await t.request(`/d/${b.id}`);
    await t.request(`/d/${b.id}`);
    stats.flushEveryMs = 0;
    await t.request(`/d/${b.id}`);
    stats.flushEveryMs = 10_000;
    await sleep(300);
    expect((await t.request("/admin/cache", { redirect: "manual" })).status).toBe(303);
    const cookie = await signIn(t);
    const page = await t.request("/admin/cache", { headers: { cookie } });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain("<td>shop</td>");
    expect(html).toContain("<td>66.7%</td>");
    expect(html).toContain('aria-current="page">Cache</a>');
  });
});
