import { createRoute, z } from "@hono/zod-openapi";
import { afterAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app.ts";
import { loadConfig } from "../../src/env.ts";
import { systemClock } from "../../src/lib/clock.ts";
import { createRedis, defineScript } from "../../src/lib/redis.ts";
import { secured } from "../../src/middleware/authorize.ts";
import { onError } from "../../src/middleware/problems.ts";
import { requestContext } from "../../src/middleware/request-context.ts";
import { createRouter } from "../../src/routes/router.ts";
import echoSource from "./fixtures/echo.lua";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, redisCommand, testApp, testBindings } from "./support.ts";

const t = testApp("foundation");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

describe("GET /healthz", () => {
  it("answers 200 with Redis latency after one round trip (plus the rate-limit check)", async () => {
    await t.request("/healthz"); // Redis learns the rate-limit script (a first EVALSHA falls back to EVAL)
    const { result: res, roundTrips } = await countRoundTrips(() => t.request("/healthz"));
    expect(res.status).toBe(200);
    const body = (await res.json()) as { status: string; redis: { latencyMs: number } };
    expect(body.status).toBe("ok");
    expect(body.redis.latencyMs).toBeGreaterThanOrEqual(0);
    // One PING, and one for the "default" rate-limit check every route gets (#5).
    expect(roundTrips).toBe(2);
  });

  it("answers 503 with Retry-After within 2 s when Redis cannot be reached", async () => {
    const down = testApp("foundation-down", { bindings: { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" } });
    const started = Date.now();
    const res = await down.request("/healthz");
    expect(Date.now() - started).toBeLessThan(2000);
    expect(res.status).toBe(503);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(res.headers.get("retry-after")).toBe("2");
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toEqual({
      type: "https://edgekit.dev/problems/redis-unavailable",
      title: "Storage unavailable",
      status: 503,
      detail: "Storage is temporarily unavailable. Try again shortly.",
      instance: "/healthz",
    });
  });
});

describe("configuration", () => {
  it.each([
    ["UPSTASH_REDIS_REST_URL", { UPSTASH_REDIS_REST_URL: undefined }, "UPSTASH_REDIS_REST_URL is not set"],
    ["UPSTASH_REDIS_REST_URL", { UPSTASH_REDIS_REST_URL: "ftp://x" }, "must be an http(s) URL"],
    ["ADMIN_TOKEN", { ADMIN_TOKEN: "short" }, "ADMIN_TOKEN must be at least 16 characters"],
    ["HASH_SECRET", { HASH_SECRET: undefined }, "HASH_SECRET is not set"],
    ["KEY_PREFIX", { KEY_PREFIX: "bad prefix*" }, "KEY_PREFIX may hold"],
  ])("a bad %s gives a 503 problem naming it", async (variable, overrides, message) => {
    const bindings = { ...testBindings("foundation"), ...overrides };
    const res = await createApp().request("http://edgekit.test/healthz", {}, bindings);
    expect(res.status).toBe(503);
    const body = (await res.json()) as { detail: string; variables: string[] };
    expect(body.variables).toContain(variable);
    expect(body.detail).toContain(message);
  });

  it("serves the OpenAPI document and the docs page even when misconfigured", async () => {
    const app = createApp();
    const doc = await app.request("http://edgekit.test/openapi.json", {}, {});
    expect(doc.status).toBe(200);
    const spec = (await doc.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(spec.openapi).toBe("3.1.0");
    expect(spec.paths).toHaveProperty("/healthz");
    const docs = await app.request("http://edgekit.test/docs", {}, {});
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/openapi.json");
  });
});

describe("problems", () => {
  // A tiny router on the real middleware, to exercise validation and auth without a feature.
  const echoRoute = createRoute({
    method: "post",
    path: "/api/echo",
    ...secured("links:read"),
    request: {
      body: {
        content: { "application/json": { schema: z.object({ name: z.string().min(1).max(5), n: z.number() }) } },
      },
    },
    responses: { 200: { description: "echo" } },
  });
  const app = createApp();
  app.route(
    "/",
    createRouter().openapi(echoRoute, (c) => c.json(c.req.valid("json"), 200)),
  );
  const post = async (body: string, headers: Record<string, string> = {}): Promise<Response> =>
    app.request(
      "http://edgekit.test/api/echo",
      { method: "POST", body, headers: { ...jsonHeaders(), ...adminHeaders(), ...headers } },
      t.bindings,
    );

  const cases: { name: string; res: () => Promise<Response>; status: number; body: Record<string, unknown> }[] = [
    {
      name: "unknown route",
      res: () => t.request("/nope/nothing"),
      status: 404,
      body: {
        type: "https://edgekit.dev/problems/not-found",
        title: "Not found",
        status: 404,
        detail: "No route for GET /nope/nothing.",
        instance: "/nope/nothing",
      },
    },
    {
      name: "no admin token",
      res: () => post('{"name":"a","n":1}', { authorization: "" }),
      status: 401,
      body: {
        type: "https://edgekit.dev/problems/unauthorized",
        title: "Unauthorized",
        status: 401,
        detail: "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.",
        instance: "/api/echo",
      },
    },
    {
      name: "wrong admin token",
      res: () => post('{"name":"a","n":1}', { authorization: "Bearer not-the-admin-token-at-all" }),
      status: 401,
      body: expect.objectContaining({ status: 401, title: "Unauthorized" }),
    },
    {
      name: "malformed JSON",
      res: () => post('{"name":'),
      status: 400,
      body: {
        type: "https://edgekit.dev/problems/bad-request",
        title: "Bad request",
        status: 400,
        detail: "Malformed JSON in request body",
        instance: "/api/echo",
      },
    },
    {
      name: "fields that fail the schema",
      res: () => post('{"name":"toolong","n":"1"}'),
      status: 422,
      body: {
        type: "https://edgekit.dev/problems/validation-failed",
        title: "Validation failed",
        status: 422,
        detail: expect.stringContaining("name:"),
        instance: "/api/echo",
        errors: [
          { path: "name", message: expect.stringContaining("5") },
          { path: "n", message: expect.stringContaining("number") },
        ],
      },
    },
    {
      name: "a form body on a JSON API",
      res: () => post("name=a", { "content-type": "application/x-www-form-urlencoded" }),
      status: 415,
      body: expect.objectContaining({ status: 415, detail: expect.stringContaining("application/json") }),
    },
    {
      name: "a body over 1 MiB",
      res: () => post(JSON.stringify({ name: "x".repeat(1024 * 1024 + 1), n: 1 })),
      status: 413,
      body: expect.objectContaining({ status: 413, title: "Payload too large" }),
    },
  ];

  it.each(cases)("$name answers $status as problem+json", async ({ res, status, body }) => {
    const response = await res();
    expect(response.status).toBe(status);
    expect(response.headers.get("content-type")).toBe("application/problem+json");
    expect(await response.json()).toEqual(body);
  });

  it("accepts a valid admin request", async () => {
    const res = await post('{"name":"ok","n":2}');
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ name: "ok", n: 2 });
  });

  it("sets secure headers and a request id on every response", async () => {
    const res = await t.request("/healthz");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("strict-transport-security")).toContain("max-age=");
    expect(res.headers.get("x-request-id")).toMatch(/^[0-9a-f-]{36}$/);
  });

  it("never shows a stack trace for an unexpected error", async () => {
    const app = createApp();
    app.onError(onError);
    app.use(requestContext(systemClock));
    app.get("/__test/boom", () => {
      throw new Error("secret internals at /src/lib/x.ts:12");
    });
    const res = await app.request("http://edgekit.test/__test/boom", {}, t.bindings);
    expect(res.status).toBe(500);
    expect(await res.text()).not.toContain("secret internals");
  });
});

describe("Lua scripts", () => {
  const echo = defineScript(echoSource, (reply) => reply as [number, string]);
  const redis = createRedis(loadConfig(t.bindings));
  const key = `${t.bindings.KEY_PREFIX}echo`;

  it("imports a .lua file as text and runs it in Redis", async () => {
    expect(echoSource).toContain('redis.call("INCR", KEYS[1])');
    expect(await echo.run(redis, [key], ["hello"])).toEqual([1, "hello"]);
  });

  it("costs one round trip with EVALSHA once the script is cached", async () => {
    await echo.run(redis, [key], ["warm"]);
    const { result, roundTrips } = await countRoundTrips(() => echo.run(redis, [key], ["again"]));
    expect(result[1]).toBe("again");
    expect(roundTrips).toBe(1);
  });

  it("falls back to EVAL after the script cache is flushed", async () => {
    await redisCommand("SCRIPT", "FLUSH");
    const before = Number(await redisCommand("GET", key));
    const { result, roundTrips } = await countRoundTrips(() => echo.run(redis, [key], ["after flush"]));
    expect(result).toEqual([before + 1, "after flush"]);
    expect(roundTrips).toBe(2);
  });
});
