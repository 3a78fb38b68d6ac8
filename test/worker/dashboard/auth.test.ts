import { afterAll, describe, expect, it } from "vitest";
import { ADMIN_USER_ID } from "../../../src/lib/dashboard/index.ts";
import { cleanup, keysWithPrefix, redisCommand, testApp } from "../support.ts";
import { formHeaders, ORIGIN, signIn } from "./session.ts";

// These tests sign in more often than the admin-login rate limit allows one client (#5).
const t = testApp("dashboard-auth", { bindings: { RATE_LIMITS: JSON.stringify({ "admin-login": { limit: 1000 } }) } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX as string));

const form = (fields: Record<string, string>) => new URLSearchParams(fields).toString();

describe("dashboard sign-in", () => {
  it("shows the login page to anyone", async () => {
    const res = await t.request("/admin/login");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain('<meta name="viewport" content="width=device-width, initial-scale=1"/>');
    expect(html).toContain('name="token"');
  });

  it("refuses a wrong token with 401, and creates no session", async () => {
    const before = await keysWithPrefix(t.bindings.KEY_PREFIX as string);
    for (const token of ["wrong-token-0123456789", "", "x".repeat(600)]) {
      const res = await t.request("/admin/login", { method: "POST", headers: formHeaders(), body: form({ token }) });
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
      expect(await res.text()).toContain("That name and password, key or token does not sign in.");
    }
    expect((await keysWithPrefix(t.bindings.KEY_PREFIX as string)).filter((k) => !before.includes(k))).toEqual(
      // The rate limiter's own keys are the only ones written.
      expect.not.arrayContaining([expect.stringContaining("session")]),
    );
  });

  it("signs in with the admin token: an admin session behind a SameSite=Lax, HttpOnly cookie", async () => {
    const res = await t.request("/admin/login", {
      method: "POST",
      headers: formHeaders(),
      body: form({ token: (await import("../support.ts")).ADMIN_TOKEN, next: "/admin/flags" }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/flags");
    const cookie = res.headers.get("set-cookie") ?? "";
    expect(cookie).toMatch(/^__Host-session=[^;]+; Max-Age=\d+; Path=\/; HttpOnly; Secure; SameSite=Lax$/);
    const sessions = await redisCommand<string[]>("KEYS", `${t.bindings.KEY_PREFIX}*session*`);
    expect(sessions.length).toBeGreaterThan(0);
  });

  it("never sends a login back to another site", async () => {
    for (const next of ["https://evil.example/", "//evil.example", "/admin/../x", "/api/links"]) {
      const res = await t.request("/admin/login", {
        method: "POST",
        headers: formHeaders(),
        body: form({ token: (await import("../support.ts")).ADMIN_TOKEN, next }),
      });
      expect(res.headers.get("location"), next).toBe("/admin/links");
    }
  });

  it("logs out: the session is gone and the cookie cleared", async () => {
    const cookie = await signIn(t);
    const res = await t.request("/admin/logout", { method: "POST", headers: formHeaders({ cookie }), body: "" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/login");
    expect(res.headers.get("set-cookie")).toMatch(/^__Host-session=; Max-Age=0/);
    const after = await t.request("/admin/links", { headers: { cookie }, redirect: "manual" });
    expect(after.status).toBe(303);
  });
});

describe("dashboard pages", () => {
  const pages = [
    "/admin",
    "/admin/links",
    "/admin/links/abc",
    "/admin/flags",
    "/admin/flags/x",
    "/admin/experiments",
    "/admin/views",
  ];

  it("send visitors without a session to the login page, keeping where they wanted to go", async () => {
    for (const path of pages) {
      const res = await t.request(path, { redirect: "manual" });
      expect(res.status, path).toBe(303);
      expect(res.headers.get("location"), path).toBe(`/admin/login?next=${encodeURIComponent(path)}`);
    }
  });

  it("refuse a session that is not the dashboard's, like one a backend created for its own user", async () => {
    const created = await t.request("/api/sessions", {
      method: "POST",
      headers: {
        authorization: `Bearer ${(await import("../support.ts")).ADMIN_TOKEN}`,
        "content-type": "application/json",
      },
      body: JSON.stringify({ userId: "admin" }),
    });
    const cookie = (created.headers.get("set-cookie") ?? "").split(";")[0] ?? "";
    const res = await t.request("/admin/links", { headers: { cookie }, redirect: "manual" });
    expect(res.status).toBe(303);
    expect(ADMIN_USER_ID).not.toBe("admin");
  });

  it("open with the admin session", async () => {
    const cookie = await signIn(t);
    for (const path of ["/admin/links", "/admin/flags", "/admin/experiments", "/admin/views"]) {
      const res = await t.request(path, { headers: { cookie } });
      expect(res.status, path).toBe(200);
      expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    }
  });
});

describe("dashboard forms", () => {
  it("refuse cross-origin posts with a 403 problem, before anything is read or written", async () => {
    const cookie = await signIn(t);
    const cases = [
      { path: "/admin/login", headers: formHeaders({ origin: "https://evil.example" }) },
      { path: "/admin/logout", headers: formHeaders({ origin: "https://evil.example", cookie }) },
      { path: "/admin/links", headers: formHeaders({ origin: "https://evil.example", cookie }) },
      { path: "/admin/flags/x/enabled", headers: formHeaders({ origin: "null", cookie }) },
      {
        path: "/admin/links",
        headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "cross-site", cookie },
      },
    ];
    for (const { path, headers } of cases) {
      const res = await t.request(path, { method: "POST", headers, body: form({ url: "https://example.com" }) });
      expect(res.status, path).toBe(403);
      expect(await res.json()).toEqual({
        type: "https://edgekit.dev/problems/forbidden",
        title: "Forbidden",
        status: 403,
        detail: "This request came from another origin; session changes must come from this site.",
        instance: path,
      });
    }
    // The session survived the forged logout.
    expect((await t.request("/admin/links", { headers: { cookie } })).status).toBe(200);
  });

  it("refuse bodies that are not forms with a 415 problem, so nothing skips the origin check", async () => {
    const cookie = await signIn(t);
    const res = await t.request("/admin/links", {
      method: "POST",
      headers: { "content-type": "application/json", origin: "https://evil.example", cookie },
      body: JSON.stringify({ url: "https://example.com" }),
    });
    expect(res.status).toBe(415);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/unsupported-media-type",
      title: "Unsupported media type",
      status: 415,
      detail: "Dashboard forms post application/x-www-form-urlencoded.",
      instance: "/admin/links",
    });
  });

  it("accept same-origin posts identified by Sec-Fetch-Site alone", async () => {
    const cookie = await signIn(t);
    const res = await t.request("/admin/logout", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", "sec-fetch-site": "same-origin", cookie },
      body: "",
    });
    expect(res.status).toBe(303);
    expect(ORIGIN).toBe("http://edgekit.test");
  });
});
