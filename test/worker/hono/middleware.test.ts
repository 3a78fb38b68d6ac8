import { env } from "cloudflare:test";
import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import type { Bindings } from "../../../src/env.ts";
import {
  createRedisClient,
  type ExperimentsVariables,
  endSession,
  experiments,
  type FlagsVariables,
  flags,
  type IdempotencyVariables,
  idempotency,
  rateLimit,
  redisFromEnv,
  type SessionVariables,
  session,
  startSession,
} from "../../../src/hono/index.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, testApp } from "../support.ts";

/** `edgekit/hono` in a Hono app of its own, as a team's Worker would use it, against the real proxy. */
const prefix = `t-hono-${crypto.randomUUID().slice(0, 8)}:`;
const bindings = { ...(env as Bindings), HASH_SECRET: "hono-test-hash-secret-0123" };
const redis = redisFromEnv({ timeoutMs: 10_000 });
afterAll(() => cleanup(prefix));

type Env = { Variables: SessionVariables & IdempotencyVariables & FlagsVariables & ExperimentsVariables };

function limitedApp(options: Partial<Parameters<typeof rateLimit>[0]> = {}) {
  const app = new Hono();
  app.use(rateLimit({ redis, limit: 3, window: 60, prefix, name: `l${crypto.randomUUID().slice(0, 6)}`, ...options }));
  app.get("/", (c) => c.text("ok"));
  return async (ip = "203.0.113.7") =>
    app.request("http://app.test/", { headers: { "cf-connecting-ip": ip } }, bindings);
}

describe("rateLimit()", () => {
  it("lets `limit` requests through with RateLimit headers, then answers a 429 problem with Retry-After", async () => {
    const get = limitedApp();
    const first = await get();
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit-policy")).toMatch(/^"l\w+";q=3;w=60$/);
    expect(first.headers.get("ratelimit")).toMatch(/;r=2;t=\d+$/);
    await get();
    await get();
    const refused = await get();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("content-type")).toBe("application/problem+json");
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
    expect(await refused.json()).toMatchObject({
      type: "https://iana.org/assignments/http-problem-types#quota-exceeded",
      status: 429,
    });
    expect((await get("198.51.100.9")).status).toBe(200); // another client has its own quota
  });

  it("costs one round trip per request", async () => {
    const get = limitedApp();
    const { roundTrips } = await countRoundTrips(() => get());
    expect(roundTrips).toBe(1);
  });

  it("lets exactly `limit` of 200 concurrent requests through", async () => {
    const get = limitedApp({ limit: 50 });
    const statuses = await Promise.all(Array.from({ length: 200 }, () => get("192.0.2.50").then((r) => r.status)));
    expect(statuses.filter((s) => s === 200)).toHaveLength(50);
    expect(statuses.filter((s) => s === 429)).toHaveLength(150);
  });

  it("counts by the key a caller returns, and refuses a bad name when the app is built", async () => {
    const app = new Hono();
    app.use(
      rateLimit({ redis, limit: 1, window: 60, prefix, name: "by-user", key: (c) => `user:${c.req.query("u")}` }),
    );
    app.get("/", (c) => c.text("ok"));
    const as = async (u: string) => (await app.request(`http://app.test/?u=${u}`, {}, bindings)).status;
    expect([await as("a"), await as("a"), await as("b")]).toEqual([200, 429, 200]);
    expect(() => rateLimit({ redis, limit: 1, window: 60, name: "no spaces" })).toThrow(TypeError);
  });
});

describe("session(), startSession() and endSession()", () => {
  const options = { redis, prefix };
  const app = new Hono<Env>();
  app.use(session(options));
  app.post("/login", async (c) =>
    c.json(await startSession(c, options, { userId: "u_42", data: { plan: "pro" } }), 201),
  );
  app.get("/me", (c) => c.json({ user: c.get("session")?.userId ?? null, data: c.get("session")?.data ?? null }));
  app.post("/logout", async (c) => c.json({ ended: await endSession(c, options) }));
  const request = async (path: string, init: RequestInit = {}) =>
    app.request(`https://app.test${path}`, init, bindings);

  it("starts a session behind a __Host- cookie and loads it in one round trip; no cookie asks nothing", async () => {
    const login = await request("/login", { method: "POST" });
    expect(login.status).toBe(201);
    const cookie = (login.headers.get("set-cookie") ?? "").split(";")[0] as string;
    expect(cookie).toMatch(/^__Host-session=/);
    expect(login.headers.get("set-cookie")).toMatch(/HttpOnly; Secure; SameSite=Lax/);
    await request("/me", { headers: { cookie } }); // loads the script into Redis's cache
    const { result, roundTrips } = await countRoundTrips(() => request("/me", { headers: { cookie } }));
    expect(await result.json()).toEqual({ user: "u_42", data: { plan: "pro" } });
    expect(roundTrips).toBe(1);
    const anonymous = await countRoundTrips(() => request("/me"));
    expect(await anonymous.result.json()).toEqual({ user: null, data: null });
    expect(anonymous.roundTrips).toBe(0);

    expect(await (await request("/logout", { method: "POST", headers: { cookie } })).json()).toEqual({ ended: true });
    const after = await request("/me", { headers: { cookie } });
    expect(await after.json()).toEqual({ user: null, data: null });
    expect(after.headers.get("set-cookie")).toMatch(/^__Host-session=; Max-Age=0/);
  });
});

describe("idempotency()", () => {
  function orders(options: Partial<Parameters<typeof idempotency>[0]> = {}) {
    let runs = 0;
    const app = new Hono<Env>();
    app.post("/orders", idempotency({ redis, prefix, ...options }), async (c) => {
      runs++;
      await new Promise((resolve) => setTimeout(resolve, 20));
      return c.json({ order: runs, attempt: c.get("idempotency")?.attempt ?? null }, 201);
    });
    const post = async (key: string | undefined, body: unknown = { item: "book" }) =>
      app.request(
        "http://app.test/orders",
        {
          method: "POST",
          headers: {
            ...jsonHeaders(),
            "cf-connecting-ip": "203.0.113.20",
            ...(key ? { "idempotency-key": `"${key}"` } : {}),
          },
          body: JSON.stringify(body),
        },
        bindings,
      );
    return { post, runs: () => runs };
  }

  it("runs a request once and replays its answer to a retry with the same key", async () => {
    const t = orders();
    const key = crypto.randomUUID();
    const first = await t.post(key);
    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ order: 1, attempt: 1 });
    const { result: retry, roundTrips } = await countRoundTrips(() => t.post(key));
    expect(retry.status).toBe(201);
    expect(retry.headers.get("idempotent-replayed")).toBe("true");
    expect(await retry.json()).toEqual({ order: 1, attempt: 1 });
    expect(roundTrips).toBe(1);
    expect(t.runs()).toBe(1);
  });

  it("answers 422 for the key reused with another body, and runs requests without a key", async () => {
    const t = orders();
    const key = crypto.randomUUID();
    await t.post(key);
    const reused = await t.post(key, { item: "pen" });
    expect(reused.status).toBe(422);
    expect(await reused.json()).toMatchObject({ type: "https://edgekit.dev/problems/idempotency-key-reused" });
    await t.post(undefined);
    await t.post(undefined);
    expect(t.runs()).toBe(3);
  });

  it("refuses a request without a key when required", async () => {
    const response = await orders({ required: true }).post(undefined);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: "https://edgekit.dev/problems/idempotency-key-required" });
  });

  it("runs the handler once for 20 concurrent requests with one key; the rest replay or wait (409)", async () => {
    const t = orders();
    const key = crypto.randomUUID();
    const statuses = await Promise.all(Array.from({ length: 20 }, () => t.post(key).then((r) => r.status)));
    expect(t.runs()).toBe(1);
    expect(statuses.every((s) => s === 201 || s === 409)).toBe(true);
    expect(statuses.filter((s) => s === 201).length).toBeGreaterThanOrEqual(1);
  });
});

describe("flags() and experiments()", () => {
  // edgekit's own API writes the flag and the experiment under the same KEY_PREFIX.
  const edgekit = testApp("hono", { bindings: { KEY_PREFIX: prefix } });
  const put = (path: string, body: unknown) =>
    edgekit.request(path, { method: "PUT", headers: adminHeaders(jsonHeaders()), body: JSON.stringify(body) });

  it("evaluates the flags edgekit manages, falling back for an unknown one", async () => {
    const flag = { enabled: true, type: "boolean", variants: { on: true, off: false }, defaultVariant: "off" };
    const created = await put("/api/flags/beta", {
      ...flag,
      allow: ["u_7"],
      rollout: { percentage: 0, variant: "on" },
    });
    expect(created.status, await created.clone().text()).toBe(201);
    const app = new Hono<Env>();
    app.use(flags({ redis, prefix, cacheTtlMs: 0, context: (c) => ({ targetingKey: c.req.query("u") ?? "" }) }));
    app.get("/", async (c) =>
      c.json({ beta: await c.get("flags").enabled("beta"), missing: await c.get("flags").value("nope", "fallback") }),
    );
    const as = async (u: string) => (await app.request(`http://app.test/?u=${u}`, {}, bindings)).json();
    expect(await as("u_7")).toEqual({ beta: true, missing: "fallback" });
    expect(await as("u_8")).toEqual({ beta: false, missing: "fallback" });
  });

  it("assigns the variant edgekit's own route gives, sticky, in one round trip", async () => {
    const body = {
      variants: [
        { name: "a", weight: 50 },
        { name: "b", weight: 50 },
      ],
      status: "running",
      goals: ["buy"],
    };
    expect((await put("/api/experiments/hero", body)).status).toBe(201);
    const app = new Hono<Env>();
    app.use(experiments({ redis, prefix, unit: (c) => c.req.query("u") }));
    app.get("/", async (c) => c.json(await c.get("experiments").assign("hero")));
    app.post("/buy", async (c) => c.json(await c.get("experiments").convert("hero", "buy")));
    await app.request("http://app.test/?u=unit-0", {}, bindings); // loads the script into Redis's cache
    const { result, roundTrips } = await countRoundTrips(async () =>
      app.request("http://app.test/?u=unit-1", {}, bindings),
    );
    const assigned = (await result.json()) as { variant: string; reason: string };
    expect(assigned.reason).toBe("new");
    expect(roundTrips).toBe(1);
    const route = await edgekit.request("/api/experiments/hero/assignment", {
      method: "POST",
      headers: jsonHeaders(),
      body: JSON.stringify({ unitId: "unit-1" }),
    });
    expect(await route.json()).toMatchObject({ variant: assigned.variant, sticky: true });
    const converted = await app.request("http://app.test/buy?u=unit-1", { method: "POST" }, bindings);
    expect(await converted.json()).toEqual({ variant: assigned.variant, counted: true });
    const unknown = await app.request("http://app.test/?u=", {}, bindings);
    expect(unknown.status).toBe(422);
  });
});

describe("createRedisClient()", () => {
  it("makes a client with edgekit's settings: replies exactly as Redis sent them", async () => {
    const client = createRedisClient({
      url: bindings.UPSTASH_REDIS_REST_URL as string,
      token: bindings.UPSTASH_REDIS_REST_TOKEN as string,
    });
    await client.set(`${prefix}n`, "42");
    expect(await client.get(`${prefix}n`)).toBe("42");
  });
});
