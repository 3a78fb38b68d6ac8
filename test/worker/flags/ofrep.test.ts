import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { manualClock } from "../../../src/lib/clock.ts";
import { evaluate } from "../../../src/lib/flags/evaluate.ts";
import { evaluateFlag, evaluateFlags } from "../../../src/lib/flags/evaluate-flags.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders, redisCommand, testApp } from "../support.ts";
import { flagFrom, flagInput } from "./fixtures.ts";

// A high default limit: these tests send more requests a minute than the default policy allows.
const RATE_LIMITS = '{"default":{"limit":100000}}';
const clock = manualClock(Date.UTC(2026, 2, 1));
const t = testApp("flags-ofrep", { clock, bindings: { RATE_LIMITS } });
const prefixes = [t.bindings.KEY_PREFIX ?? ""];
afterAll(() => Promise.all(prefixes.map(cleanup)));

function appWith(name: string, bindings: Record<string, string> = {}) {
  const app = testApp(name, { clock, bindings: { RATE_LIMITS, ...bindings } });
  prefixes.push(app.bindings.KEY_PREFIX ?? "");
  return app;
}
type App = ReturnType<typeof testApp>;

const putFlag = async (app: App, key: string, input: Record<string, unknown>) => {
  const res = await app.request(`/api/flags/${key}`, {
    method: "PUT",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify(flagInput(input)),
  });
  expect(res.status).toBeLessThan(300);
};
const evaluateOne = (app: App, key: string, body: unknown, headers: Record<string, string> = jsonHeaders()) =>
  app.request(`/ofrep/v1/evaluate/flags/${key}`, {
    method: "POST",
    headers,
    body: typeof body === "string" ? body : JSON.stringify(body),
  });
const evaluateAll = (app: App, body: unknown, headers: Record<string, string> = {}) =>
  app.request("/ofrep/v1/evaluate/flags", {
    method: "POST",
    headers: jsonHeaders(headers),
    body: JSON.stringify(body),
  });

const checkout = {
  description: "Checkout v2",
  rollout: { percentage: 30, variant: "on" },
  allow: ["qa-1"],
  deny: ["vip-1"],
  rules: [{ attribute: "app", operator: "semver_lt", values: ["2.0.0"], variant: "off" }],
};
const theme = {
  type: "string",
  variants: { light: "light", dark: "dark" },
  defaultVariant: "light",
  rules: [{ attribute: "country", operator: "in", values: ["SE", "NO"], variant: "dark" }],
};

beforeAll(async () => {
  await putFlag(t, "checkout", checkout);
  await putFlag(t, "theme", theme);
  await putFlag(t, "kill-switched", { enabled: false, defaultVariant: "off" });
});

describe("POST /ofrep/v1/evaluate/flags/{key}", () => {
  it("answers 200 with the OFREP success body", async () => {
    const res = await evaluateOne(t, "checkout", { context: { targetingKey: "qa-1" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      key: "checkout",
      value: true,
      variant: "on",
      reason: "TARGETING_MATCH",
      metadata: {},
    });
  });

  it("answers what the pure evaluation answers, for the same users, on every call", async () => {
    const flag = flagFrom("checkout", flagInput(checkout));
    for (let i = 0; i < 20; i++) {
      const context = { targetingKey: `http-user-${i}` };
      const expected = evaluate(flag, context);
      for (let call = 0; call < 2; call++) {
        const res = await evaluateOne(t, "checkout", { context });
        expect(await res.json()).toEqual(expected);
      }
    }
  });

  const cases: {
    name: string;
    key?: string;
    body: unknown;
    headers?: Record<string, string>;
    status: number;
    expected: unknown;
  }[] = [
    {
      name: "an unknown flag",
      key: "nope",
      body: { context: { targetingKey: "u" } },
      status: 404,
      expected: { key: "nope", errorCode: "FLAG_NOT_FOUND", errorDetails: 'There is no flag "nope".' },
    },
    {
      name: "a key no flag can have",
      key: "bad*key",
      body: { context: {} },
      status: 404,
      expected: { key: "bad*key", errorCode: "FLAG_NOT_FOUND", errorDetails: 'There is no flag "bad*key".' },
    },
    {
      name: "a rollout without a targeting key",
      key: "checkout",
      body: { context: { app: "2.1.0" } },
      status: 400,
      expected: {
        key: "checkout",
        errorCode: "TARGETING_KEY_MISSING",
        errorDetails: "checkout has a percentage rollout: send context.targetingKey",
      },
    },
    {
      name: "a context that is not an object",
      key: "checkout",
      body: { context: "user-1" },
      status: 400,
      expected: { key: "checkout", errorCode: "INVALID_CONTEXT", errorDetails: expect.stringContaining("context") },
    },
    {
      name: "a numeric targeting key",
      key: "checkout",
      body: { context: { targetingKey: 7 } },
      status: 400,
      expected: {
        key: "checkout",
        errorCode: "INVALID_CONTEXT",
        errorDetails: "targetingKey must be a non-empty string",
      },
    },
    {
      name: "malformed JSON",
      key: "checkout",
      body: '{"context":',
      status: 400,
      expected: { key: "checkout", errorCode: "PARSE_ERROR", errorDetails: "Malformed JSON in request body" },
    },
    {
      name: "a body that is not JSON",
      key: "checkout",
      body: "context=1",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      status: 415,
      expected: {
        key: "checkout",
        errorCode: "PARSE_ERROR",
        errorDetails: "Send the body as JSON with `Content-Type: application/json`.",
      },
    },
  ];

  it.each(cases)(
    "answers $name with $status and an OFREP error body",
    async ({ key = "checkout", body, headers, status, expected }) => {
      const res = await evaluateOne(t, key, body, headers ?? jsonHeaders());
      expect(res.status).toBe(status);
      expect(res.headers.get("content-type")).toMatch(/^application\/json/);
      expect(await res.json()).toEqual(expected);
    },
  );

  it("evaluates with no body at all, as an empty context", async () => {
    const res = await t.request("/ofrep/v1/evaluate/flags/theme", { method: "POST" });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ value: "light", reason: "DEFAULT" });
  });

  it("answers DISABLED for a killed flag", async () => {
    const res = await evaluateOne(t, "kill-switched", { context: { targetingKey: "u" } });
    expect(await res.json()).toEqual({
      key: "kill-switched",
      value: false,
      variant: "off",
      reason: "DISABLED",
      metadata: {},
    });
  });

  it("answers PARSE_ERROR for a flag that was hand-edited into something invalid", async () => {
    const app = appWith("flags-broken", { FLAGS_CACHE_TTL_MS: "0" });
    await redisCommand("HSET", `${app.bindings.KEY_PREFIX}edgekit:{flags}`, "broken", "{not json");
    const res = await evaluateOne(app, "broken", { context: {} });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      key: "broken",
      errorCode: "PARSE_ERROR",
      errorDetails: "the stored configuration of broken is not valid JSON",
    });
  });
});

describe("POST /ofrep/v1/evaluate/flags (bulk)", () => {
  it("answers every flag, sorted by key, with per-flag failures, and an ETag", async () => {
    const res = await evaluateAll(t, { context: { country: "SE" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("etag")).toMatch(/^"[0-9a-f]{32}"$/);
    expect(await res.json()).toEqual({
      flags: [
        {
          key: "checkout",
          errorCode: "TARGETING_KEY_MISSING",
          errorDetails: "checkout has a percentage rollout: send context.targetingKey",
        },
        { key: "kill-switched", value: false, variant: "off", reason: "DISABLED", metadata: {} },
        { key: "theme", value: "dark", variant: "dark", reason: "TARGETING_MATCH", metadata: {} },
      ],
    });
  });

  it("answers 304 with the ETag when If-None-Match names the current answer", async () => {
    const body = { context: { targetingKey: "etag-user" } };
    const first = await evaluateAll(t, body);
    const etag = first.headers.get("etag") ?? "";
    for (const ifNoneMatch of [etag, `W/${etag}`, `"other", ${etag}`, "*"]) {
      const again = await evaluateAll(t, body, { "if-none-match": ifNoneMatch });
      expect(again.status).toBe(304);
      expect(again.headers.get("etag")).toBe(etag);
      expect(await again.text()).toBe("");
    }
  });

  it("answers 200 with a new ETag when the context or the flags change", async () => {
    const app = appWith("flags-etag");
    await putFlag(app, "theme", theme);
    const first = await evaluateAll(app, { context: { country: "DE" } });
    const etag = first.headers.get("etag") ?? "";
    const otherContext = await evaluateAll(app, { context: { country: "SE" } }, { "if-none-match": etag });
    expect(otherContext.status).toBe(200);
    expect(otherContext.headers.get("etag")).not.toBe(etag);
    await putFlag(app, "theme", { ...theme, defaultVariant: "dark" });
    const changed = await evaluateAll(app, { context: { country: "DE" } }, { "if-none-match": etag });
    expect(changed.status).toBe(200);
    expect(changed.headers.get("etag")).not.toBe(etag);
  });

  it("answers PARSE_ERROR for a hand-edited flag inside the bulk answer, and the others as usual", async () => {
    const app = appWith("flags-bulk-broken");
    await putFlag(app, "fine", {});
    await redisCommand("HSET", `${app.bindings.KEY_PREFIX}edgekit:{flags}`, "edited", '{"key":"edited"}');
    const res = await evaluateAll(app, { context: {} });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      flags: [
        {
          key: "edited",
          errorCode: "PARSE_ERROR",
          errorDetails: expect.stringMatching(/^the stored configuration of edited is not a valid flag: /),
        },
        { key: "fine", value: false, variant: "off", reason: "STATIC", metadata: {} },
      ],
    });
  });

  it("answers malformed JSON with 400 PARSE_ERROR", async () => {
    const res = await t.request("/ofrep/v1/evaluate/flags", { method: "POST", headers: jsonHeaders(), body: "{" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errorCode: "PARSE_ERROR", errorDetails: "Malformed JSON in request body" });
  });

  it.each([
    ["a context that is not an object", { context: [1, 2] }, expect.stringContaining("context")],
    ["an empty targeting key", { context: { targetingKey: "" } }, "targetingKey must be a non-empty string"],
  ])("answers %s with 400 INVALID_CONTEXT", async (_, body, errorDetails) => {
    const res = await evaluateAll(t, body);
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ errorCode: "INVALID_CONTEXT", errorDetails });
  });
});

describe("round trips and the isolate cache", () => {
  it("costs the bulk evaluation one round trip cold and none warm", async () => {
    const app = appWith("flags-trips");
    await putFlag(app, "a", {});
    await putFlag(app, "b", { rollout: { percentage: 50, variant: "on" } });
    const config = loadConfig(app.bindings);
    const redis = createRedis(config);
    const now = clock.now();
    const cold = await countRoundTrips(() => evaluateFlags(redis, config, now, { targetingKey: "u" }));
    expect(cold.roundTrips).toBe(1);
    const warm = await countRoundTrips(() => evaluateFlags(redis, config, now + 1000, { targetingKey: "u" }));
    expect(warm.roundTrips).toBe(0);
    expect(warm.result).toEqual(cold.result);
    const single = await countRoundTrips(() => evaluateFlag(redis, config, now + 1000, "b", { targetingKey: "u" }));
    expect(single.roundTrips).toBe(0);
  });

  it("costs over HTTP one round trip cold and none warm, rate limit included (counted in-isolate)", async () => {
    const app = appWith("flags-http-trips");
    await putFlag(app, "a", {});
    const cold = await countRoundTrips(() => evaluateAll(app, { context: { targetingKey: "u" } }));
    const warm = await countRoundTrips(() => evaluateAll(app, { context: { targetingKey: "u" } }));
    const single = await countRoundTrips(() => evaluateOne(app, "a", { context: {} }));
    expect(cold.result.status).toBe(200);
    expect(cold.result.headers.get("ratelimit")).toMatch(/^"evaluate-flags";r=\d+;t=\d+$/);
    expect(cold.roundTrips).toBe(1);
    expect(warm.roundTrips).toBe(0);
    expect(single.roundTrips).toBe(0);
  });

  it("reads one flag with one HGET when the cache is off", async () => {
    const app = appWith("flags-no-cache", { FLAGS_CACHE_TTL_MS: "0" });
    await putFlag(app, "a", {});
    const config = loadConfig(app.bindings);
    const redis = createRedis(config);
    for (let i = 0; i < 2; i++) {
      const single = await countRoundTrips(() => evaluateFlag(redis, config, clock.now(), "a", {}));
      expect(single.roundTrips).toBe(1);
      expect(single.result).toMatchObject({ reason: "STATIC" });
      const bulk = await countRoundTrips(() => evaluateFlags(redis, config, clock.now(), {}));
      expect(bulk.roundTrips).toBe(1);
    }
  });

  it("shows a change made elsewhere within the TTL, and a change made here at once", async () => {
    const app = appWith("flags-ttl", { FLAGS_CACHE_TTL_MS: "5000" });
    await putFlag(app, "a", {});
    const value = async () =>
      ((await (await evaluateOne(app, "a", { context: {} })).json()) as { value: boolean }).value;
    expect(await value()).toBe(false);
    // Another isolate writes: this one keeps its cached copy until the TTL runs out.
    const stored = flagFrom("a", flagInput({ defaultVariant: "on" }));
    await redisCommand("HSET", `${app.bindings.KEY_PREFIX}edgekit:{flags}`, "a", JSON.stringify(stored));
    clock.advance(4999);
    expect(await value()).toBe(false);
    clock.advance(1);
    expect(await value()).toBe(true);
    // A write through this isolate invalidates at once.
    await putFlag(app, "a", { defaultVariant: "off" });
    expect(await value()).toBe(false);
  });

  it("keeps the flag sets of two prefixes apart in one isolate", async () => {
    const one = appWith("flags-one");
    const two = appWith("flags-two");
    await putFlag(one, "shared-key", { defaultVariant: "on" });
    await putFlag(two, "shared-key", { defaultVariant: "off" });
    const value = async (app: App) =>
      ((await (await evaluateOne(app, "shared-key", { context: {} })).json()) as { value: boolean }).value;
    expect(await value(one)).toBe(true);
    expect(await value(two)).toBe(false);
  });
});

describe("failures and documentation", () => {
  it("answers a 5xx in OFREP's general error shape when Redis cannot be reached", async () => {
    const down = appWith("flags-down", { UPSTASH_REDIS_REST_URL: "http://127.0.0.1:9" });
    const res = await evaluateAll(down, { context: { targetingKey: "u" } });
    // 503 with Retry-After once src/lib/redis.ts classifies workerd's "Network connection lost."
    // as a transport failure; today it is a 500 app-wide (the /healthz test shows the same).
    expect(res.status).toBeGreaterThanOrEqual(500);
    expect(res.headers.get("content-type")).toBe("application/json");
    expect(await res.json()).toEqual({ errorDetails: expect.any(String) });
  });

  it("lets browser SDKs on other origins call, and read the ETag", async () => {
    const preflight = await t.request("/ofrep/v1/evaluate/flags", {
      method: "OPTIONS",
      headers: {
        origin: "https://shop.example",
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type, if-none-match",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe("*");
    expect(preflight.headers.get("access-control-allow-headers")).toContain("If-None-Match");
    const res = await evaluateAll(t, { context: {} }, { origin: "https://shop.example" });
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
    expect(res.headers.get("access-control-expose-headers")).toBe("ETag");
  });

  it("lists the admin and OFREP routes in /openapi.json", async () => {
    const spec = (await (await t.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(spec.paths["/api/flags/{key}"] ?? {}).sort()).toEqual(["delete", "get", "put"]);
    expect(spec.paths).toHaveProperty(["/api/flags", "get"]);
    expect(spec.paths).toHaveProperty(["/api/flags/{key}/history", "get"]);
    expect(spec.paths).toHaveProperty(["/ofrep/v1/evaluate/flags/{key}", "post"]);
    expect(spec.paths).toHaveProperty(["/ofrep/v1/evaluate/flags", "post", "responses", "304"]);
  });
});
