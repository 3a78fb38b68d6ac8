import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders } from "../support.ts";
import { COOKIE, current, login, MINUTE, ORIGIN, sessionApp, withCookie } from "./helpers.ts";

const t = sessionApp("sessions-cookie");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const create = (url: string) =>
  t.request(`${url}/api/sessions`, {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify({ userId: "cookie-user" }),
  });

describe("the session cookie", () => {
  it("is __Host-session, HttpOnly, Secure, SameSite=Lax, Path=/ and lives 7 days at most on https", async () => {
    const res = await create(ORIGIN);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get("set-cookie")).toBe(
      `__Host-session=${id}; Max-Age=604800; Path=/; HttpOnly; Secure; SameSite=Lax`,
    );
  });

  it.each(["http://localhost:8787", "http://127.0.0.1:8787"])("is a plain `session` cookie on %s", async (url) => {
    const res = await create(url);
    const { id } = (await res.json()) as { id: string };
    expect(res.headers.get("set-cookie")).toBe(`session=${id}; Max-Age=604800; Path=/; HttpOnly; SameSite=Lax`);
    const read = await t.request(`${url}/api/sessions/current`, { headers: { cookie: `session=${id}` } });
    expect(read.status).toBe(200);
  });

  it("stays Secure and __Host- on plain http to any other host, so it never travels in clear text", async () => {
    const res = await create("http://example.com");
    expect(res.headers.get("set-cookie")).toMatch(/^__Host-session=.*; Secure; SameSite=Lax$/);
  });

  it("is a 66-character opaque token: a user tag and 256 random bits", async () => {
    const token = await login(t, "cookie-user");
    expect(token).toMatch(/^[A-Za-z0-9_-]{22}\.[A-Za-z0-9_-]{43}$/);
    const other = await login(t, "cookie-user");
    expect(other.slice(0, 22)).toBe(token.slice(0, 22));
    expect(other.slice(23)).not.toBe(token.slice(23));
  });
});

describe("a cookie that names no live session", () => {
  const cleared = `${COOKIE}=; Max-Age=0; Path=/; HttpOnly; Secure; SameSite=Lax`;
  const noSession = {
    type: "https://edgekit.dev/problems/unauthorized",
    title: "Unauthorized",
    status: 401,
    detail: "There is no session: sign in again.",
    instance: "/api/sessions/current",
  };

  const answer = async (res: Response) => ({
    status: res.status,
    type: res.headers.get("content-type"),
    cookie: res.headers.get("set-cookie"),
    body: await res.json(),
  });

  it("gets the same answer whether it is forged, malformed, unknown or expired", async () => {
    const live = await login(t, "victim");
    const expired = await login(t, "sleeper");
    t.clock.advance(31 * MINUTE);
    const cases = {
      // Right shape, right user tag, a secret nobody issued.
      forged: `${live.slice(0, 23)}${"A".repeat(43)}`,
      malformed: "not-a-session-token",
      unknown: `${"B".repeat(22)}.${"C".repeat(43)}`,
      expired,
      oversized: "x".repeat(3000),
    };
    for (const [name, token] of Object.entries(cases)) {
      expect({ name, ...(await answer(await current(t, token))) }).toEqual({
        name,
        status: 401,
        type: "application/problem+json",
        cookie: cleared,
        body: noSession,
      });
    }
  });

  it("gets the same problem as no cookie at all (which has nothing to clear)", async () => {
    const res = await t.request(`${ORIGIN}/api/sessions/current`);
    expect(await answer(res)).toEqual({
      status: 401,
      type: "application/problem+json",
      cookie: null,
      body: noSession,
    });
  });

  it("is refused without asking Redis when it is malformed", async () => {
    const { result, roundTrips } = await countRoundTrips(() => current(t, "../../etc/passwd"));
    expect(result.status).toBe(401);
    // The rate limit still counts the request (one round trip): the session lookup costs none.
    expect(roundTrips).toBeLessThanOrEqual(1);
  });
});

describe("CSRF", () => {
  const crossOrigin = { origin: "https://evil.example" };
  const cases = [
    { name: "a cross-origin logout", method: "DELETE", path: "/api/sessions/current" },
    { name: "a cross-origin rotation", method: "POST", path: "/api/sessions/current/rotate" },
  ];

  it.each(cases)("refuses $name with a 403 problem and leaves the session alive", async ({ method, path }) => {
    const token = await login(t, "csrf-target");
    const res = await t.request(`${ORIGIN}${path}`, { method, headers: withCookie(token, crossOrigin) });
    expect(res.status).toBe(403);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/forbidden",
      title: "Forbidden",
      status: 403,
      detail: "This request came from another origin; session changes must come from this site.",
      instance: path,
    });
    expect((await current(t, token)).status).toBe(200);
  });

  it("refuses a form post from another site before it is read", async () => {
    const token = await login(t, "csrf-target");
    const res = await t.request(`${ORIGIN}/api/sessions/current`, {
      method: "PATCH",
      headers: withCookie(token, { ...crossOrigin, "content-type": "application/x-www-form-urlencoded" }),
      body: "data=1",
    });
    expect([403, 415]).toContain(res.status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
  });

  it("lets a same-origin request through by Sec-Fetch-Site alone", async () => {
    const token = await login(t, "csrf-friend");
    const res = await t.request(`${ORIGIN}/api/sessions/current/rotate`, {
      method: "POST",
      headers: { cookie: `${COOKIE}=${token}`, "sec-fetch-site": "same-origin" },
    });
    expect(res.status).toBe(200);
  });
});
