import { afterAll, describe, expect, it } from "vitest";
import { cleanup, redisCommand } from "../support.ts";
import {
  asAdmin,
  browser,
  expectStatus,
  ORIGIN,
  reliabilityApp,
  send,
  sessionCookieName,
  sessionToken,
} from "./helpers.ts";

// Rate limits keep their algorithms (only the quotas grow), so the folded sliding-window scripts
// and @upstash/ratelimit's own scripts both run.
const t = reliabilityApp("script-flush");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

/** Empties Redis's script cache: the next EVALSHA of every script answers NOSCRIPT. */
const flush = () => redisCommand("SCRIPT", "FLUSH");

const cookieOf = (token: string) => ({ cookie: `__Host-session=${token}`, origin: ORIGIN });

describe("every Lua path after SCRIPT FLUSH", () => {
  it("still works through the EVAL fallback, one path after another", async () => {
    // Each step flushes first, so the script it runs is certainly unknown to Redis.
    await flush();
    const link = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://example.com/flush", maxClicks: 5, tags: ["flush"] }),
      201,
    );

    await flush();
    const bulk = await expectStatus(
      asAdmin(t, "POST", "/api/links/bulk", {
        links: [{ url: "https://example.com/a" }, { url: "https://example.com/b" }],
      }),
      200,
    );
    expect(bulk).toMatchObject({ created: 2, failed: 0 });

    await flush();
    const redirect = await t.request(`/${link.slug}`, { headers: browser("198.51.100.1"), redirect: "manual" });
    expect(redirect.status).toBe(302);
    expect(redirect.headers.get("location")).toBe("https://example.com/flush");

    await flush();
    await expectStatus(asAdmin(t, "GET", `/api/links/${link.slug}/stats`), 200);

    await flush();
    const view = await t.request("/api/views/flushed", { method: "POST", headers: browser("198.51.100.2") });
    expect(view.status).toBe(200);
    expect(await view.json()).toMatchObject({ counted: true });

    await flush();
    const created = await t.request(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${t.bindings.ADMIN_TOKEN}` },
      body: JSON.stringify({ userId: "flush-user", data: { plan: "pro" } }),
    });
    expect(created.status).toBe(201);
    expect(sessionCookieName(created)).toBe("__Host-session");
    const token = sessionToken(created);

    await flush();
    const loaded = await t.request(`${ORIGIN}/api/sessions/current`, { headers: cookieOf(token) });
    expect(loaded.status).toBe(200);

    await flush();
    const patched = await t.request(`${ORIGIN}/api/sessions/current`, {
      method: "PATCH",
      headers: { ...cookieOf(token), "content-type": "application/json" },
      body: JSON.stringify({ data: { theme: "dark" } }),
    });
    expect(patched.status).toBe(200);
    expect(await patched.json()).toMatchObject({ data: { plan: "pro", theme: "dark" } });

    await flush();
    const rotated = await t.request(`${ORIGIN}/api/sessions/current/rotate`, {
      method: "POST",
      headers: cookieOf(token),
    });
    expect(rotated.status).toBe(200);

    await flush();
    await expectStatus(
      asAdmin(t, "PUT", "/api/flags/flushed", {
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "on",
      }),
      201,
    );

    await flush();
    const evaluated = await send(t, "POST", "/ofrep/v1/evaluate/flags/flushed", { context: { targetingKey: "u1" } });
    expect(await evaluated.json()).toMatchObject({ key: "flushed", value: true });

    await flush();
    await expectStatus(
      asAdmin(t, "PUT", "/api/experiments/flushed", {
        variants: [
          { name: "control", weight: 50 },
          { name: "treatment", weight: 50 },
        ],
        status: "running",
        goals: ["purchase"],
      }),
      201,
    );

    await flush();
    const assigned = await expectStatus<{ variant: string }>(
      send(t, "POST", "/api/experiments/flushed/assignment", { unitId: "unit-1" }),
      200,
    );
    expect(["control", "treatment"]).toContain(assigned.variant);

    await flush();
    await expectStatus(
      send(t, "POST", "/api/experiments/flushed/conversions", { unitId: "unit-1", goal: "purchase" }),
      200,
    );

    await flush();
    const results = await expectStatus<{ variants: { units: number; goals: { purchase: { conversions: number } } }[] }>(
      asAdmin(t, "GET", "/api/experiments/flushed/results"),
      200,
    );
    const counted = (field: "units" | "conversions") =>
      results.variants.reduce((sum, v) => sum + (field === "units" ? v.units : v.goals.purchase.conversions), 0);
    expect([counted("units"), counted("conversions")]).toEqual([1, 1]);

    await flush();
    await expectStatus(asAdmin(t, "DELETE", `/api/links/${link.slug}`), 204);
  });

  it("keeps the rate limiter's own scripts counting exactly across a flush", async () => {
    const limited = reliabilityApp("script-flush-limits", {
      bindings: { RATE_LIMITS: JSON.stringify({ "create-link": { limit: 3, window: 3600 } }) },
    });
    try {
      const create = () =>
        limited.request("/api/links", {
          method: "POST",
          headers: { "content-type": "application/json", authorization: `Bearer ${t.bindings.ADMIN_TOKEN}` },
          body: JSON.stringify({ url: "https://example.com/limited" }),
        });
      const statuses: number[] = [];
      for (let i = 0; i < 5; i++) {
        await flush();
        statuses.push((await create()).status);
      }
      expect(statuses).toEqual([201, 201, 201, 429, 429]);
    } finally {
      await cleanup(limited.bindings.KEY_PREFIX ?? "");
    }
  });
});
