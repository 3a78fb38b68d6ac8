import { afterAll, describe, expect, it } from "vitest";
import { signIn } from "../dashboard/session.ts";
import { ADMIN_TOKEN, adminHeaders, cleanup, jsonHeaders } from "../support.ts";
import { asAdmin, ORIGIN, reliabilityApp } from "./helpers.ts";

const t = reliabilityApp("hardening");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const DASHBOARD_CSP =
  "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'; img-src 'self' data:; script-src 'self'; form-action 'self'";
const LINK_PAGE_CSP = "default-src 'none'; style-src 'unsafe-inline'; base-uri 'none'; frame-ancestors 'none'";

describe("Content-Security-Policy", () => {
  it("comes with every dashboard page: sign-in, a page, its not-found page", async () => {
    const cookie = await signIn(t);
    const pages = [
      await t.request("/admin/login"),
      await t.request("/admin/links", { headers: { cookie } }),
      await t.request("/admin/links/no-such-link", { headers: { cookie } }),
    ];
    expect(pages.map((res) => [res.status, res.headers.get("content-security-policy")])).toEqual([
      [200, DASHBOARD_CSP],
      [200, DASHBOARD_CSP],
      [404, DASHBOARD_CSP],
    ]);
  });

  it("comes with the redirect's password form, not-found and gone pages", async () => {
    await asAdmin(t, "POST", "/api/links", {
      url: "https://example.com/",
      slug: "csp-locked",
      password: "open sesame",
    });
    await asAdmin(t, "POST", "/api/links", { url: "https://example.com/", slug: "csp-once", maxClicks: 1 });
    await t.request("/csp-once", { redirect: "manual" });
    const pages = await Promise.all(
      ["/csp-locked", "/csp-nobody", "/csp-once"].map((path) => t.request(path, { redirect: "manual" })),
    );
    expect(pages.map((res) => [res.status, res.headers.get("content-security-policy")])).toEqual([
      [200, LINK_PAGE_CSP],
      [404, LINK_PAGE_CSP],
      [410, LINK_PAGE_CSP],
    ]);
  });

  it("lets other sites embed the view badge (Cross-Origin-Resource-Policy: cross-origin)", async () => {
    const res = await t.request("/api/views/home/badge.svg");
    expect(res.status).toBe(200);
    expect(res.headers.get("cross-origin-resource-policy")).toBe("cross-origin");
    expect(res.headers.get("content-security-policy")).toBe("default-src 'none'; style-src 'unsafe-inline'");
  });
});

describe("X-Request-Id", () => {
  it.each([
    ["a safe id of 64 characters", "a".repeat(64), true],
    ["a UUID", "0d8f1c9e-7b7a-4d3e-9f43-0a1b2c3d4e5f", true],
    ["an id of 65 characters", "a".repeat(65), false],
    ["an id of 200 characters", "b".repeat(200), false],
    ["an id with a space", "abc def", false],
    ["an id with a quote and angle brackets", 'a"<b>', false],
  ])("echoes %s only when it is short and safe", async (_name, id, echoed) => {
    const res = await t.request("/healthz", { headers: { "x-request-id": id } });
    const sent = res.headers.get("x-request-id");
    if (echoed) expect(sent).toBe(id);
    else expect(sent).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/);
  });

  it("comes with problem responses too: 401, 404, 422, 413", async () => {
    const responses = [
      await t.request("/api/links", { headers: { "x-request-id": "req-401" } }),
      await t.request("/api/no-such-route", { headers: { "x-request-id": "req-404" } }),
      await t.request("/api/links", {
        method: "POST",
        headers: adminHeaders(jsonHeaders({ "x-request-id": "req-422" })),
        body: "{}",
      }),
      await t.request("/api/links", {
        method: "POST",
        headers: adminHeaders(jsonHeaders({ "x-request-id": "req-413", "content-length": String(2 * 1024 * 1024) })),
        body: "x",
      }),
    ];
    expect(responses.map((res) => [res.status, res.headers.get("x-request-id")])).toEqual([
      [401, "req-401"],
      [404, "req-404"],
      [422, "req-422"],
      [413, "req-413"],
    ]);
  });
});

describe("Authorization", () => {
  it.each(["Bearer", "bearer", "BEARER", "bEaReR"])(
    "accepts the %s scheme (RFC 9110: case-insensitive)",
    async (scheme) => {
      const res = await t.request("/api/links", { headers: { authorization: `${scheme} ${ADMIN_TOKEN}` } });
      expect(res.status).toBe(200);
    },
  );

  it("still refuses a wrong token under a lower-case scheme", async () => {
    const res = await t.request("/api/links", { headers: { authorization: `bearer ${ADMIN_TOKEN}x` } });
    expect(res.status).toBe(401);
  });
});

describe("a body over the limit", () => {
  it("has its stream cancelled when cut off with a 413", async () => {
    const piece = new Uint8Array(256 * 1024);
    let cancelled: unknown = "not cancelled";
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        controller.enqueue(piece);
      },
      cancel(reason) {
        cancelled = reason ?? "cancelled";
      },
    });
    const res = await t.request("/api/links", {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body,
      duplex: "half",
    } as RequestInit);
    expect(res.status).toBe(413);
    await new Promise((resolve) => setTimeout(resolve, 10));
    expect(cancelled).not.toBe("not cancelled");
  });
});

describe("the dashboard's forms", () => {
  it("refuse a post with neither Origin nor Sec-Fetch-Site, and a cross-site one", async () => {
    const post = (headers: Record<string, string>) =>
      t.request("/admin/login", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", ...headers },
        body: new URLSearchParams({ token: ADMIN_TOKEN }).toString(),
        redirect: "manual",
      });
    expect((await post({})).status).toBe(403);
    expect((await post({ origin: "http://evil.com" })).status).toBe(403);
    expect((await post({ "sec-fetch-site": "same-site", origin: ORIGIN })).status).toBe(403);
    expect((await post({ origin: ORIGIN })).status).toBe(303);
  });

  it("still open from a link on another site (a GET is no state change)", async () => {
    const res = await t.request("/admin/login", { headers: { "sec-fetch-site": "cross-site" } });
    expect(res.status).toBe(200);
  });
});
