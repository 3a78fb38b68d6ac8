import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { signIn } from "../dashboard/session.ts";
import { xmlProblems } from "../dashboard/xml.ts";
import { cleanup, countRoundTrips, redisCommand } from "../support.ts";
import { placesApp } from "./helpers.ts";

const clock = manualClock(Date.parse("2030-05-01T12:00:00Z"));
const t = placesApp("dashboard", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

let cookie = "";
beforeAll(async () => {
  cookie = await signIn(t);
});
const page = (path: string) => t.request(path, { headers: { cookie }, redirect: "manual" });

describe("the places pages", () => {
  it("list the sets, most recently written first", async () => {
    await t.expectApi(201, "PUT", "/api/places/older/a", { lat: 1, lon: 1 });
    clock.advance(1000);
    await t.expectApi(201, "PUT", "/api/places/newer/a", { lat: 1, lon: 1 });
    const res = await page("/admin/places");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('aria-current="page">Places</a>');
    expect(html.indexOf('href="/admin/places/newer"')).toBeLessThan(html.indexOf('href="/admin/places/older"'));
  });

  it("show a set's places and fences in tables and on an SVG plot, escaping data, in two round trips after the session's", async () => {
    await t.expectApi(200, "POST", "/api/places/city/bulk", {
      places: [
        { id: "shop-1", lat: 52.52, lon: 13.405, data: { name: "<script>alert(1)</script> & co" } },
        { id: "courier-7", lat: 52.53, lon: 13.41, ttlSeconds: 300 },
      ],
    });
    await t.expectApi(201, "PUT", "/api/places/city/fences/centre", {
      type: "circle",
      lat: 52.52,
      lon: 13.405,
      radius: 2000,
    });
    await t.expectApi(201, "PUT", "/api/places/city/fences/block", {
      type: "polygon",
      points: [
        { lat: 52.5, lon: 13.4 },
        { lat: 52.5, lon: 13.42 },
        { lat: 52.51, lon: 13.42 },
      ],
    });
    await t.expectApi(200, "PUT", "/api/places/city/courier-7", { lat: 52.53, lon: 13.41, ttlSeconds: 300 });
    await page("/admin/places/city"); // loads the list script
    const { result, roundTrips } = await countRoundTrips(() => page("/admin/places/city"));
    expect(result.status).toBe(200);
    expect(result.headers.get("cache-control")).toBe("no-store");
    // Rate limit, session, then the two read scripts (one /pipeline) and the fences' HGETALL.
    expect(roundTrips).toBe(4);
    const html = await result.text();
    expect(html).not.toContain("<script>alert(1)");
    expect(html).toContain("&lt;script&gt;alert(1)&lt;/script&gt; &amp; co");
    expect(html).toContain("<td>courier-7</td>");
    expect(html).toContain("circle of 2000 m around 52.52, 13.405");
    expect(html).toContain("polygon of 3 points");
    const svg = html.match(/<svg[\s\S]*?<\/svg>/)?.[0] ?? "";
    expect(xmlProblems(svg)).toEqual([]);
    expect(svg.match(/class="place"/g)?.length).toBe(2);
    expect(svg.match(/class="fence"/g)?.length).toBe(2);
    expect(svg).toContain("<title>courier-7 (52.53, 13.41)</title>");
  });

  it("answer a 404 page for a set name that cannot exist, and an empty plot for an empty set", async () => {
    expect((await page("/admin/places/a%7Bb")).status).toBe(404);
    const empty = await page("/admin/places/nothing-here");
    expect(empty.status).toBe(200);
    expect(await empty.text()).toContain("No positions");
    expect(await redisCommand("EXISTS", `${t.bindings.KEY_PREFIX}edgekit:place:{nothing-here}:geo`)).toBe(0);
  });

  it("need an admin session", async () => {
    const res = await t.request("/admin/places/city", { redirect: "manual" });
    expect(res.status).toBe(303);
  });
});
