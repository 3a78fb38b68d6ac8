import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { countView } from "../../../src/lib/views/count-view.ts";
import { topKeys } from "../../../src/lib/views/keys.ts";
import { pageKeyOf } from "../../../src/lib/views/page-id.ts";
import { cleanup, countRoundTrips, jsonHeaders, keysWithPrefix, redisCommand, testApp } from "../support.ts";
import { BOT_UA, dayOf, HUMAN_UA, ipOf, libContext, read, todayAt, view } from "./helpers.ts";

const clock = manualClock(todayAt(12));
// Exact counts under 1,000 concurrent views are under test, not latency: a generous Redis timeout
// keeps requests queued on a loaded machine from turning into 503s.
const t = testApp("views-count", { clock, bindings: { REDIS_TIMEOUT_MS: "10000" } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("POST /api/views/{page}", () => {
  it("counts a first view and answers views, uniquesToday and counted", async () => {
    const res = await t.request("/api/views/home", {
      method: "POST",
      headers: { "cf-connecting-ip": "10.9.9.9", "user-agent": HUMAN_UA },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("cache-control")).toBe("no-store");
    expect(await res.json()).toEqual({ views: 1, uniquesToday: 1, counted: true });
  });

  it("counts 1,000 concurrent views from distinct visitors as exactly 1,000", async () => {
    const results = await Promise.all(Array.from({ length: 1000 }, (_, i) => view(t, "launch", { ip: ipOf(i) })));
    expect(results.filter((r) => r.status !== 200 || r.body.counted !== true).map((r) => r.status)).toEqual([]);
    const { body } = await read(t, "launch", 1);
    expect(body.views).toBe(1000);
    expect(body.perDay[0]?.views).toBe(1000);
    expect(Math.abs((body.perDay[0]?.uniques ?? 0) - 1000)).toBeLessThanOrEqual(20);
    // Every reply saw a distinct running total: the script serialises them.
    expect(new Set(results.map((r) => r.body.views)).size).toBe(1000);
  });

  it("skips a repeat view inside the dedup window and counts it again after", async () => {
    const visitor = { ip: "10.1.2.3" };
    expect((await view(t, "dedup", visitor)).body).toEqual({ views: 1, uniquesToday: 1, counted: true });
    clock.advance(29 * 60_000);
    expect((await view(t, "dedup", visitor)).body).toEqual({ views: 1, uniquesToday: 1, counted: false });
    clock.advance(60_000 + 1);
    expect((await view(t, "dedup", visitor)).body).toEqual({ views: 2, uniquesToday: 1, counted: true });
    // Another page is another scope: the same visitor counts there at once.
    expect((await view(t, "dedup-other", visitor)).body).toEqual({ views: 1, uniquesToday: 1, counted: true });
  });

  it("counts bots apart: not as views, not in the uniques, in their own per-day counter", async () => {
    await view(t, "botty", { ip: "10.0.0.7" });
    const hits = [
      await view(t, "botty", { ip: "10.0.0.8", ua: BOT_UA }),
      await view(t, "botty", { ip: "10.0.0.8", ua: BOT_UA }),
      await view(t, "botty", { ip: "10.0.0.9", ua: "" }),
    ];
    expect(hits.map((h) => h.body)).toEqual(Array(3).fill({ views: 1, uniquesToday: 1, counted: false }));
    const { body } = await read(t, "botty", 1);
    expect(body).toMatchObject({ views: 1, bots: 3, range: { views: 1, bots: 3, uniques: 1 } });
    expect(body.perDay[0]).toMatchObject({ views: 1, bots: 3, uniques: 1 });
  });

  it("costs one Redis round trip in countView (one EVALSHA) for a counted view", async () => {
    const { config, redis } = libContext(t);
    const client = { ip: "10.5.5.5", userAgent: HUMAN_UA, bot: false };
    await countView(redis, config, { page: "warm", client, now: clock.now() }); // loads the script
    const { result, roundTrips } = await countRoundTrips(() =>
      countView(redis, config, { page: "trips", client, now: clock.now() }),
    );
    expect(result.counted).toBe(true);
    expect(roundTrips).toBe(1);
  });

  it("costs exactly one proxy request per counted view over HTTP, rate-limit check included", async () => {
    await view(t, "trips-http", { ip: "10.6.6.6" });
    const { result, roundTrips } = await countRoundTrips(() => view(t, "trips-http", { ip: "10.6.6.7" }));
    expect(result.body.counted).toBe(true);
    // The count-view limit runs inside count-view.lua (src/lib/ratelimit/limited-script.ts).
    expect(roundTrips).toBe(1);
  });

  it("sets today's keys, and the totals, to expire after the retention period plus two days", async () => {
    await view(t, "ttl", { ip: "10.7.7.7" });
    await view(t, "ttl", { ip: "10.7.7.8", ua: BOT_UA });
    const keys = await keysWithPrefix(t.bindings.KEY_PREFIX ?? "");
    const mine = keys.filter((k) => k.includes(`:${dayOf(clock.now())}`));
    // The end of today plus 90 days of retention plus the 2-day margin.
    const expected = Date.parse(`${dayOf(clock.now(), 1 + 90 + 2)}T00:00:00Z`) / 1000;
    expect(mine.length).toBeGreaterThanOrEqual(4); // day views, bots, uniques, the top list
    for (const key of mine) expect(await redisCommand("EXPIRETIME", key)).toBe(expected);
    // A total lives as long as the page's newest day: a page nobody views is forgotten with it.
    const ttlPage = `{${await pageKeyOf("ttl")}}`;
    const totals = keys.filter((k) => k.includes(ttlPage) && (k.endsWith(":total") || k.endsWith(":bots")));
    expect(totals.length).toBe(2);
    for (const key of totals) expect(await redisCommand("EXPIRETIME", key)).toBe(expected);
    const seen = keys.filter((k) => k.includes(":seen:"));
    expect(seen.length).toBeGreaterThan(0);
    for (const key of seen) expect(await redisCommand<number>("PTTL", key)).toBeLessThanOrEqual(1800_000);
  });

  it("accepts a page id with slashes percent-encoded and unicode letters", async () => {
    expect((await view(t, "blog%2Fcaf%C3%A9", { ip: "10.8.8.8" })).body.counted).toBe(true);
    const { body } = await read(t, "blog%2Fcaf%C3%A9", 1);
    expect(body).toMatchObject({ page: "blog/café", views: 1 });
  });
});

describe("POST /api/views?url=", () => {
  it("counts origin + path, so query strings, fragments and host case make no new page", async () => {
    const urls = ["https://Example.com/a/b?utm=1", "https://example.com:443/a/b#top", "https://example.com/a/b"];
    for (const [i, url] of urls.entries()) {
      const res = await t.request(`/api/views?url=${encodeURIComponent(url)}`, {
        method: "POST",
        headers: { "cf-connecting-ip": ipOf(5000 + i), "user-agent": HUMAN_UA },
      });
      expect(res.status).toBe(200);
    }
    const res = await t.request(`/api/views?url=${encodeURIComponent("https://example.com/a/b")}&days=1`);
    expect(await res.json()).toMatchObject({ page: "https://example.com/a/b", views: 3 });
  });
});

const problem = (detail: string, errors: { path: string; message: string }[], instance: string) => ({
  // `instance` is the decoded path
  type: "https://edgekit.dev/problems/validation-failed",
  title: "Validation failed",
  status: 422,
  detail,
  instance,
  errors,
});
const CHARSET =
  "may hold letters, digits and URL punctuation (- . _ ~ : / ? # [ ] @ ! $ & ' ( ) * + , ; = %), no spaces or braces";

describe("refused views", () => {
  it.each([
    {
      name: "a page id with a space",
      path: "/api/views/a%20b",
      expected: problem(`param.page: ${CHARSET}`, [{ path: "param.page", message: CHARSET }], "/api/views/a b"),
    },
    {
      name: "a page id with braces",
      path: "/api/views/%7Bx%7D",
      expected: problem(`param.page: ${CHARSET}`, [{ path: "param.page", message: CHARSET }], "/api/views/{x}"),
    },
    {
      name: "a page id of 257 characters",
      path: `/api/views/${"a".repeat(257)}`,
      expected: problem(
        "param.page: must be at most 256 characters",
        [{ path: "param.page", message: "must be at most 256 characters" }],
        `/api/views/${"a".repeat(257)}`,
      ),
    },
    {
      name: "the reserved id top",
      path: "/api/views/top",
      expected: problem(
        'param.page: "top" is reserved; use another id',
        [{ path: "param.page", message: '"top" is reserved; use another id' }],
        "/api/views/top",
      ),
    },
    {
      name: "a url that is not http(s)",
      path: "/api/views?url=ftp%3A%2F%2Fexample.com%2F",
      expected: problem(
        "query.url: must be an absolute http(s) URL",
        [{ path: "query.url", message: "must be an absolute http(s) URL" }],
        "/api/views",
      ),
    },
    {
      name: "a url that is not a URL",
      path: "/api/views?url=example.com",
      expected: problem(
        "query.url: must be an absolute http(s) URL",
        [{ path: "query.url", message: "must be an absolute http(s) URL" }],
        "/api/views",
      ),
    },
  ])("refuses $name with a 422 problem", async ({ path, expected }) => {
    const res = await t.request(path, { method: "POST", headers: { "user-agent": HUMAN_UA } });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual(expected);
  });

  it("refuses a body that is not JSON with a 415, and takes an empty JSON body", async () => {
    const form = await t.request("/api/views/home", {
      method: "POST",
      body: "a=1",
      headers: { "content-type": "text/plain" },
    });
    expect(form.status).toBe(415);
    const json = await t.request("/api/views/home", { method: "POST", body: "{}", headers: jsonHeaders() });
    expect(json.status).toBe(200);
  });
});

describe("rate limit", () => {
  const limited = testApp("views-limited", {
    clock,
    bindings: { RATE_LIMITS: JSON.stringify({ "count-view": { limit: 2, window: 60 } }) },
  });
  afterAll(() => cleanup(limited.bindings.KEY_PREFIX ?? ""));

  it("answers 429 over the count-view limit and counts nothing for the refused view", async () => {
    const client = { ip: "10.44.0.1" };
    expect((await view(limited, "one", client)).status).toBe(200);
    expect((await view(limited, "two", client)).status).toBe(200);
    const refused = await view(limited, "three", client);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ status: 429, policy: "count-view" });
    // Not one key of the refused page exists (keys carry the page id's hash, not the id).
    const hash = await pageKeyOf("three");
    const keys = await keysWithPrefix(`${limited.bindings.KEY_PREFIX}edgekit:view`);
    expect(keys.filter((k) => k.includes(hash))).toEqual([]);
    const top = await redisCommand<string[]>(
      "ZRANGE",
      topKeys({ KEY_PREFIX: limited.bindings.KEY_PREFIX ?? "" }).day(dayOf(clock.now())),
      0,
      -1,
    );
    expect(top.sort()).toEqual(["one", "two"]);
    expect((await read(limited, "one", 1)).body.views).toBe(1);
  });
});
