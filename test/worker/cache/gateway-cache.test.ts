import { afterAll, describe, expect, it } from "vitest";
import { stats } from "../../../src/lib/gateway/stats.ts";
import { cleanup, countRoundTrips } from "../support.ts";
import { eventually, gatewayApp, ORIGIN, originBucket, sleep } from "./helpers.ts";

const routes = [
  { path: "/c/*", origin: ORIGIN, cache: true },
  { path: "/cookie/*", origin: ORIGIN, cache: { stripSetCookie: true } },
  { path: "/small/*", origin: ORIGIN, cache: { maxEntryBytes: 1000, compressAbove: 100 } },
  { path: "/dflt/*", origin: ORIGIN, cache: { defaultTtl: 60, maxTtl: 120 } },
  { path: "/quick/*", origin: ORIGIN, cache: { waitMs: 200 } },
];
const t = gatewayApp("cache", routes);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const get = (path: string, headers: Record<string, string> = {}) => t.request(path, { headers });
const status = (res: Response) => res.headers.get("cache-status");

describe("the gateway's shared cache", () => {
  it("stores a miss, then serves hits with Age and Cache-Status, in one round trip", async () => {
    const b = originBucket("hit");
    await b.program([], { status: 200, headers: { "cache-control": "max-age=60", etag: '"v1"' }, body: "hello" });
    const miss = await get(`/c/${b.id}/page`);
    expect(await miss.text()).toBe("hello");
    expect(status(miss)).toBe("edgekit; fwd=miss; fwd-status=200; stored");
    t.clock.advance(5000);
    // Stats are flushed in waitUntil at most every 10 s; keep that flush out of the count.
    stats.flushEveryMs = Number.POSITIVE_INFINITY;
    const { result: hit, roundTrips } = await countRoundTrips(() => get(`/c/${b.id}/page`));
    stats.flushEveryMs = 10_000;
    expect(await hit.text()).toBe("hello");
    expect(status(hit)).toBe("edgekit; hit; ttl=55");
    expect(hit.headers.get("age")).toBe("5");
    expect(hit.headers.get("etag")).toBe('"v1"');
    expect(roundTrips).toBe(1);
    expect((await b.log()).count).toBe(1);
    // HEAD is served from the GET's entry, without a body.
    const head = await t.request(`/c/${b.id}/page`, { method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    // The client's own If-None-Match gets a 304 from the cache.
    const conditional = await get(`/c/${b.id}/page`, { "if-none-match": '"v1"' });
    expect(conditional.status).toBe(304);
    expect((await b.log()).count).toBe(1);
  });

  it("normalizes the query: parameter order does not split the entry", async () => {
    const b = originBucket("query");
    await b.program([], { headers: { "cache-control": "max-age=60" }, body: "q" });
    await get(`/c/${b.id}?a=1&b=2`);
    expect(status(await get(`/c/${b.id}?b=2&a=1`))).toMatch(/^edgekit; hit/);
    expect((await b.log()).count).toBe(1);
  });

  it.each([
    ["no-store", { "cache-control": "no-store, max-age=60" }, "no-store"],
    ["private", { "cache-control": "private, max-age=60" }, "private"],
    ["Vary: *", { "cache-control": "max-age=60", vary: "*" }, "vary-star"],
    ["Set-Cookie without the opt-in", { "cache-control": "max-age=60", "set-cookie": "a=1" }, "set-cookie"],
    ["no freshness at all", {}, "no-freshness"],
  ])("never stores a response with %s", async (_name, headers, detail) => {
    const b = originBucket("nostore");
    await b.program([], { headers, body: "x" });
    const first = await get(`/c/${b.id}`);
    expect(status(first)).toBe(`edgekit; fwd=miss; fwd-status=200; detail=${detail}`);
    const second = await get(`/c/${b.id}`);
    expect(status(second)).toMatch(/fwd=miss/);
    expect((await b.log()).count).toBe(2);
  });

  it("does not serve a request with Authorization from the cache unless the response allows it", async () => {
    const b = originBucket("auth");
    await b.program([], { headers: { "cache-control": "max-age=60" }, body: "mine" });
    const authorized = await get(`/c/${b.id}/me`, { authorization: "Bearer user-1" });
    expect(status(authorized)).toBe("edgekit; fwd=miss; fwd-status=200; detail=authorization");
    // Nothing stored: another user's request goes to the origin too.
    await get(`/c/${b.id}/me`, { authorization: "Bearer user-2" });
    expect((await b.log()).count).toBe(2);
    // public (or s-maxage) allows it.
    const p = originBucket("auth-public");
    await p.program([], { headers: { "cache-control": "public, max-age=60" }, body: "shared" });
    await get(`/c/${p.id}`, { authorization: "Bearer user-1" });
    const other = await get(`/c/${p.id}`, { authorization: "Bearer user-2" });
    expect(status(other)).toMatch(/^edgekit; hit/);
    expect((await p.log()).count).toBe(1);
    // A stored response not marked shareable is not used for an authorized request.
    const s = originBucket("auth-stored");
    await s.program([], { headers: { "cache-control": "max-age=60" }, body: "anon" });
    await get(`/c/${s.id}`);
    const withAuth = await get(`/c/${s.id}`, { authorization: "Bearer x" });
    expect(status(withAuth)).toBe("edgekit; fwd=bypass; fwd-status=200; detail=authorization");
  });

  it("stores a Set-Cookie response without the cookie when the route opts in", async () => {
    const b = originBucket("cookie");
    await b.program([], { headers: { "cache-control": "max-age=60", "set-cookie": "sid=abc" }, body: "c" });
    const first = await get(`/cookie/${b.id}`);
    expect(first.headers.get("set-cookie")).toBe("sid=abc");
    expect(status(first)).toBe("edgekit; fwd=miss; fwd-status=200; stored");
    const second = await get(`/cookie/${b.id}`);
    expect(status(second)).toMatch(/^edgekit; hit/);
    expect(second.headers.get("set-cookie")).toBeNull();
  });

  it("keys by the Vary headers, normalized", async () => {
    const b = originBucket("vary");
    await b.program([
      { headers: { "cache-control": "max-age=60", vary: "Accept-Language" }, body: "en" },
      { headers: { "cache-control": "max-age=60", vary: "Accept-Language" }, body: "fr" },
    ]);
    expect(await (await get(`/c/${b.id}`, { "accept-language": "en" })).text()).toBe("en");
    const fr = await get(`/c/${b.id}`, { "accept-language": "fr" });
    expect(await fr.text()).toBe("fr");
    const en = await get(`/c/${b.id}`, { "accept-language": " EN " });
    expect(await en.text()).toBe("en");
    expect(status(en)).toMatch(/^edgekit; hit/);
    expect(await (await get(`/c/${b.id}`, { "accept-language": "fr" })).text()).toBe("fr");
    expect((await b.log()).count).toBe(2);
  });

  it("serves but does not store a response over the size limit, and compresses large entries", async () => {
    const b = originBucket("size");
    await b.program([], { headers: { "cache-control": "max-age=60" }, bodyBytes: 1001 });
    const big = await get(`/small/${b.id}/big`);
    expect((await big.text()).length).toBe(1001);
    expect(status(big)).toBe("edgekit; fwd=miss; fwd-status=200; detail=too-large");
    await get(`/small/${b.id}/big`);
    expect((await b.log()).count).toBe(2);
    const m = originBucket("size-ok");
    await m.program([], { headers: { "cache-control": "max-age=60" }, bodyBytes: 900 });
    await get(`/small/${m.id}/mid`);
    const hit = await get(`/small/${m.id}/mid`);
    expect(status(hit)).toMatch(/^edgekit; hit/);
    expect(await hit.text()).toBe("x".repeat(900));
  });

  it("revalidates with the stored ETag, and a 304 refreshes the metadata only", async () => {
    const b = originBucket("etag");
    await b.program([], {
      headers: { "cache-control": "max-age=10", etag: '"e1"', "x-version": "1" },
      body: "body-1",
      revalidate: true,
    });
    await get(`/c/${b.id}`);
    t.clock.advance(11_000);
    const revalidated = await get(`/c/${b.id}`);
    expect(await revalidated.text()).toBe("body-1");
    expect(status(revalidated)).toBe("edgekit; fwd=stale; fwd-status=304; stored");
    const log = await b.log();
    expect(log.requests[1]?.headers["if-none-match"]).toBe('"e1"');
    const hit = await get(`/c/${b.id}`);
    expect(status(hit)).toBe("edgekit; hit; ttl=10");
    expect(hit.headers.get("age")).toBe("0");
    expect(await hit.text()).toBe("body-1");
  });

  it("applies the route's default TTL when the origin says nothing, capped by maxTtl", async () => {
    const b = originBucket("default");
    await b.program([{ body: "d" }, { headers: { "cache-control": "max-age=3600" }, body: "capped" }]);
    await get(`/dflt/${b.id}/a`);
    expect(status(await get(`/dflt/${b.id}/a`))).toBe("edgekit; hit; ttl=60");
    await get(`/dflt/${b.id}/b`);
    expect(status(await get(`/dflt/${b.id}/b`))).toBe("edgekit; hit; ttl=120");
  });

  it("honours the client's Cache-Control: no-cache and max-age go to the origin", async () => {
    const b = originBucket("reqcc");
    await b.program([], { headers: { "cache-control": "max-age=60" }, body: "r" });
    await get(`/c/${b.id}`);
    t.clock.advance(10_000);
    expect(status(await get(`/c/${b.id}`, { "cache-control": "no-cache" }))).toBe(
      "edgekit; fwd=request; fwd-status=200; detail=no-cache",
    );
    expect(status(await get(`/c/${b.id}`, { "cache-control": "max-age=5" }))).toBe(
      "edgekit; fwd=request; fwd-status=200; detail=max-age",
    );
    expect(status(await get(`/c/${b.id}`, { "cache-control": "max-age=30" }))).toMatch(/^edgekit; hit/);
    expect((await b.log()).count).toBe(3);
  });

  it("serves stale while exactly one refresh runs (stale-while-revalidate)", async () => {
    const b = originBucket("swr");
    await b.program([
      { headers: { "cache-control": "max-age=1, stale-while-revalidate=60" }, body: "old" },
      { headers: { "cache-control": "max-age=60" }, body: "new", delayMs: 300 },
    ]);
    await get(`/c/${b.id}`);
    t.clock.advance(2000);
    const stale = await Promise.all(Array.from({ length: 20 }, () => get(`/c/${b.id}`)));
    for (const res of stale) {
      expect(await res.text()).toBe("old");
      expect(status(res)).toBe("edgekit; hit; ttl=-1; detail=stale-while-revalidate");
    }
    await eventually(async () => (await (await get(`/c/${b.id}`)).text()) === "new");
    expect((await b.log()).count).toBe(2);
  });

  it("serves stale on origin errors, trying the origin at most once per backoff window", async () => {
    const b = originBucket("sie");
    await b.program([{ headers: { "cache-control": "max-age=1, stale-if-error=600" }, body: "good" }], {
      status: 503,
      body: "down",
    });
    await get(`/c/${b.id}`);
    const statuses = new Set<string>();
    // 20 s of simulated time, a request every 250 ms; the default backoff is 5 s.
    for (let i = 0; i < 80; i++) {
      t.clock.advance(250);
      const res = await get(`/c/${b.id}`);
      expect(await res.text()).toBe("good");
      statuses.add(status(res) ?? "");
    }
    const attempts = (await b.log()).count - 1;
    expect(attempts).toBeGreaterThanOrEqual(3);
    expect(attempts).toBeLessThanOrEqual(5);
    expect(statuses).toContain("edgekit; fwd=stale; fwd-status=503; detail=stale-if-error");
  });

  it("makes exactly one origin request for 200 concurrent cold requests", async () => {
    const b = originBucket("stampede");
    await b.program([], { headers: { "cache-control": "max-age=60" }, body: "once", delayMs: 300 });
    const responses = await Promise.all(Array.from({ length: 200 }, () => get(`/c/${b.id}/hot`)));
    const bodies = await Promise.all(responses.map((res) => res.text()));
    expect(bodies.every((body) => body === "once")).toBe(true);
    expect((await b.log()).count).toBe(1);
    const statuses = responses.map(status);
    expect(statuses.filter((s) => s === "edgekit; fwd=miss; fwd-status=200; stored")).toHaveLength(1);
    expect(statuses.filter((s) => s?.startsWith("edgekit; hit") && s.includes("collapsed"))).toHaveLength(199);
  }, 60_000);

  it("fetches itself after waiting waitMs for another request's fill, and says so", async () => {
    const b = originBucket("wait");
    await b.program([{ headers: { "cache-control": "max-age=60" }, body: "slow", delayMs: 1500 }], {
      headers: { "cache-control": "max-age=60" },
      body: "own",
    });
    const lead = get(`/quick/${b.id}`);
    await sleep(100);
    const waiter = await get(`/quick/${b.id}`);
    expect(await waiter.text()).toBe("own");
    expect(status(waiter)).toBe("edgekit; fwd=miss; fwd-status=200; detail=wait-timeout");
    expect(await (await lead).text()).toBe("slow");
    expect((await b.log()).count).toBe(2);
  });

  it("never serves the old value after a tag purge that ran during the fill", async () => {
    const b = originBucket("fence");
    await b.program([
      { headers: { "cache-control": "max-age=60", "cache-tag": "product-7" }, body: "old", delayMs: 400 },
      { headers: { "cache-control": "max-age=60", "cache-tag": "product-7" }, body: "new" },
    ]);
    const inFlight = get(`/c/${b.id}`);
    await sleep(150);
    const purge = await t.request("/api/cache/purge", {
      method: "POST",
      headers: { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ tags: ["product-7"] }),
    });
    expect(purge.status).toBe(200);
    const first = await inFlight;
    expect(await first.text()).toBe("old");
    expect(status(first)).toBe("edgekit; fwd=miss; fwd-status=200; detail=fenced");
    expect(first.headers.get("cache-tag")).toBeNull();
    const after = await get(`/c/${b.id}`);
    expect(await after.text()).toBe("new");
  });
});
