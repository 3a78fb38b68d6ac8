import { env } from "cloudflare:test";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import type { Bindings } from "../../../src/env.ts";
import {
  type CacheOptions,
  type CacheVariables,
  cache,
  createRedisClient,
  invalidateKey,
  invalidateTag,
  redisFromEnv,
} from "../../../src/hono/index.ts";
import { cleanup, countRoundTrips } from "../support.ts";

/** `cache()` from `edgekit/hono` in an app of its own, against the real proxy. */
const prefix = `t-hono-cache-${crypto.randomUUID().slice(0, 8)}:`;
const bindings = { ...(env as Bindings), REDIS_TIMEOUT_MS: "10000" };
const redis = redisFromEnv({ timeoutMs: 10_000 });
const client = createRedisClient({
  url: bindings.UPSTASH_REDIS_REST_URL as string,
  token: bindings.UPSTASH_REDIS_REST_TOKEN as string,
  timeoutMs: 10_000,
});
afterAll(() => cleanup(prefix));

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const status = (res: Response) => res.headers.get("cache-status") ?? "";

/** A counted handler behind `cache()`; `answer` decides each run's response. */
function cachedApp(
  options: Partial<CacheOptions> = {},
  answer: (run: number, c: { req: { header(name: string): string | undefined } }) => Response | Promise<Response> = (
    run,
  ) => new Response(`run ${run}`, { headers: { "content-type": "text/plain", etag: `"v${run}"` } }),
) {
  let runs = 0;
  const namespace = `n${crypto.randomUUID().slice(0, 8)}`;
  const app = new Hono<{ Variables: CacheVariables }>();
  app.get("/page", cache({ redis, ttl: 60, prefix, namespace, wait: 30, ...options }), async (c) => {
    runs++;
    const run = runs;
    await sleep(30);
    return answer(run, c as never);
  });
  app.post("/page", cache({ redis, ttl: 60, prefix, namespace }), (c) => {
    runs++;
    return c.text("posted");
  });
  const request = (init: RequestInit = {}, path = "/page") => app.request(`http://app.test${path}`, init, bindings);
  return { app, request, namespace, runs: () => runs };
}

describe("cache()", () => {
  it("stores a miss and serves the hit in one round trip, with Age and the gateway's Cache-Status", async () => {
    const t = cachedApp();
    const miss = await t.request();
    expect(await miss.text()).toBe("run 1");
    expect(status(miss)).toBe("edgekit; fwd=miss; fwd-status=200; stored");
    const { result: hit, roundTrips } = await countRoundTrips(async () => t.request());
    expect(roundTrips).toBe(1);
    expect(await hit.text()).toBe("run 1");
    expect(status(hit)).toMatch(/^edgekit; hit; ttl=(59|60)$/);
    expect(hit.headers.get("age")).toMatch(/^[01]$/);
    expect(hit.headers.get("etag")).toBe('"v1"');
    expect(hit.headers.get("content-type")).toBe("text/plain");
    const head = await t.request({ method: "HEAD" });
    expect(head.status).toBe(200);
    expect(await head.text()).toBe("");
    expect(t.runs()).toBe(1);
  });

  it("runs the handler once for 20 concurrent cold requests; the rest wait for that fill", async () => {
    const t = cachedApp();
    const all = await Promise.all(Array.from({ length: 20 }, () => t.request()));
    expect(t.runs()).toBe(1);
    expect(await Promise.all(all.map((res) => res.text()))).toEqual(Array(20).fill("run 1"));
    const statuses = all.map(status);
    expect(statuses.filter((s) => s === "edgekit; fwd=miss; fwd-status=200; stored")).toHaveLength(1);
    expect(statuses.filter((s) => /^edgekit; hit; ttl=\d+; collapsed$/.test(s))).toHaveLength(19);
  });

  it("serves stale while exactly one request refreshes, then the refreshed copy", async () => {
    // Fresh 2 s: long enough for the check after the refresh to see it fresh even under load.
    const t = cachedApp({ ttl: 2, staleWhileRevalidate: 60 });
    await t.request();
    await sleep(2100);
    const all = await Promise.all(Array.from({ length: 10 }, () => t.request()));
    expect(t.runs()).toBe(2);
    const bodies = await Promise.all(all.map((res) => res.text()));
    expect(bodies.filter((b) => b === "run 2")).toHaveLength(1);
    expect(bodies.filter((b) => b === "run 1")).toHaveLength(9);
    expect(all.map(status).filter((s) => s === "edgekit; fwd=stale; fwd-status=200; stored")).toHaveLength(1);
    expect(
      all.map(status).filter((s) => /^edgekit; hit; ttl=-?\d+; detail=stale-while-revalidate$/.test(s)),
    ).toHaveLength(9);
    const after = await t.request();
    expect(await after.text()).toBe("run 2");
    expect(status(after)).toMatch(/^edgekit; hit; ttl=[012]$/);
  });

  it("serves the stale copy when the refresh answers 5xx, inside staleIfError", async () => {
    const t = cachedApp({ ttl: 0.2, staleIfError: 60 }, (run) =>
      run === 1 ? new Response("good") : new Response("broken", { status: 503 }),
    );
    await t.request();
    await sleep(300);
    const res = await t.request();
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("good");
    expect(status(res)).toBe("edgekit; fwd=stale; fwd-status=503; detail=stale-if-error");
    expect(t.runs()).toBe(2);
  });

  it("purges by tag (its own and one the handler pushed) and by key, and the next request fills again", async () => {
    const t = cachedApp({ tags: ["products"] }, (run) => new Response(`run ${run}`));
    const { namespace } = t;
    t.app.get("/tagged", cache({ redis, ttl: 60, prefix, namespace }), (c) => {
      c.get("cacheTags")?.push("product:7");
      return c.text("seven");
    });
    await t.request();
    expect(status(await t.request())).toMatch(/^edgekit; hit/);
    expect(await invalidateTag(client, "products", { prefix, namespace })).toBe(1);
    const refilled = await t.request();
    expect(await refilled.text()).toBe("run 2");
    // A soft purge leaves the entry stale: the request that refills it says so.
    expect(status(refilled)).toMatch(/^edgekit; fwd=(miss|stale); fwd-status=200; stored$/);

    await t.request({}, "/tagged");
    expect(status(await t.request({}, "/tagged"))).toMatch(/^edgekit; hit/);
    expect(await invalidateTag(client, "product:7", { prefix, namespace })).toBe(1);
    expect(status(await t.request({}, "/tagged"))).toMatch(/^edgekit; fwd=(miss|stale); fwd-status=200; stored$/);

    expect(await invalidateKey(client, "app.test/page", { prefix, namespace })).toBe(true);
    expect(await (await t.request()).text()).toBe("run 3");
  });

  it("never stores a Set-Cookie, no-store or uncacheable-status answer unless told to", async () => {
    const cookie = cachedApp({}, (run) => new Response(`run ${run}`, { headers: { "set-cookie": "sid=1" } }));
    const first = await cookie.request();
    expect(first.headers.get("set-cookie")).toBe("sid=1");
    expect(status(first)).toBe("edgekit; fwd=miss; fwd-status=200; detail=set-cookie");
    expect(await (await cookie.request()).text()).toBe("run 2");

    const strip = cachedApp(
      { setCookie: "strip" },
      (run) => new Response(`run ${run}`, { headers: { "set-cookie": "sid=1" } }),
    );
    expect((await strip.request()).headers.get("set-cookie")).toBe("sid=1");
    const stripped = await strip.request();
    expect(await stripped.text()).toBe("run 1");
    expect(stripped.headers.get("set-cookie")).toBeNull();

    const noStore = cachedApp({}, (run) => new Response(`run ${run}`, { headers: { "cache-control": "private" } }));
    await noStore.request();
    expect(status(await noStore.request())).toBe("edgekit; fwd=miss; fwd-status=200; detail=no-store");

    const created = cachedApp({}, (run) => new Response(`run ${run}`, { status: 201 }));
    await created.request();
    expect(status(await created.request())).toBe("edgekit; fwd=miss; fwd-status=201; detail=status");
    const optedIn = cachedApp({ statuses: [201] }, (run) => new Response(`run ${run}`, { status: 201 }));
    await optedIn.request();
    expect(await (await optedIn.request()).text()).toBe("run 1");

    const failing = cachedApp({}, (run) => new Response(`run ${run}`, { status: 500 }));
    expect(status(await failing.request())).toBe("edgekit; fwd=miss; fwd-status=500");
    expect(await (await failing.request()).text()).toBe("run 2");

    const post = await failing.request({ method: "POST" });
    expect(await post.text()).toBe("posted");
    expect(post.headers.get("cache-status")).toBeNull();
  });

  it("keeps an entry per value of a varyBy header, and says so in Vary", async () => {
    const t = cachedApp(
      { varyBy: ["Accept-Language"] },
      (run, c) => new Response(`${c.req.header("accept-language")} ${run}`),
    );
    const en = await t.request({ headers: { "accept-language": "en" } });
    expect(en.headers.get("vary")).toBe("accept-language");
    expect(await (await t.request({ headers: { "accept-language": "de" } })).text()).toBe("de 2");
    const again = await t.request({ headers: { "accept-language": "en" } });
    expect(await again.text()).toBe("en 1");
    expect(again.headers.get("vary")).toBe("accept-language");
  });

  it("runs the handler uncached when Redis is unreachable", async () => {
    const app = new Hono();
    const down = createRedisClient({ url: "http://127.0.0.1:9", token: "x", timeoutMs: 500 });
    app.get("/", cache({ redis: down, ttl: 60, prefix }), (c) => c.text("still here"));
    const res = await app.request("http://app.test/", {}, bindings);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe("still here");
    expect(status(res)).toBe("edgekit; fwd=miss; fwd-status=200; detail=cache-unavailable");
  });
});
