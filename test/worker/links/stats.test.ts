import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup } from "../support.ts";
import { browser, linksApp } from "./helpers.ts";

const day = 86_400_000;
const clock = manualClock(Date.parse("2030-03-10T12:00:00Z"));
const t = linksApp("promo", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** A click with a country, which only `request.cf` carries. */
const click = (slug: string, headers: Record<string, string>, country?: string) =>
  t.app.request(
    new Request(`http://edgekit.test/${slug}`, {
      headers,
      redirect: "manual",
      ...(country ? { cf: { country } } : {}),
    } as RequestInit),
    undefined,
    t.bindings,
  );

describe("GET /api/links/{slug}/stats", () => {
  it("reports known clicks: per day, uniques, referrer hosts, countries, bots apart", async () => {
    await t.create({ url: "https://example.com/s", slug: "promo" });
    // Yesterday: two clicks by one visitor from a newsletter in Germany.
    clock.advance(-day);
    for (let i = 0; i < 2; i++) {
      await click("promo", browser("203.0.113.1", { referer: "https://News.example.org/issue/1" }), "DE");
    }
    clock.advance(day);
    // Today: three visitors, one of them twice; one from France, the rest direct and unknown country.
    await click("promo", browser("203.0.113.2"), "FR");
    await click("promo", browser("203.0.113.3"));
    await click("promo", browser("203.0.113.3"));
    await click("promo", browser("203.0.113.4", { referer: "not a url" }));
    // Bots: a crawler and a client with no user agent at all.
    await click("promo", { "user-agent": "Googlebot/2.1 (+http://www.google.com/bot.html)" });
    await click("promo", {});

    const res = await t.api("GET", "/api/links/promo/stats?days=3");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      slug: "promo",
      clicks: 6,
      botClicks: 2,
      uniqueVisitors: 4,
      daily: [
        { day: "2030-03-08", clicks: 0 },
        { day: "2030-03-09", clicks: 2 },
        { day: "2030-03-10", clicks: 4 },
      ],
      referrers: [
        { host: "(direct)", clicks: 3 },
        { host: "news.example.org", clicks: 2 },
        { host: "(unknown)", clicks: 1 },
      ],
      countries: [
        { country: "XX", clicks: 3 },
        { country: "DE", clicks: 2 },
        { country: "FR", clicks: 1 },
      ],
    });
    const link = (await (await t.api("GET", "/api/links/promo")).json()) as { clicks: number };
    expect(link.clicks).toBe(8);
  });

  it("defaults to 30 days and refuses more than the 90 kept", async () => {
    const res = await t.api("GET", "/api/links/promo/stats");
    expect(((await res.json()) as { daily: unknown[] }).daily).toHaveLength(30);
    const tooMany = await t.api("GET", "/api/links/promo/stats?days=91");
    expect(tooMany.status).toBe(422);
  });

  it("answers 404 for an unknown link", async () => {
    expect((await t.api("GET", "/api/links/nothing/stats")).status).toBe(404);
  });
});
