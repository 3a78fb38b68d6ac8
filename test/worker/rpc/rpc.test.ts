import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { afterAll, describe, expect, it } from "vitest";
import { EdgekitRpc } from "../../../src/rpc.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, testApp, testBindings } from "../support.ts";

/**
 * The service-binding entrypoint's methods, called in this isolate (test/node/rpc/ calls them
 * from another Worker through a real binding). Same prefix as an app, so the routes and the RPC
 * see the same records.
 */
const bindings = testBindings("rpc", { RATE_LIMITS: '{"default":{"limit":3}}' });
const app = testApp("rpc", { bindings: { KEY_PREFIX: bindings.KEY_PREFIX } });
afterAll(() => cleanup(bindings.KEY_PREFIX as string));

const ctx = createExecutionContext();
const rpc = new EdgekitRpc(ctx, bindings as never);
const put = (path: string, body: unknown) =>
  app.request(path, { method: "PUT", headers: adminHeaders(jsonHeaders()), body: JSON.stringify(body) });
const post = (path: string, body: unknown) =>
  app.request(path, { method: "POST", headers: adminHeaders(jsonHeaders()), body: JSON.stringify(body) });
const browser = { ip: "203.0.113.5", userAgent: "Mozilla/5.0 (X11; Linux x86_64) Firefox/140.0" };

describe("EdgekitRpc", () => {
  it("follows a link in one round trip, counting the click the stats then show", async () => {
    expect((await post("/api/links", { url: "https://example.com/a", slug: "rpc-link" })).status).toBe(201);
    await rpc.followLink("rpc-link", browser); // loads the script
    const { result, roundTrips } = await countRoundTrips(() => rpc.followLink("rpc-link", browser));
    expect(result).toMatchObject({ kind: "redirect", location: "https://example.com/a", status: 302 });
    expect(roundTrips).toBe(1);
    expect(await rpc.followLink("nope-nope")).toEqual({ kind: "missing" });
    const stats = (await (await app.request("/api/links/rpc-link/stats", { headers: adminHeaders() })).json()) as {
      clicks: number;
    };
    expect(stats.clicks).toBe(2);
  });

  it("checks a limit in one round trip and refuses past it; 200 concurrent checks allow exactly the limit", async () => {
    const id = `user:u-${crypto.randomUUID().slice(0, 8)}`;
    const { result, roundTrips } = await countRoundTrips(() => rpc.limit(id));
    expect(result).toMatchObject({ allowed: true, limit: 3, remaining: 2, policy: "default" });
    expect(roundTrips).toBe(1);
    await rpc.limit(id);
    await rpc.limit(id);
    expect(await rpc.limit(id)).toMatchObject({ allowed: false, remaining: 0 });
    const many = `user:m-${crypto.randomUUID().slice(0, 8)}`;
    const results = await Promise.all(Array.from({ length: 200 }, () => rpc.limit(many, { policy: "create-link" })));
    expect(results.filter((r) => r.allowed)).toHaveLength(20); // create-link: 20 a minute
    await expect(rpc.limit("nobody")).rejects.toThrow(/^validation_failed: /);
  });

  it("reads the session a cookie names, in one round trip, and null for a bad token", async () => {
    const created = await app.request("/api/sessions", {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ userId: "u_rpc", data: { plan: "pro" } }),
    });
    const { id: token } = (await created.json()) as { id: string };
    await rpc.readSession(token);
    const { result, roundTrips } = await countRoundTrips(() => rpc.readSession(token));
    expect(result).toMatchObject({ userId: "u_rpc", data: { plan: "pro" } });
    expect(roundTrips).toBe(1);
    expect(await rpc.readSession("not-a-token")).toBeNull();
  });

  it("evaluates flags, assigns sticky variants and counts conversions as the routes do", async () => {
    const flag = { enabled: true, type: "boolean", variants: { on: true, off: false }, defaultVariant: "on" };
    expect((await put("/api/flags/rpc-flag", flag)).status).toBe(201);
    expect(await rpc.evaluateFlag("rpc-flag", { targetingKey: "u1" })).toMatchObject({ value: true, variant: "on" });
    expect(await rpc.evaluateFlag("missing-flag")).toMatchObject({ errorCode: "FLAG_NOT_FOUND" });
    expect((await rpc.evaluateFlags({})).map((f) => f.key)).toContain("rpc-flag");

    const experiment = {
      variants: [
        { name: "a", weight: 50 },
        { name: "b", weight: 50 },
      ],
      status: "running",
      goals: ["buy"],
    };
    expect((await put("/api/experiments/rpc-exp", experiment)).status).toBe(201);
    await rpc.assign("rpc-exp", "warm-up");
    const { result: first, roundTrips } = await countRoundTrips(() => rpc.assign("rpc-exp", "unit-1"));
    expect(first).toMatchObject({ inExperiment: true, sticky: false, reason: "new" });
    expect(roundTrips).toBe(1);
    expect(await rpc.assign("rpc-exp", "unit-1")).toMatchObject({ variant: first.variant, sticky: true });
    expect(await rpc.convert("rpc-exp", "unit-1", "buy", 10)).toEqual({ variant: first.variant, counted: true });
    expect(await rpc.convert("rpc-exp", "unit-1", "buy", 10)).toEqual({ variant: first.variant, counted: false });
    await expect(rpc.assign("rpc-exp", "")).rejects.toThrow(/^validation_failed: /);
    await expect(rpc.assign("no-such-exp", "u")).rejects.toThrow(/^not_found: /);
  });

  it("counts a view once per visitor in one round trip, and submits a score to every window", async () => {
    await rpc.countView("rpc/warm", browser);
    const { result, roundTrips } = await countRoundTrips(() => rpc.countView("rpc/page", browser));
    expect(result).toEqual({ views: 1, uniquesToday: 1, counted: true });
    expect(roundTrips).toBe(1);
    expect(await rpc.countView("rpc/page", browser)).toMatchObject({ views: 1, counted: false });
    expect(await rpc.countView("rpc/page", { ...browser, userAgent: "curl/8" })).toMatchObject({ counted: false });

    expect((await put("/api/leaderboards/rpc-board", { order: "high", rule: "best" })).status).toBe(201);
    const submitted = await rpc.submitScore("rpc-board", "alice", 120);
    expect(submitted.windows.all).toMatchObject({ rank: 1, score: 120 });
    await expect(rpc.submitScore("rpc-board", "alice", 1.5)).rejects.toThrow(/^validation_failed: score: /);
  });

  it("enqueues a job idempotently by dedupId, into a queue that must exist", async () => {
    expect((await put("/api/queues/rpc-queue", {})).status).toBe(201);
    const job = { type: "noop", payload: { n: 1 }, dedupId: "d-1", delay: 60 };
    const first = await rpc.enqueue("rpc-queue", job);
    expect(first).toMatchObject({ duplicate: false });
    expect(await rpc.enqueue("rpc-queue", job)).toEqual({ id: first.id, duplicate: true });
    await expect(rpc.enqueue("no-queue", { type: "noop" })).rejects.toThrow(/^not_found: /);
    await waitOnExecutionContext(ctx);
  });

  it("publishes to a channel in one round trip, into the history the HTTP route reads", async () => {
    await rpc.publish("public:rpc-news", "warm", {}); // loads the script
    const { result, roundTrips } = await countRoundTrips(() => rpc.publish("public:rpc-news", "post", { n: 1 }));
    expect(roundTrips).toBe(1);
    expect(result).toMatchObject({ channel: "public:rpc-news", id: expect.any(String) });
    const history = (await (await app.request("/api/channels/public:rpc-news/history")).json()) as {
      events: { id: string; event: string; data: unknown }[];
    };
    expect(history.events.at(-1)).toEqual({ id: result.id, event: "post", data: { n: 1 } });
    await expect(rpc.publish("public:rpc-news", "ready", {})).rejects.toThrow(/^validation_failed: /);
    await expect(rpc.publish("bad name!", "post", {})).rejects.toThrow(/^validation_failed: /);
    await expect(rpc.publish("public:x", "post", "x".repeat(40_000))).rejects.toThrow(/^validation_failed: /);
  });

  it("gets or fills a cache entry: one fill for 20 concurrent cold calls, a hit in one round trip", async () => {
    const key = `rpc-cache-${crypto.randomUUID().slice(0, 8)}`;
    let fills = 0;
    const fill = async () => {
      fills++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return { user: "ana", fill: fills };
    };
    const all = await Promise.all(
      Array.from({ length: 20 }, () =>
        rpc.cacheGetOrFill(key, fill, { ttl: 60_000, tags: ["rpc-users"], waitMs: 30_000 }),
      ),
    );
    expect(fills).toBe(1);
    expect(all.map((r) => r.value)).toEqual(Array(20).fill({ user: "ana", fill: 1 }));
    expect(all.filter((r) => r.outcome === "miss")).toHaveLength(1);
    expect(all.filter((r) => r.outcome === "wait-hit")).toHaveLength(19);
    const { result, roundTrips } = await countRoundTrips(() => rpc.cacheGetOrFill(key, fill, { ttl: 60_000 }));
    expect(result).toEqual({ value: { user: "ana", fill: 1 }, outcome: "hit" });
    expect(roundTrips).toBe(1);
    await expect(rpc.cacheGetOrFill(key, fill, { ttl: -1 })).rejects.toThrow(/^validation_failed: /);
  });

  it("refreshes a stale entry in the call that wins the lease; the others get the stale value", async () => {
    const key = `rpc-swr-${crypto.randomUUID().slice(0, 8)}`;
    let fills = 0;
    const fill = async () => {
      fills++;
      await new Promise((resolve) => setTimeout(resolve, 30));
      return fills;
    };
    const options = { ttl: 200, staleWhileRevalidate: 60_000 };
    await rpc.cacheGetOrFill(key, fill, options);
    await new Promise((resolve) => setTimeout(resolve, 300));
    const all = await Promise.all(Array.from({ length: 10 }, () => rpc.cacheGetOrFill(key, fill, options)));
    expect(fills).toBe(2);
    expect(all.filter((r) => r.value === 2 && r.outcome === "miss")).toHaveLength(1);
    expect(all.filter((r) => r.value === 1 && r.outcome === "stale")).toHaveLength(9);
  });

  it("notifies a user and beats presence, one round trip each, as the routes do", async () => {
    const user = `u_${crypto.randomUUID().slice(0, 8)}`;
    await rpc.notify(user, { title: "warm" });
    const { result, roundTrips } = await countRoundTrips(() => rpc.notify(user, { title: "Hello", key: "k1" }));
    expect(roundTrips).toBe(1);
    expect(result).toMatchObject({ duplicate: false, counts: { unread: 2 } });
    expect(await rpc.notify(user, { title: "Hello", key: "k1" })).toMatchObject({ duplicate: true, id: result.id });
    await expect(rpc.notify(user, { title: "" })).rejects.toThrow(/^validation_failed: /);
    await expect(rpc.notify("not an id!", { title: "x" })).rejects.toThrow(/^validation_failed: /);

    await rpc.heartbeat("rpc-room", "warm-up");
    const beat = await countRoundTrips(() => rpc.heartbeat("rpc-room", user, { name: "Ana" }, { members: true }));
    expect(beat.roundTrips).toBe(1);
    expect(beat.result).toMatchObject({ count: 2, joined: true });
    expect(beat.result.members?.map((m) => m.member)).toContain(user);
    await expect(rpc.heartbeat("bad room!", user)).rejects.toThrow(/^validation_failed: /);
  });
});
