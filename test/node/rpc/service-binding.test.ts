import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Miniflare } from "miniflare";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningProxy, startProxy } from "../../../proxy/server.ts";
import { buildWorker, builtModules } from "../../../scripts/built-worker.ts";
import { type RunningRedisServer, startRedisServer } from "../../../scripts/redis-server.ts";

/**
 * Two Workers in workerd joined by a service binding, as on Cloudflare: edgekit's built bundle
 * (wrangler deploy --dry-run) and a caller whose wrangler.toml would say
 *   [[services]]
 *   binding = "EDGEKIT"
 *   service = "edgekit"
 *   entrypoint = "EdgekitRpc"
 * The caller reaches edgekit over RPC only: no URL, no admin token.
 */
const ADMIN_TOKEN = "rpc-admin-token-0123456789abcdef";
const outdir = mkdtempSync(join(tmpdir(), "edgekit-rpc-"));
let redis: RunningRedisServer;
let proxy: RunningProxy;
let mf: Miniflare;

const caller = `
let fills = 0;
export default {
  async fetch(request, env) {
    const { method, args } = await request.json();
    try {
      if (method === "cacheGetOrFill") {
        // The fill is this Worker's function: edgekit calls it back over the binding.
        const [key, options] = args;
        const fill = async () => {
          fills++;
          await new Promise((resolve) => setTimeout(resolve, 50));
          return { fill: fills };
        };
        const result = await env.EDGEKIT.cacheGetOrFill(key, fill, options);
        return Response.json({ ok: true, result: { ...result, fills } });
      }
      return Response.json({ ok: true, result: await env.EDGEKIT[method](...args) });
    } catch (error) {
      return Response.json({ ok: false, error: String(error.message) });
    }
  },
};`;

beforeAll(async () => {
  buildWorker(outdir);
  redis = await startRedisServer();
  proxy = await startProxy({ tokens: [{ token: "rpc-token", redisUrl: redis.url }], port: 0, strict: true });
  mf = new Miniflare({
    workers: [
      {
        name: "caller",
        modules: true,
        script: caller,
        compatibilityDate: "2026-04-20",
        serviceBindings: { EDGEKIT: { name: "edgekit", entrypoint: "EdgekitRpc" } },
      },
      {
        name: "edgekit",
        modules: builtModules(outdir),
        modulesRoot: outdir,
        compatibilityDate: "2026-04-20",
        compatibilityFlags: ["nodejs_compat"],
        bindings: {
          UPSTASH_REDIS_REST_URL: proxy.url,
          UPSTASH_REDIS_REST_TOKEN: "rpc-token",
          ADMIN_TOKEN,
          HASH_SECRET: "rpc-hash-secret-0123456789abcdef",
          RATE_LIMITS: '{"default":{"limit":5}}',
        },
      },
    ],
  });
  await mf.ready;
}, 120_000);

afterAll(async () => {
  await mf?.dispose();
  await proxy?.close();
  await redis?.stop();
  rmSync(outdir, { recursive: true, force: true });
});

/** Calls `env.EDGEKIT[method](...args)` inside the caller Worker. */
async function call<T = unknown>(
  method: string,
  ...args: unknown[]
): Promise<{ ok: boolean; result: T; error?: string }> {
  const res = await mf.dispatchFetch("http://caller.test/", { method: "POST", body: JSON.stringify({ method, args }) });
  return (await res.json()) as { ok: boolean; result: T; error?: string };
}

/** edgekit's own HTTP API, for setting records up and reading them back. */
async function admin(path: string, init: { method?: string; body?: unknown } = {}) {
  // Miniflare's Fetcher type is workerd's; at runtime it takes what fetch takes.
  const edgekit = (await mf.getWorker("edgekit")) as unknown as { fetch: typeof fetch };
  const res = await edgekit.fetch(`http://edgekit.test${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
}

async function proxyRequests(): Promise<number> {
  const res = await fetch(`${proxy.url}/__stats`, { headers: { authorization: "Bearer rpc-token" } });
  return ((await res.json()) as { requests: number }).requests;
}

describe("edgekit through a service binding (two Workers in Miniflare)", () => {
  it("checks a limit: one round trip per call, exactly the limit allowed", async () => {
    const first = await call<{ allowed: boolean; remaining: number }>("limit", "user:binding-1");
    expect(first).toMatchObject({ ok: true, result: { allowed: true, limit: 5, remaining: 4, policy: "default" } });
    const before = await proxyRequests();
    await call("limit", "user:binding-1");
    expect((await proxyRequests()) - before).toBe(1);
    const results = await Promise.all(
      Array.from({ length: 20 }, () => call<{ allowed: boolean }>("limit", "user:binding-2")),
    );
    expect(results.filter((r) => r.result.allowed)).toHaveLength(5);
  });

  it("follows a link the HTTP API created, and the click shows in its stats", async () => {
    expect(
      (await admin("/api/links", { method: "POST", body: { url: "https://example.com/x", slug: "bound" } })).status,
    ).toBe(201);
    const followed = await call("followLink", "bound", { ip: "203.0.113.1", userAgent: "Mozilla/5.0 Firefox/140.0" });
    expect(followed).toMatchObject({ ok: true, result: { kind: "redirect", location: "https://example.com/x" } });
    expect((await admin("/api/links/bound/stats")).body.clicks).toBe(1);
  });

  it("assigns sticky variants and evaluates flags", async () => {
    await admin("/api/experiments/bound-exp", {
      method: "PUT",
      body: {
        variants: [
          { name: "a", weight: 50 },
          { name: "b", weight: 50 },
        ],
        status: "running",
        goals: ["buy"],
      },
    });
    const first = await call<{ variant: string }>("assign", "bound-exp", "unit-9");
    expect(first.result).toMatchObject({ inExperiment: true, sticky: false });
    expect((await call("assign", "bound-exp", "unit-9")).result).toMatchObject({
      variant: first.result.variant,
      sticky: true,
    });
    await admin("/api/flags/bound-flag", {
      method: "PUT",
      body: { enabled: true, type: "boolean", variants: { on: true, off: false }, defaultVariant: "on" },
    });
    expect((await call("evaluateFlag", "bound-flag", { targetingKey: "u" })).result).toMatchObject({ value: true });
  });

  it("reads a session, counts a view, submits a score, enqueues a job", async () => {
    const session = await admin("/api/sessions", { method: "POST", body: { userId: "u_bound" } });
    expect((await call("readSession", session.body.id)).result).toMatchObject({ userId: "u_bound" });
    expect(
      (await call("countView", "bound/page", { ip: "203.0.113.2", userAgent: "Mozilla/5.0 Firefox/140.0" })).result,
    ).toEqual({ views: 1, uniquesToday: 1, counted: true });
    await admin("/api/leaderboards/bound-board", { method: "PUT", body: { order: "high", rule: "sum" } });
    expect((await call("submitScore", "bound-board", "bob", 7)).result).toMatchObject({
      windows: { all: { score: 7 } },
    });
    await admin("/api/queues/bound-queue", { method: "PUT", body: {} });
    expect((await call("enqueue", "bound-queue", { type: "noop", delay: 60 })).result).toMatchObject({
      duplicate: false,
    });
  });

  it("sends edgekit's problems as errors that start with the problem code", async () => {
    expect(await call("assign", "no-such-experiment", "u")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^not_found: /),
    });
    expect(await call("limit", "nobody")).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^validation_failed: /),
    });
  });

  it("publishes to a channel: the ids are the history's stream ids, rising", async () => {
    // (The HTTP API's default limit, 5 a minute here, is spent by the tests above.)
    const first = await call<{ id: string }>("publish", "public:bound", "post", { n: 1 });
    expect(first).toMatchObject({
      ok: true,
      result: { channel: "public:bound", id: expect.stringMatching(/^\d+-\d+$/) },
    });
    const second = await call<{ id: string }>("publish", "public:bound", "post", { n: 2 });
    const position = (id: string) => id.split("-").map(Number) as [number, number];
    const [[ms1, seq1], [ms2, seq2]] = [position(first.result.id), position(second.result.id)];
    expect(ms2 > ms1 || (ms2 === ms1 && seq2 > seq1)).toBe(true);
    expect(await call("publish", "public:bound", "ready", {})).toMatchObject({
      ok: false,
      error: expect.stringMatching(/^validation_failed: /),
    });
  });

  it("gets or fills the cache with the caller's own function: one fill for 10 concurrent calls, then hits", async () => {
    const options = { ttl: 60_000, waitMs: 30_000 };
    const all = await Promise.all(
      Array.from({ length: 10 }, () =>
        call<{ value: unknown; outcome: string; fills: number }>("cacheGetOrFill", "k1", options),
      ),
    );
    expect(all.every((r) => r.ok)).toBe(true);
    expect(all.map((r) => r.result.value)).toEqual(Array(10).fill({ fill: 1 }));
    expect(all.filter((r) => r.result.outcome === "miss")).toHaveLength(1);
    const before = await proxyRequests();
    const hit = await call<{ outcome: string; fills: number }>("cacheGetOrFill", "k1", options);
    expect(hit.result).toMatchObject({ value: { fill: 1 }, outcome: "hit", fills: 1 });
    expect((await proxyRequests()) - before).toBe(1);
  });

  it("notifies a user and beats presence", async () => {
    expect((await call("notify", "u_bound", { title: "Hi" })).result).toMatchObject({ duplicate: false });
    expect((await call("heartbeat", "bound-room", "u_bound", { name: "B" })).result).toMatchObject({
      count: 1,
      joined: true,
    });
  });
});
