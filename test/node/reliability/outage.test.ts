import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, eventually, type OutageStack, startOutageStack } from "./stack.ts";

// Quotas out of the way (the algorithms and onRedisFailure stay as shipped); flags read Redis on
// every evaluation, so no isolate cache hides the outage.
const RATE_LIMITS = JSON.stringify(
  Object.fromEntries(
    [
      "default",
      "redirect",
      "unlock-link",
      "count-view",
      "create-link",
      "bulk-create-links",
      "create-session",
      "admin-login",
      "conversions",
    ].map((name) => [name, { limit: 1_000_000 }]),
  ),
);

let stack: OutageStack;
let slug = "";
let cookie = "";

const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const json = { "content-type": "application/json" };
const browser = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0", "cf-connecting-ip": "198.51.100.7" };

beforeAll(async () => {
  stack = await startOutageStack({ RATE_LIMITS, FLAGS_CACHE_TTL_MS: "0" });
  const link = await stack.request("/api/links", {
    method: "POST",
    headers: { ...admin, ...json },
    body: JSON.stringify({ url: "https://example.com/outage" }),
  });
  slug = ((await link.json()) as { slug: string }).slug;
  await stack.request("/api/flags/outage", {
    method: "PUT",
    headers: { ...admin, ...json },
    body: JSON.stringify({ enabled: true, type: "boolean", variants: { on: true, off: false }, defaultVariant: "on" }),
  });
  await stack.request("/api/experiments/outage", {
    method: "PUT",
    headers: { ...admin, ...json },
    body: JSON.stringify({
      variants: [
        { name: "a", weight: 1 },
        { name: "b", weight: 1 },
      ],
      status: "running",
      goals: ["buy"],
    }),
  });
  const session = await stack.request("/api/sessions", {
    method: "POST",
    headers: { ...admin, ...json },
    body: JSON.stringify({ userId: "outage-user" }),
  });
  cookie = (session.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
}, 60_000);
afterAll(() => stack?.stop());

interface Case {
  name: string;
  path: () => string;
  init: () => RequestInit;
  /** The status once the store is back. */
  ok: number;
  /**
   * What the rate-limit middleware says when Redis failed (the route's policy decides), or null
   * for OFREP, whose limit is counted in the isolate and never asks Redis.
   */
  policy: "fail-open" | "fail-closed" | null;
}

/** One route per primitive, public and admin, with what it answers when all is well. */
const CASES: Case[] = [
  { name: "health", path: () => "/healthz", init: () => ({}), ok: 200, policy: "fail-open" },
  { name: "redirect", path: () => `/${slug}`, init: () => ({ headers: browser }), ok: 302, policy: "fail-open" },
  {
    name: "create link (admin)",
    path: () => "/api/links",
    init: () => ({
      method: "POST",
      headers: { ...admin, ...json },
      body: JSON.stringify({ url: "https://example.com/x" }),
    }),
    ok: 201,
    policy: "fail-closed",
  },
  {
    name: "link stats (admin)",
    path: () => `/api/links/${slug}/stats`,
    init: () => ({ headers: admin }),
    ok: 200,
    policy: "fail-open",
  },
  {
    name: "rate-limit quota (admin)",
    path: () => "/api/ratelimit/ip%3A198.51.100.7",
    init: () => ({ headers: admin }),
    ok: 200,
    policy: "fail-open",
  },
  {
    name: "start a session (admin)",
    path: () => "/api/sessions",
    init: () => ({ method: "POST", headers: { ...admin, ...json }, body: JSON.stringify({ userId: "someone" }) }),
    ok: 201,
    policy: "fail-closed",
  },
  {
    name: "read the session",
    path: () => "/api/sessions/current",
    init: () => ({ headers: { cookie } }),
    ok: 200,
    policy: "fail-open",
  },
  {
    name: "write a flag (admin)",
    path: () => "/api/flags/outage",
    init: () => ({
      method: "PUT",
      headers: { ...admin, ...json },
      body: JSON.stringify({
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "on",
      }),
    }),
    ok: 200,
    policy: "fail-open",
  },
  {
    name: "evaluate a flag (OFREP)",
    path: () => "/ofrep/v1/evaluate/flags/outage",
    init: () => ({ method: "POST", headers: json, body: JSON.stringify({ context: { targetingKey: "u1" } }) }),
    ok: 200,
    policy: null,
  },
  {
    name: "assign a unit",
    path: () => "/api/experiments/outage/assignment",
    init: () => ({ method: "POST", headers: json, body: JSON.stringify({ unitId: "u1" }) }),
    ok: 200,
    policy: "fail-open",
  },
  {
    name: "count a conversion",
    path: () => "/api/experiments/outage/conversions",
    init: () => ({ method: "POST", headers: json, body: JSON.stringify({ unitId: "u1", goal: "buy" }) }),
    ok: 200,
    policy: "fail-open",
  },
  {
    name: "experiment results (admin)",
    path: () => "/api/experiments/outage/results",
    init: () => ({ headers: admin }),
    ok: 200,
    policy: "fail-open",
  },
  {
    name: "count a view",
    path: () => "/api/views/outage",
    init: () => ({ method: "POST", headers: browser }),
    ok: 200,
    policy: "fail-open",
  },
  { name: "views badge", path: () => "/api/views/outage/badge.svg", init: () => ({}), ok: 200, policy: "fail-open" },
];

/** Every case while the store is unreachable: a 503 problem with Retry-After, within 2 s. */
async function expectUnavailable() {
  // In parallel: a hung Redis costs each request a full timeout.
  const answers = await Promise.all(
    CASES.map(async (c) => {
      const started = Date.now();
      const res = await stack.request(c.path(), c.init());
      const ms = Date.now() - started;
      const body = await res.text();
      return {
        name: c.name,
        status: res.status,
        fast: ms < 2000 ? "fast" : `${ms} ms`,
        contentType: res.headers.get("content-type"),
        retryAfter: res.headers.get("retry-after") !== null,
        rateLimitStatus: res.headers.get("ratelimit-status"),
        // OFREP's own error shape carries errorDetails only.
        detail: c.name.includes("OFREP") ? JSON.parse(body).errorDetails : JSON.parse(body).detail,
      };
    }),
  );
  expect(answers).toEqual(
    CASES.map((c) => ({
      name: c.name,
      status: 503,
      fast: "fast",
      contentType: c.name.includes("OFREP") ? "application/json" : "application/problem+json",
      retryAfter: true,
      rateLimitStatus: c.policy,
      detail: "Storage is temporarily unavailable. Try again shortly.",
    })),
  );
}

/** Every case once the store is back: what it answers when all is well. */
async function expectWorking() {
  const statuses = [];
  for (const c of CASES) statuses.push({ name: c.name, status: (await stack.request(c.path(), c.init())).status });
  expect(statuses).toEqual(CASES.map((c) => ({ name: c.name, status: c.ok })));
}

describe("a Worker whose Redis goes away", () => {
  it("answers every route well before the outage", async () => {
    await expectWorking();
  });

  it("answers every route with a fast 503 while redis-server is down, and recovers once it is back on the same port", async () => {
    await stack.stopRedis();
    await expectUnavailable();
    await stack.startRedis();
    expect(await eventually(async () => (await stack.request("/healthz")).status === 200)).toBe(true);
    // Same Worker, same proxy, no restart of either; the restarted Redis has an empty script cache.
    await expectWorking();
  });

  it("answers every route with a fast 503 while the proxy is stopped, and recovers once it is back on the same port", async () => {
    await stack.stopProxy();
    await expectUnavailable();
    await stack.startProxy();
    expect(await eventually(async () => (await stack.request("/healthz")).status === 200)).toBe(true);
    await expectWorking();
  });

  it("answers every route within 2 s while redis-server hangs, and recovers once it wakes up", async () => {
    // Nothing refuses the connection: every wait ends on REDIS_TIMEOUT_MS (1 s), and a request
    // that has seen one timeout does not wait for a second.
    stack.pauseRedis();
    try {
      await expectUnavailable();
    } finally {
      stack.resumeRedis();
    }
    expect(await eventually(async () => (await stack.request("/healthz")).status === 200)).toBe(true);
    await expectWorking();
  });
});
