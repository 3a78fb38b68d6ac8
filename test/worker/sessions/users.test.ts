import { afterAll, describe, expect, it } from "vitest";
import { loadConfig } from "../../../src/env.ts";
import { createRedis } from "../../../src/lib/redis.ts";
import { destroyUserSessions } from "../../../src/lib/sessions/index.ts";
import { userSessionKeys } from "../../../src/lib/sessions/keys.ts";
import { scripts } from "../../../src/lib/sessions/scripts.ts";
import { adminHeaders, cleanup, countRoundTrips, keysWithPrefix, redisCommand } from "../support.ts";
import { current, HOUR, login, MINUTE, ORIGIN, sessionApp } from "./helpers.ts";

const t = sessionApp("sessions-users");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const list = (userId: string) => t.request(`${ORIGIN}/api/users/${userId}/sessions`, { headers: adminHeaders() });
const logoutEverywhere = (userId: string) =>
  t.request(`${ORIGIN}/api/users/${userId}/sessions`, { method: "DELETE", headers: adminHeaders() });
const indexKey = async () => (await keysWithPrefix(t.bindings.KEY_PREFIX ?? "")).find((k) => k.endsWith(":index"));

describe("DELETE /api/users/{userId}/sessions", () => {
  it("logs a user out of all 5 sessions, and leaves other users alone", async () => {
    const tokens = await Promise.all(Array.from({ length: 5 }, () => login(t, "everywhere")));
    const bystander = await login(t, "bystander");
    const res = await logoutEverywhere("everywhere");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ revoked: 5 });
    for (const token of tokens) expect((await current(t, token)).status).toBe(401);
    expect((await current(t, bystander)).status).toBe(200);
    expect(await list("everywhere").then((r) => r.json())).toEqual({ sessions: [] });
    const left = await keysWithPrefix(t.bindings.KEY_PREFIX ?? "");
    const owners = await Promise.all(
      left.filter((k) => k.includes(":id:")).map((k) => redisCommand<string>("HGET", k, "user")),
    );
    expect(owners).not.toContain("everywhere");
  });

  it("reads the index, then runs one script with every session's key: two round trips however many there are", async () => {
    await Promise.all(Array.from({ length: 5 }, () => login(t, "counted")));
    const redis = createRedis(loadConfig(t.bindings));
    const config = loadConfig(t.bindings);
    await destroyUserSessions(redis, config, { userId: "warm-up" });
    const { result, roundTrips } = await countRoundTrips(() =>
      destroyUserSessions(redis, config, { userId: "counted" }),
    );
    expect(result).toBe(5);
    expect(roundTrips).toBe(2);
  });
});

describe("the scripts over a user's whole index", () => {
  it("write nothing when a login landed between the index read and the script", async () => {
    await login(t, "raced");
    const config = loadConfig(t.bindings);
    const redis = createRedis(config);
    const [keys] = await userSessionKeys(config, "raced"); // the keyed tag's, where new logins go
    const stale: string[] = []; // read before the login: the script must not end half the sessions
    expect(await scripts.destroyUser.run(redis, [keys.index], stale)).toBe(-1);
    expect(await scripts.listUser.run(redis, [keys.index], [t.clock.now(), 60_000])).toBeNull();
    expect(await redisCommand("ZCARD", keys.index)).toBe(1);
    expect(await logoutEverywhere("raced").then((r) => r.json())).toEqual({ revoked: 1 });
  });
});

describe("GET /api/users/{userId}/sessions", () => {
  it("lists live sessions, most recently seen first, without their data", async () => {
    const first = await login(t, "lister", { userAgent: "Phone", data: { secret: 1 } });
    t.clock.advance(MINUTE);
    await login(t, "lister", { userAgent: "Laptop" });
    t.clock.advance(MINUTE);
    await current(t, first);
    const res = await list("lister");
    expect(res.status).toBe(200);
    const { sessions } = (await res.json()) as { sessions: { userAgent: string; data?: unknown }[] };
    expect(sessions.map((s) => s.userAgent)).toEqual(["Phone", "Laptop"]);
    expect(sessions[0]).not.toHaveProperty("data");
  });

  it("cleans expired sessions out of the user's index", async () => {
    const idle = await login(t, "pruned");
    t.clock.advance(10 * MINUTE);
    await login(t, "pruned");
    t.clock.advance(25 * MINUTE); // the first is idle for 35 min, the second for 25
    const res = await list("pruned");
    expect(((await res.json()) as { sessions: unknown[] }).sessions).toHaveLength(1);
    expect((await current(t, idle)).status).toBe(401);
    const index = (await keysWithPrefix(t.bindings.KEY_PREFIX ?? "")).filter((k) => k.endsWith(":index"));
    const sizes = await Promise.all(index.map((k) => redisCommand<number>("ZCARD", k)));
    expect(sizes.every((n) => n <= 5)).toBe(true);
    t.clock.advance(200 * HOUR);
    expect(await list("pruned").then((r) => r.json())).toEqual({ sessions: [] });
    expect(await indexKey()).toBeDefined();
  });

  it.each([
    ["braces", "%7Bx%7D"],
    ["a space", "a%20b"],
    ["129 characters", "u".repeat(129)],
  ])("answers 422 for a user id with %s", async (_name, userId) => {
    const res = await list(userId);
    expect(res.status).toBe(422);
    expect(((await res.json()) as { errors: { path: string }[] }).errors[0]?.path).toBe("param.userId");
  });

  it("needs the admin token", async () => {
    const res = await t.request(`${ORIGIN}/api/users/x/sessions`);
    expect(res.status).toBe(401);
  });
});
