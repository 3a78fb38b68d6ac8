import { afterAll, describe, expect, it } from "vitest";
import { hashId, namespaceKeys } from "../../../src/lib/cache/keys.ts";
import { cacheKeyOf } from "../../../src/lib/gateway/cache-key.ts";
import { GATEWAY_NAMESPACE } from "../../../src/lib/gateway/namespace.ts";
import { stats } from "../../../src/lib/gateway/stats.ts";
import { adminHeaders, cleanup, jsonHeaders, problemBody, redisCommand } from "../support.ts";
import { gatewayApp, ORIGIN, originBucket } from "./helpers.ts";

const t = gatewayApp("purge", [{ path: "/p/*", origin: ORIGIN, cache: true, name: "purge-route" }]);
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const get = (path: string, headers: Record<string, string> = {}) => t.request(path, { headers });
const purge = (body: unknown, headers: Record<string, string> = adminHeaders(jsonHeaders())) =>
  t.request("/api/cache/purge", { method: "POST", headers, body: JSON.stringify(body) });
const status = (res: Response) => res.headers.get("cache-status") ?? "";
const cacheable = (body: string, extra: Record<string, string> = {}) => ({
  headers: { "cache-control": "max-age=600, stale-while-revalidate=600", ...extra },
  body,
});

describe("POST /api/cache/purge", () => {
  it("purges by tag from Cache-Tag and Surrogate-Key, soft by default", async () => {
    const b = originBucket("tags");
    await b.program(
      [
        cacheable("a1", { "cache-tag": "red,blue" }),
        cacheable("b1", { "surrogate-key": "blue green" }),
        cacheable("c1", { "cache-tag": "other" }),
      ],
      cacheable("refreshed"),
    );
    for (const name of ["a", "b", "c"]) await get(`/p/${b.id}/${name}`);
    const res = await purge({ tags: ["blue"] });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ purged: 2, all: false, mode: "soft" });
    // Soft: still served, stale, while one refresh runs.
    const soft = await get(`/p/${b.id}/a`);
    expect(await soft.text()).toBe("a1");
    expect(status(soft)).toMatch(/detail=stale-while-revalidate/);
    expect(status(await get(`/p/${b.id}/c`))).toMatch(/^edgekit; hit; ttl=/);
  });

  it("forgets an entry's old tags when a refill tags it differently", async () => {
    const b = originBucket("retag");
    const tag = (n: string) => `${b.id}-${n}`;
    await b.program([
      // An ETag keeps the first entry (and its index entries) past its freshness.
      { headers: { "cache-control": "max-age=1", etag: '"1"', "cache-tag": `${tag("a")},${tag("b")}` }, body: "v1" },
      { headers: { "cache-control": "max-age=600", "cache-tag": `${tag("b")},${tag("c")}` }, body: "v2" },
    ]);
    const path = `/p/${b.id}/item`;
    await get(path);
    t.clock.advance(2000);
    expect(await (await get(path)).text()).toBe("v2");
    // The index of the tag the entry no longer has does not list it any more.
    const keys = namespaceKeys(`${t.bindings.KEY_PREFIX}edgekit:`, GATEWAY_NAMESPACE);
    const entryId = await hashId(`GET ${cacheKeyOf(new URL(`http://edgekit.test${path}`))}`);
    const indexOf = async (name: string) => keys.tagIndex(await hashId(`t:${tag(name)}`));
    expect(await redisCommand("ZSCORE", await indexOf("a"), entryId)).toBeNull();
    expect(await redisCommand("ZSCORE", await indexOf("c"), entryId)).not.toBeNull();
    // Purging the old tag leaves the entry alone; purging a tag it has now purges it.
    expect(await (await purge({ tags: [tag("a")], mode: "hard" })).json()).toEqual({
      purged: 0,
      all: false,
      mode: "hard",
    });
    const hit = await get(path);
    expect(status(hit)).toMatch(/^edgekit; hit; ttl=/);
    expect(await hit.text()).toBe("v2");
    expect(await (await purge({ tags: [tag("c")], mode: "hard" })).json()).toEqual({
      purged: 1,
      all: false,
      mode: "hard",
    });
    expect(status(await get(path))).toMatch(/^edgekit; fwd=miss/);
  });

  it("purges hard by URL (every variant) and by prefix", async () => {
    const b = originBucket("urls");
    await b.program([], cacheable("v"));
    await get(`/p/${b.id}/x?q=1`);
    await get(`/p/${b.id}/dir/one`);
    await get(`/p/${b.id}/dir/two`);
    await get(`/p/${b.id}/dirt`);
    const byUrl = await purge({ urls: [`http://edgekit.test/p/${b.id}/x?q=1`], mode: "hard" });
    expect(await byUrl.json()).toEqual({ purged: 1, all: false, mode: "hard" });
    expect(status(await get(`/p/${b.id}/x?q=1`))).toMatch(/^edgekit; fwd=miss/);
    const byPrefix = await purge({ prefixes: [`http://edgekit.test/p/${b.id}/dir/`], mode: "hard" });
    expect(await byPrefix.json()).toEqual({ purged: 2, all: false, mode: "hard" });
    expect(status(await get(`/p/${b.id}/dir/one`))).toMatch(/^edgekit; fwd=miss/);
    expect(status(await get(`/p/${b.id}/dirt`))).toMatch(/^edgekit; hit/);
  });

  it("purges everything in O(1)", async () => {
    const b = originBucket("all");
    await b.program([], cacheable("v"));
    await get(`/p/${b.id}/1`);
    expect(await (await purge({ all: true })).json()).toEqual({ purged: 0, all: true, mode: "soft" });
    expect(status(await get(`/p/${b.id}/1`))).toMatch(/^edgekit; fwd=miss/);
  });

  it.each([
    ["an empty body", {}, "body: name urls, prefixes, tags or all"],
    ["a relative URL", { urls: ["/p/x"] }, "urls.0: an absolute http(s) URL"],
    ["an unknown mode", { tags: ["x"], mode: "gentle" }, 'mode: Invalid option: expected one of "soft"|"hard"'],
  ])("refuses %s with a 422", async (_name, body, detail) => {
    const res = await purge(body);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { detail: string }).detail).toBe(detail);
  });

  it("needs the admin token or a cache:purge key", async () => {
    const res = await purge({ all: true }, jsonHeaders());
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual(
      problemBody(
        401,
        "unauthorized",
        "Unauthorized",
        "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.",
        "/api/cache/purge",
      ),
    );
  });
});

describe("GET /api/cache/stats", () => {
  it("counts hits, stale hits, misses and fills per route, flushed per isolate", async () => {
    const b = originBucket("stats");
    await b.program([], { headers: { "cache-control": "max-age=1, stale-while-revalidate=600" }, body: "s" });
    await get(`/p/${b.id}/s`);
    await get(`/p/${b.id}/s`);
    t.clock.advance(2000);
    await get(`/p/${b.id}/s`);
    const flushEvery = stats.flushEveryMs;
    stats.flushEveryMs = 0;
    await get(`/p/${b.id}/s`); // this response's flush writes every count so far
    stats.flushEveryMs = flushEvery;
    await new Promise((resolve) => setTimeout(resolve, 300));
    const res = await t.request("/api/cache/stats?minutes=5", { headers: adminHeaders() });
    expect(res.status).toBe(200);
    const body = (await res.json()) as { routes: Record<string, Record<string, number>> };
    const route = body.routes["purge-route"];
    expect(route?.misses).toBeGreaterThanOrEqual(1);
    expect(route?.hits).toBeGreaterThanOrEqual(1);
    expect(route?.staleHits).toBeGreaterThanOrEqual(1);
    expect(route?.fills).toBeGreaterThanOrEqual(1);
  });
});
