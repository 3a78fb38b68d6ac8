import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { countView, TOP_PAGES_KEPT } from "../../../src/lib/views/count-view.ts";
import { topKeys } from "../../../src/lib/views/keys.ts";
import { pageKeyOf } from "../../../src/lib/views/page-id.ts";
import { cleanup, countRoundTrips, keysWithPrefix, redisCommand, testApp } from "../support.ts";
import { BOT_UA, dayOf, HUMAN_UA, ipOf, libContext, todayAt, view } from "./helpers.ts";

const RATE_LIMITS = JSON.stringify({ "count-view": { limit: 1_000_000 }, default: { limit: 1_000_000 } });
const clock = manualClock(todayAt(10));
const capped = testApp("views-bounds", { clock, bindings: { RATE_LIMITS, VIEWS_MAX_PAGES_PER_DAY: "5" } });
const allowed = testApp("views-allowed", {
  bindings: { RATE_LIMITS, VIEWS_ALLOWED_PAGES: "https://example.com/*, blog/*, /pricing" },
});
afterAll(async () => {
  await cleanup(capped.bindings.KEY_PREFIX ?? "");
  await cleanup(allowed.bindings.KEY_PREFIX ?? "");
});

const keysOfPage = async (t: typeof capped, page: string) => {
  const tag = `{${await pageKeyOf(page)}}`;
  return (await keysWithPrefix(t.bindings.KEY_PREFIX ?? "")).filter((key) => key.includes(tag));
};

describe("the day's cap on distinct pages (VIEWS_MAX_PAGES_PER_DAY)", () => {
  it("counts five pages, then refuses a sixth with 429 until the next UTC day, writing nothing", async () => {
    for (let i = 0; i < 5; i++) expect((await view(capped, `page-${i}`, { ip: ipOf(i) })).status).toBe(200);
    const refused = await capped.request("/api/views/page-5", {
      method: "POST",
      headers: { "cf-connecting-ip": ipOf(99), "user-agent": HUMAN_UA },
    });
    expect(refused.status).toBe(429);
    const untilMidnight = Math.ceil((Date.parse(`${dayOf(clock.now(), 1)}T00:00:00Z`) - clock.now()) / 1000);
    expect(refused.headers.get("retry-after")).toBe(String(untilMidnight));
    expect(await refused.json()).toEqual({
      type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
      title: "Too many requests",
      status: 429,
      detail:
        "Views of 5 distinct pages were counted today (VIEWS_MAX_PAGES_PER_DAY): new pages are counted again from the next UTC day.",
      instance: "/api/views/page-5",
      policy: "views-pages-per-day",
    });
    expect(await keysOfPage(capped, "page-5")).toEqual([]);
  });

  it("keeps counting the pages it took today, humans and bots", async () => {
    expect((await view(capped, "page-0", { ip: ipOf(50) })).body).toMatchObject({ views: 2, counted: true });
    expect((await view(capped, "page-1", { ip: ipOf(51), ua: BOT_UA })).status).toBe(200);
  });

  it("counts a bot's hit on a new page against the cap too, so bots cannot grow storage either", async () => {
    const bot = await view(capped, "page-6", { ip: ipOf(52), ua: BOT_UA });
    expect(bot.status).toBe(429);
    expect(await keysOfPage(capped, "page-6")).toEqual([]);
  });

  it("takes new pages again the next UTC day", async () => {
    clock.set(todayAt(10) + 86_400_000);
    expect((await view(capped, "page-5", { ip: ipOf(60) })).body).toMatchObject({ views: 1, counted: true });
    clock.set(todayAt(10));
  });

  it("still counts a view in ONE round trip, the rate-limit check included", async () => {
    const t = testApp("views-bounds-rt", { bindings: { VIEWS_MAX_PAGES_PER_DAY: "5" } });
    await view(t, "warm", { ip: ipOf(1) });
    const { result, roundTrips } = await countRoundTrips(() => view(t, "one-trip", { ip: ipOf(2) }));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(1);
    await cleanup(t.bindings.KEY_PREFIX ?? "");
  });
});

describe("per-page totals", () => {
  it("expire after the retention period unless the page is seen again, which pushes the expiry back", async () => {
    const ttlClock = manualClock(todayAt(9, 1));
    const t = testApp("views-bounds-ttl", { clock: ttlClock, bindings: { RATE_LIMITS } });
    await view(t, "fading", { ip: ipOf(1) });
    const [total] = (await keysOfPage(t, "fading")).filter((key) => key.endsWith(":total"));
    const yesterday = (await redisCommand<number>("EXPIRETIME", total ?? "")) as number;
    expect(yesterday).toBe(Date.parse(`${dayOf(todayAt(9, 1), 1 + 90 + 2)}T00:00:00Z`) / 1000);
    ttlClock.set(todayAt(9));
    await view(t, "fading", { ip: ipOf(2) });
    expect(await redisCommand("EXPIRETIME", total ?? "")).toBe(yesterday + 86_400);
    await cleanup(t.bindings.KEY_PREFIX ?? "");
  });
});

describe("the day's top list", () => {
  it(`keeps at most ${TOP_PAGES_KEPT} pages, dropping the least viewed`, async () => {
    const t = testApp("views-bounds-top", { bindings: { RATE_LIMITS } });
    const { config, redis } = libContext(t);
    const now = Date.now();
    const count = (page: string, n: number) =>
      countView(redis, config, { page, client: { ip: ipOf(n), userAgent: HUMAN_UA, bot: false }, now });
    await count("popular", 1);
    await count("popular", 2);
    for (let batch = 0; batch < 11; batch++) {
      await Promise.all(Array.from({ length: 100 }, (_, i) => count(`tail-${batch * 100 + i}`, 3)));
    }
    const top = topKeys(config).day(dayOf(now));
    expect(await redisCommand("ZCARD", top)).toBe(TOP_PAGES_KEPT);
    expect(await redisCommand("ZSCORE", top, "popular")).toBe("2");
    await cleanup(t.bindings.KEY_PREFIX ?? "");
  }, 60_000);
});

describe("the allow-list (VIEWS_ALLOWED_PAGES)", () => {
  it.each([
    ["a URL on an allowed origin", "/api/views?url=https%3A%2F%2Fexample.com%2Fa%2Fb", 200],
    ["a page id matching blog/*", "/api/views/blog%2Fhello", 200],
    ["an exact page id", "/api/views/%2Fpricing", 200],
    ["a URL on another origin (a phishing URL, say)", "/api/views?url=https%3A%2F%2Fevil.example%2Flogin", 422],
    ["an origin that only starts like an allowed one", "/api/views?url=https%3A%2F%2Fexample.com.evil.example%2F", 422],
    ["a page id outside the patterns", "/api/views/other", 422],
    ["a page id that only contains a pattern", "/api/views/x%2Fpricing", 422],
  ])("answers %s (%s) with %i", async (_name, path, status) => {
    const res = await allowed.request(path, { method: "POST", headers: { "user-agent": HUMAN_UA } });
    expect(res.status).toBe(status);
    if (status === 422) {
      expect(((await res.json()) as { errors: unknown }).errors).toEqual([
        { path: "page", message: "is not one this site counts (VIEWS_ALLOWED_PAGES)" },
      ]);
    }
  });

  it("writes nothing for a refused page", async () => {
    expect(await keysOfPage(allowed, "https://evil.example/login")).toEqual([]);
  });
});
