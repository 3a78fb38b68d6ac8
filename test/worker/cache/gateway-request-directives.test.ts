import { afterAll, describe, expect, it } from "vitest";
import { hashId, namespaceKeys } from "../../../src/lib/cache/keys.ts";
import { cacheKeyOf } from "../../../src/lib/gateway/cache-key.ts";
import { GATEWAY_NAMESPACE } from "../../../src/lib/gateway/namespace.ts";
import { stats } from "../../../src/lib/gateway/stats.ts";
import { cleanup, countRoundTrips, redisCommand } from "../support.ts";
import { eventually, gatewayApp, ORIGIN, originBucket } from "./helpers.ts";

const t = gatewayApp("reqdir", [{ path: "/r/*", origin: ORIGIN, cache: true }]);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const get = (path: string, cacheControl?: string) =>
  t.request(path, { headers: cacheControl ? { "cache-control": cacheControl } : {} });
const status = (res: Response) => res.headers.get("cache-status");

/** A response fresh for 10 s whose ETag keeps it stored (for revalidation) a minute past that. */
const validated = (cacheControl: string, body = "v1") => ({
  headers: { "cache-control": cacheControl, etag: '"1"' },
  body,
  revalidate: true,
});

/** Stores `answer` under a fresh path, then lets `staleFor` seconds pass beyond its 10 s of freshness. */
async function staleEntry(name: string, cacheControl = "max-age=10", staleFor = 20) {
  const b = originBucket(name);
  await b.program([], validated(cacheControl));
  const path = `/r/${b.id}`;
  expect(status(await get(path))).toBe("edgekit; fwd=miss; fwd-status=200; stored");
  t.clock.advance((10 + staleFor) * 1000);
  return { b, path };
}

describe("the client's max-stale, max-age and min-fresh", () => {
  it("serves a stale entry on max-stale without asking the origin, with Age and Cache-Status", async () => {
    const { b, path } = await staleEntry("any");
    const res = await get(path, "max-stale");
    expect(await res.text()).toBe("v1");
    expect(status(res)).toBe("edgekit; hit; ttl=-20; detail=max-stale");
    expect(res.headers.get("age")).toBe("30");
    expect((await b.log()).count).toBe(1);
    // Without max-stale the same entry is revalidated (the lease the max-stale hit held is given back).
    await eventually(async () => status(await get(path)) === "edgekit; fwd=stale; fwd-status=304; stored");
    expect((await b.log()).count).toBe(2);
  });

  it("answers a max-stale hit in one Redis round trip while another request holds the lease", async () => {
    const { b, path } = await staleEntry("one-trip");
    const keys = namespaceKeys(`${t.bindings.KEY_PREFIX}edgekit:`, GATEWAY_NAMESPACE);
    const id = await hashId(`GET ${cacheKeyOf(new URL(`http://edgekit.test${path}`))}`);
    await redisCommand("SET", keys.lease(id), "someone-else", "PX", 10_000);
    stats.flushEveryMs = Number.POSITIVE_INFINITY;
    const { result, roundTrips } = await countRoundTrips(() => get(path, "max-stale=60"));
    stats.flushEveryMs = 10_000;
    expect(status(result)).toBe("edgekit; hit; ttl=-20; detail=max-stale");
    expect(roundTrips).toBe(1);
    expect((await b.log()).count).toBe(1);
  });

  it.each([
    ["within N", "max-stale=30", "edgekit; hit; ttl=-20; detail=max-stale", 1],
    ["at N", "max-stale=20", "edgekit; hit; ttl=-20; detail=max-stale", 1],
    ["beyond N", "max-stale=10", "edgekit; fwd=stale; fwd-status=304; stored", 2],
  ])("honours max-stale=N %s", async (_name, cacheControl, expected, originRequests) => {
    const { b, path } = await staleEntry(`n-${cacheControl.replace("=", "")}`);
    const res = await get(path, cacheControl);
    expect(await res.text()).toBe("v1");
    expect(status(res)).toBe(expected);
    expect((await b.log()).count).toBe(originRequests);
  });

  it.each([
    ["must-revalidate", "max-age=10, must-revalidate"],
    ["proxy-revalidate", "max-age=10, proxy-revalidate"],
    ["s-maxage (proxy-revalidate for a shared cache)", "s-maxage=10"],
    ["no-cache", "max-age=10, no-cache"],
  ])("never serves stale on max-stale when the response says %s", async (_name, cacheControl) => {
    const { b, path } = await staleEntry(`forbid-${cacheControl.replace(/\W+/g, "")}`, cacheControl);
    const res = await get(path, "max-stale");
    expect(await res.text()).toBe("v1");
    expect(status(res)).toBe("edgekit; fwd=stale; fwd-status=304; stored");
    const log = await b.log();
    expect(log.count).toBe(2);
    expect(log.requests[1]?.headers["if-none-match"]).toBe('"1"');
  });

  it("does not serve a soft-purged entry on max-stale once its own windows are over", async () => {
    const b = originBucket("purged");
    await b.program([], validated("max-age=10"));
    const path = `/r/${b.id}`;
    await get(path);
    t.clock.advance(15_000);
    const purge = await t.request("/api/cache/purge", {
      method: "POST",
      headers: { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({ urls: [`http://edgekit.test${path}`] }),
    });
    expect(purge.status).toBe(200);
    expect(status(await get(path, "max-stale"))).toBe("edgekit; fwd=stale; fwd-status=304; stored");
  });

  it("sends max-age=0 and no-cache to the origin even for a fresh entry", async () => {
    const b = originBucket("zero");
    await b.program([], validated("max-age=600"));
    const path = `/r/${b.id}`;
    await get(path);
    expect(status(await get(path))).toMatch(/^edgekit; hit/);
    expect(status(await get(path, "max-age=0"))).toBe("edgekit; fwd=request; fwd-status=200; detail=max-age");
    expect(status(await get(path, "no-cache"))).toBe("edgekit; fwd=request; fwd-status=200; detail=no-cache");
    expect((await b.log()).count).toBe(3);
  });

  it("revalidates a stale entry for max-age=N, even inside stale-while-revalidate, unless max-stale allows it", async () => {
    const { b, path } = await staleEntry("maxage-stale", "max-age=10, stale-while-revalidate=600");
    // Age 30 is within max-age=60, but the entry is stale and max-age alone refuses stale.
    const withStale = await get(path, "max-age=60, max-stale");
    expect(status(withStale)).toBe("edgekit; hit; ttl=-20; detail=stale-while-revalidate");
    await eventually(async () => (await b.log()).count === 2); // that stale hit's background refresh
    t.clock.advance(30_000);
    const refused = await get(path, "max-age=60");
    expect(status(refused)).toBe("edgekit; fwd=stale; fwd-status=304; stored");
    expect((await b.log()).count).toBe(3);
    // Too old for max-age even with max-stale: to the origin.
    t.clock.advance(30_000);
    expect(status(await get(path, "max-age=5, max-stale"))).toBe("edgekit; fwd=stale; fwd-status=304; stored");
  });

  it("honours min-fresh: a hit only with that much freshness left, never a stale one", async () => {
    const b = originBucket("min-fresh");
    await b.program([], validated("max-age=10"));
    const path = `/r/${b.id}`;
    await get(path);
    t.clock.advance(5000);
    expect(status(await get(path, "min-fresh=3"))).toBe("edgekit; hit; ttl=5");
    expect(status(await get(path, "min-fresh=8"))).toBe("edgekit; fwd=request; fwd-status=200; detail=min-fresh");
    expect((await b.log()).count).toBe(2);
    t.clock.advance(10_000);
    expect(status(await get(path, "min-fresh=1, max-stale"))).toBe("edgekit; fwd=stale; fwd-status=304; stored");
    expect((await b.log()).count).toBe(3);
  });
});

describe("the client's only-if-cached", () => {
  it("answers 504 when nothing is stored, without asking the origin", async () => {
    const b = originBucket("oic-none");
    await b.program([], { body: "never" });
    const res = await get(`/r/${b.id}`, "only-if-cached");
    expect(res.status).toBe(504);
    expect(res.headers.get("content-type")).toContain("application/problem+json");
    expect((await b.log()).count).toBe(0);
  });

  it("answers from a fresh entry", async () => {
    const b = originBucket("oic-fresh");
    await b.program([], validated("max-age=10"));
    const path = `/r/${b.id}`;
    await get(path);
    const res = await get(path, "only-if-cached");
    expect(await res.text()).toBe("v1");
    expect(status(res)).toMatch(/^edgekit; hit/);
    expect((await b.log()).count).toBe(1);
  });

  it.each([
    ["a stale entry it may not take stale", "only-if-cached"],
    ["a stale entry with max-age=0", "only-if-cached, max-age=0"],
    ["an entry older than max-age", "only-if-cached, max-age=1"],
  ])("answers 504 for %s, and leaves the entry for the next request to refresh", async (_name, cacheControl) => {
    const { b, path } = await staleEntry(`oic-${cacheControl.length}`);
    const res = await get(path, cacheControl);
    expect(res.status).toBe(504);
    expect((await b.log()).count).toBe(1);
    // The lease this request took was given back: a plain request revalidates at once.
    expect(status(await get(path))).toBe("edgekit; fwd=stale; fwd-status=304; stored");
  });

  it("serves a stale entry that max-stale allows", async () => {
    const { b, path } = await staleEntry("oic-max-stale");
    const res = await get(path, "only-if-cached, max-stale");
    expect(status(res)).toBe("edgekit; hit; ttl=-20; detail=max-stale");
    expect((await b.log()).count).toBe(1);
  });
});
