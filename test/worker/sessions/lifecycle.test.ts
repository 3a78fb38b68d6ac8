import { Hono } from "hono";
import { afterAll, describe, expect, it } from "vitest";
import type { AppEnv } from "../../../src/env.ts";
import { onError } from "../../../src/middleware/problems.ts";
import { requestContext } from "../../../src/middleware/request-context.ts";
import { loadSession } from "../../../src/middleware/session.ts";
import { cleanup, countRoundTrips, keysWithPrefix, redisCommand } from "../support.ts";
import { current, HOUR, login, MINUTE, ORIGIN, sessionApp, withCookie } from "./helpers.ts";

const t = sessionApp("sessions-life");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const sessionKeys = async () =>
  (await keysWithPrefix(t.bindings.KEY_PREFIX ?? "")).filter((key) => key.includes(":id:"));

describe("GET /api/sessions/current", () => {
  it("returns the session a login created, with its data", async () => {
    const token = await login(t, "ada", { data: { theme: "dark", cart: [1, 2] }, userAgent: "Firefox" });
    const res = await current(t, token);
    expect(res.status).toBe(200);
    const now = t.clock.now();
    expect(await res.json()).toEqual({
      userId: "ada",
      handle: expect.stringMatching(/^[A-Za-z0-9_-]{43}$/),
      createdAt: new Date(now).toISOString(),
      lastSeenAt: new Date(now).toISOString(),
      expiresAt: new Date(now + 168 * HOUR).toISOString(),
      idleExpiresAt: new Date(now + 30 * MINUTE).toISOString(),
      userAgent: "Firefox",
      data: { theme: "dark", cart: [1, 2] },
    });
  });

  it("costs exactly one round trip to Redis in loadSession()", async () => {
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.use(requestContext(t.clock), loadSession());
    app.get("/me", (c) => c.json({ userId: c.var.session?.userId ?? null }));
    const token = await login(t, "ada");
    const me = async () => app.request(`${ORIGIN}/me`, { headers: withCookie(token) }, t.bindings);
    await me(); // loads the script into Redis's cache
    const { result, roundTrips } = await countRoundTrips(me);
    expect(await result.json()).toEqual({ userId: "ada" });
    expect(roundTrips).toBe(1);
  });

  it("clears a dead cookie on any route using loadSession(), and never asks Redis about a malformed one", async () => {
    const app = new Hono<AppEnv>();
    app.onError(onError);
    app.use(requestContext(t.clock), loadSession());
    app.get("/me", (c) => c.json({ userId: c.var.session?.userId ?? null }));
    const me = async (token: string) => app.request(`${ORIGIN}/me`, { headers: withCookie(token) }, t.bindings);
    const { result, roundTrips } = await countRoundTrips(() => me("short"));
    expect(await result.json()).toEqual({ userId: null });
    expect(result.headers.get("set-cookie")).toBe("__Host-session=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax");
    expect(roundTrips).toBe(0);
    const unknown = await me(`${"A".repeat(22)}.${"B".repeat(43)}`);
    expect(unknown.headers.get("set-cookie")).toContain("Max-Age=0");
  });

  it("costs one round trip in all, rate limit included, once the route's rule folds the check", async () => {
    const token = await login(t, "ada");
    await current(t, token);
    const { result, roundTrips } = await countRoundTrips(() => current(t, token));
    expect(result.status).toBe(200);
    // The rate-limit table (src/lib/ratelimit/routes.ts) decides whether the check rides in the
    // session script ("route") or costs its own round trip first ("before").
    expect(roundTrips).toBe(1); // the rate-limit check runs inside the session script
  });

  it("stores only a hash of the token: no Redis key holds the cookie's secret", async () => {
    const token = await login(t, "grace");
    const keys = await keysWithPrefix(t.bindings.KEY_PREFIX ?? "");
    const secret = token.split(".")[1] ?? "";
    expect(keys.some((key) => key.includes(secret))).toBe(false);
    for (const key of keys.filter((k) => k.includes(":id:"))) {
      const fields = await redisCommand<string[]>("HGETALL", key);
      expect(fields.join(" ")).not.toContain(secret);
    }
  });
});

describe("timeouts", () => {
  it("ends a session left idle for 30 minutes, and deletes it from Redis", async () => {
    const token = await login(t, "idle-user");
    t.clock.advance(29 * MINUTE);
    expect((await current(t, token)).status).toBe(200);
    t.clock.advance(29 * MINUTE); // 29 min after the last use: still alive
    expect((await current(t, token)).status).toBe(200);
    t.clock.advance(30 * MINUTE);
    const before = (await sessionKeys()).length;
    expect((await current(t, token)).status).toBe(401);
    expect((await sessionKeys()).length).toBe(before - 1);
  });

  it("ends a session at its absolute timeout however active it is", async () => {
    const token = await login(t, "busy-user");
    for (let elapsed = 0; elapsed < 168 * HOUR - 20 * MINUTE; elapsed += 20 * MINUTE) {
      t.clock.advance(20 * MINUTE);
      if ((await current(t, token)).status !== 200) throw new Error(`ended early, after ${elapsed} ms`);
    }
    t.clock.advance(20 * MINUTE);
    expect((await current(t, token)).status).toBe(401);
  });

  it("writes last-seen at most once a minute", async () => {
    const token = await login(t, "toucher");
    const created = t.clock.now();
    const lastSeen = async () => ((await (await current(t, token)).json()) as { lastSeenAt: string }).lastSeenAt;
    t.clock.advance(59_999);
    expect(await lastSeen()).toBe(new Date(created).toISOString());
    t.clock.advance(1);
    expect(await lastSeen()).toBe(new Date(created + MINUTE).toISOString());
    t.clock.advance(30_000);
    expect(await lastSeen()).toBe(new Date(created + MINUTE).toISOString());
  });

  it("gives the idle timeout to Redis as the key's TTL, so abandoned sessions clean themselves up", async () => {
    await login(t, "ttl-user");
    const keys = await sessionKeys();
    const owners = await Promise.all(keys.map((key) => redisCommand<string>("HGET", key, "user")));
    const key = keys[owners.indexOf("ttl-user")] ?? "";
    const ttl = await redisCommand<number>("PTTL", key);
    expect(ttl).toBeGreaterThan(29 * MINUTE);
    expect(ttl).toBeLessThanOrEqual(30 * MINUTE);
  });
});

describe("POST /api/sessions/current/rotate", () => {
  it("gives the session a new id: the old one is dead, the new one alive with the same data", async () => {
    const old = await login(t, "rotator", { data: { step: 1 } });
    const res = await t.request(`${ORIGIN}/api/sessions/current/rotate`, { method: "POST", headers: withCookie(old) });
    expect(res.status).toBe(200);
    const { id } = (await res.json()) as { id: string };
    expect(id).not.toBe(old);
    expect(res.headers.get("set-cookie")).toContain(`__Host-session=${id};`);
    expect((await current(t, old)).status).toBe(401);
    const fresh = await current(t, id);
    expect(fresh.status).toBe(200);
    expect(((await fresh.json()) as { data: unknown }).data).toEqual({ step: 1 });
  });

  it("lets exactly one of 5 concurrent rotations of one id win", async () => {
    const old = await login(t, "rotator-3");
    const responses = await Promise.all(
      Array.from({ length: 5 }, () =>
        t.request(`${ORIGIN}/api/sessions/current/rotate`, { method: "POST", headers: withCookie(old) }),
      ),
    );
    expect(responses.map((res) => res.status).sort()).toEqual([200, 401, 401, 401, 401]);
  });

  it("keeps the absolute expiry: rotating does not extend a session's life", async () => {
    const old = await login(t, "rotator-2");
    const before = (await (await current(t, old)).json()) as { expiresAt: string };
    t.clock.advance(10 * MINUTE);
    const res = await t.request(`${ORIGIN}/api/sessions/current/rotate`, { method: "POST", headers: withCookie(old) });
    expect(((await res.json()) as { expiresAt: string }).expiresAt).toBe(before.expiresAt);
  });
});

describe("DELETE /api/sessions/current", () => {
  it("logs out: the Redis key is gone and the cookie cleared", async () => {
    const token = await login(t, "leaver");
    const before = await sessionKeys();
    const res = await t.request(`${ORIGIN}/api/sessions/current`, { method: "DELETE", headers: withCookie(token) });
    expect(res.status).toBe(204);
    expect(res.headers.get("set-cookie")).toMatch(
      /^__Host-session=; Max-Age=0; Path=\/; HttpOnly; Secure; SameSite=Lax$/,
    );
    const after = await sessionKeys();
    expect(after.length).toBe(before.length - 1);
    expect((await current(t, token)).status).toBe(401);
  });
});
