import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { adminHeaders, cleanup, testApp } from "../support.ts";
import { BOT_UA, dayOf, ipOf, todayAt, view } from "./helpers.ts";

const DAY = 86_400_000;
const start = todayAt(10, 13);
const clock = manualClock(start);
const t = testApp("views-top", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** `count` distinct visitors view `page` now. */
const views = async (page: string, count: number, from = 0) => {
  await Promise.all(Array.from({ length: count }, (_, i) => view(t, page, { ip: ipOf(from + i) })));
};
const top = async (query: string) => {
  const res = await t.request(`/api/views/top${query}`, { headers: adminHeaders() });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

describe("GET /api/views/top", () => {
  it("ranks pages by human views today, 7 and 30 days", async () => {
    await views("old", 9); // 13 days ago
    clock.advance(10 * DAY);
    await views("week", 5); // 3 days ago
    clock.advance(3 * DAY);
    await views("today", 3); // today
    await views("week", 1, 100);
    await view(t, "today", { ip: ipOf(500), ua: BOT_UA }); // bots never rank

    expect(await top("?period=day")).toEqual({
      status: 200,
      body: {
        period: "day",
        from: dayOf(clock.now()),
        to: dayOf(clock.now()),
        pages: [
          { page: "today", views: 3 },
          { page: "week", views: 1 },
        ],
      },
    });
    expect((await top("?period=7d")).body.pages).toEqual([
      { page: "week", views: 6 },
      { page: "today", views: 3 },
    ]);
    expect((await top("?period=30d")).body).toMatchObject({
      from: dayOf(clock.now(), -29),
      pages: [
        { page: "old", views: 9 },
        { page: "week", views: 6 },
        { page: "today", views: 3 },
      ],
    });
    expect((await top("?period=30d&limit=1")).body.pages).toEqual([{ page: "old", views: 9 }]);
  });

  it("leaves no scratch key behind after a union", async () => {
    await top("?period=7d");
    const { keysWithPrefix } = await import("../support.ts");
    const keys = await keysWithPrefix(t.bindings.KEY_PREFIX ?? "");
    expect(keys.some((k) => k.endsWith(":scratch"))).toBe(false);
  });

  it.each([
    { name: "no token", headers: {}, query: "", status: 401 },
    { name: "an unknown period", headers: adminHeaders(), query: "?period=year", status: 422 },
    { name: "a limit over 100", headers: adminHeaders(), query: "?limit=101", status: 422 },
  ])("refuses $name", async ({ headers, query, status }) => {
    const res = await t.request(`/api/views/top${query}`, { headers });
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });
});

describe("GET /api/views/{page}/badge.svg", () => {
  it("draws the page's views as an SVG with a short cache life, and counts nothing", async () => {
    const res = await t.request("/api/views/week/badge.svg");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml; charset=utf-8");
    expect(res.headers.get("cache-control")).toBe("public, max-age=60, s-maxage=60");
    const svg = await res.text();
    expect(svg).toMatch(/^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    expect(svg).toContain("<title>views: 6</title>");
    const again = await (await t.request("/api/views/week/badge.svg")).text();
    expect(again).toContain("<title>views: 6</title>");
  });

  it("escapes the label and formats large counts", async () => {
    const res = await t.request(`/api/views/nobody/badge.svg?label=${encodeURIComponent('<b>"hi"&')}`);
    const svg = await res.text();
    expect(svg).toContain("<title>&lt;b&gt;&quot;hi&quot;&amp;: 0</title>");
    expect(svg).not.toContain("<b>");
  });
});

describe("OpenAPI", () => {
  it("documents every views route, the badge as image/svg+xml", async () => {
    const spec = (await (await t.request("/openapi.json")).json()) as {
      paths: Record<string, { get: { security?: unknown; responses: Record<string, { content: object }> } }>;
    };
    expect(
      Object.keys(spec.paths)
        .filter((p) => p.startsWith("/api/views"))
        .sort(),
    ).toEqual(["/api/views", "/api/views/top", "/api/views/{page}", "/api/views/{page}/badge.svg"]);
    expect(spec.paths["/api/views/{page}/badge.svg"]?.get.responses["200"]?.content).toHaveProperty("image/svg+xml");
    expect(spec.paths["/api/views/top"]?.get.security).toEqual([{ bearerAuth: ["views:read"] }]);
  });
});
