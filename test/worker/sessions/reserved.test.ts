import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_USER_ID } from "../../../src/lib/dashboard/index.ts";
import { base64url, legacyUserTag, tokenHandle, userTag } from "../../../src/lib/sessions/token.ts";
import { signIn } from "../dashboard/session.ts";
import { adminHeaders, cleanup, jsonHeaders, problemBody, redisCommand } from "../support.ts";
import { COOKIE, current, HOUR, login, ORIGIN, sessionApp } from "./helpers.ts";

const t = sessionApp("sessions-reserved");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));
const prefix = t.bindings.KEY_PREFIX ?? "";

const reserved = (instance: string, path: string) =>
  problemBody(
    422,
    "validation-failed",
    "Validation failed",
    `${path}: Ids starting "edgekit:" are reserved`,
    instance,
    {
      errors: [{ path, message: 'Ids starting "edgekit:" are reserved' }],
    },
  );

/**
 * Writes a session straight into Redis under `tag`, as an older release would have (the API then
 * accepted the dashboard's user id, and tags were unkeyed); returns its cookie token.
 */
async function plantSession(tag: string, userId: string): Promise<string> {
  const token = `${tag}.${base64url(crypto.getRandomValues(new Uint8Array(32)))}`;
  const handle = await tokenHandle(token);
  const now = t.clock.now();
  const expires = now + 24 * HOUR;
  const base = `${prefix}edgekit:session:{${tag}}:`;
  await redisCommand("HSET", `${base}id:${handle}`, "user", userId, "created", now, "seen", now, "expires", expires);
  await redisCommand("PEXPIRE", `${base}id:${handle}`, HOUR);
  await redisCommand("ZADD", `${base}index`, expires, handle);
  return token;
}

describe("reserved user ids", () => {
  it.each([
    ["POST", "/api/sessions", "userId", { userId: ADMIN_USER_ID }],
    ["POST", "/api/sessions", "userId", { userId: "edgekit:anything" }],
    ["GET", `/api/users/${encodeURIComponent(ADMIN_USER_ID)}/sessions`, "param.userId", undefined],
    ["DELETE", `/api/users/${encodeURIComponent(ADMIN_USER_ID)}/sessions`, "param.userId", undefined],
  ])("refuses %s %s for an id in the edgekit: namespace with a 422 problem", async (method, path, field, body) => {
    const res = await t.request(`${ORIGIN}${path}`, {
      method,
      headers: adminHeaders(jsonHeaders()),
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual(reserved(path, field));
  });

  it("opens no dashboard page with a session for the dashboard's user id that the sign-in did not start", async () => {
    const forged = await plantSession(await userTag(t.bindings.HASH_SECRET ?? "", ADMIN_USER_ID), ADMIN_USER_ID);
    const legacy = await plantSession(await legacyUserTag(ADMIN_USER_ID), ADMIN_USER_ID);
    for (const token of [forged, legacy]) {
      expect((await current(t, token)).status).toBe(200); // a live session, but no dashboard one
      const page = await t.request("/admin/links", {
        headers: { cookie: `${COOKIE}=${token}` },
        redirect: "manual",
      });
      expect(page.status).toBe(303);
      expect(page.headers.get("location")).toMatch(/^\/admin\/login/);
    }
    const cookie = await signIn(t);
    const page = await t.request("/admin/links", { headers: { cookie } });
    expect(page.status).toBe(200);
  });
});

describe("the session tag", () => {
  it("is keyed with HASH_SECRET: the unkeyed hash of the user id does not confirm it, and deployments differ", async () => {
    const token = await login(t, "alice@example.com");
    const tag = token.split(".")[0];
    expect(tag).toBe(await userTag(t.bindings.HASH_SECRET ?? "", "alice@example.com"));
    expect(tag).not.toBe(await legacyUserTag("alice@example.com"));
    const other = sessionApp("sessions-reserved-other", { HASH_SECRET: "another-deployments-secret" });
    const otherToken = await login(other, "alice@example.com");
    expect(otherToken.split(".")[0]).not.toBe(tag);
    await cleanup(other.bindings.KEY_PREFIX ?? "");
  });

  it("gives dashboard cookies a per-deployment prefix, not the one every deployment shared", async () => {
    const cookie = await signIn(t);
    const token = cookie.split("=")[1] ?? "";
    expect(token.startsWith("d6zqe1Ms6yP57aKFDz0okQ.")).toBe(false);
    expect(token.split(".")[0]).not.toBe(await legacyUserTag(ADMIN_USER_ID));
  });

  it("still lists and logs out everywhere the sessions created before tags were keyed", async () => {
    const legacy = await plantSession(await legacyUserTag("bob"), "bob");
    const fresh = await login(t, "bob");
    const listed = await t.request(`${ORIGIN}/api/users/bob/sessions`, { headers: adminHeaders() });
    expect(((await listed.json()) as { sessions: unknown[] }).sessions).toHaveLength(2);
    const revoked = await t.request(`${ORIGIN}/api/users/bob/sessions`, { method: "DELETE", headers: adminHeaders() });
    expect(await revoked.json()).toEqual({ revoked: 2 });
    expect((await current(t, legacy)).status).toBe(401);
    expect((await current(t, fresh)).status).toBe(401);
  });
});
