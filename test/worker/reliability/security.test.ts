import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup } from "../support.ts";
import { asAdmin, browser, expectStatus, ORIGIN, reliabilityApp } from "./helpers.ts";

const t = reliabilityApp("security");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

interface Operation {
  method: string;
  /** The OpenAPI path, `{param}` style. */
  path: string;
  secured: boolean;
  hasBody: boolean;
}

/** Every operation the OpenAPI document declares. */
async function operations(): Promise<Operation[]> {
  const doc = (await (await t.request("/openapi.json")).json()) as {
    paths: Record<string, Record<string, { security?: unknown[]; requestBody?: unknown }>>;
  };
  return Object.entries(doc.paths).flatMap(([path, methods]) =>
    Object.entries(methods).map(([method, op]) => ({
      method: method.toUpperCase(),
      path,
      secured: (op.security ?? []).length > 0,
      hasBody: op.requestBody !== undefined,
    })),
  );
}

/** The routes anyone may call. A new route missing from here, or a management route without auth, fails. */
const PUBLIC_ROUTES = [
  "GET /healthz",
  "GET /{slug}",
  "POST /{slug}",
  "POST /ofrep/v1/evaluate/flags",
  "POST /ofrep/v1/evaluate/flags/{key}",
  "GET /api/sessions/current",
  "PATCH /api/sessions/current",
  "DELETE /api/sessions/current",
  "POST /api/sessions/current/rotate",
  "POST /api/views",
  "POST /api/views/{page}",
  "GET /api/views",
  "GET /api/views/{page}",
  "GET /api/views/{page}/badge.svg",
  "POST /api/experiments/{key}/assignment",
  "POST /api/experiments/{key}/conversions",
  "GET /api/leaderboards/{board}",
  "GET /api/leaderboards/{board}/around/{member}",
  "POST /api/leaderboards/{board}/ranks",
  "GET /api/trending/{list}",
  "GET /api/places/{set}/nearby",
  // Channels: public:* and presence:* are public-read; user:{id} needs that user's session (routes/channels.ts).
  "GET /api/channels/{channel}/events",
  "GET /api/channels/{channel}/history",
  "GET /api/events",
  // Presence: a session beats as its user (the admin token may name any member); rosters are public.
  "POST /api/presence/{room}",
  "DELETE /api/presence/{room}",
  "POST /api/presence/{room}/leave",
  "GET /api/presence/{room}",
  "POST /api/presence/{room}/online",
  // The inbox's own routes take the user's session cookie (notify needs the admin token).
  "GET /api/notifications",
  "GET /api/notifications/counts",
  "POST /api/notifications/{action}",
].sort();

const unauthorized = {
  type: "https://edgekit.dev/problems/unauthorized",
  title: "Unauthorized",
  status: 401,
  detail: "This route needs `Authorization: Bearer <API key or ADMIN_TOKEN>`.",
};

/** A concrete URL for an OpenAPI path: every parameter filled with a valid-looking value. */
const concrete = (path: string) => path.replace(/\{[^}]+\}/g, "sec-1");

describe("the OpenAPI document", () => {
  let ops: Operation[] = [];
  beforeAll(async () => {
    ops = await operations();
  });

  it("declares exactly the expected public routes; every other route needs an API key or the admin token", () => {
    const open = ops.filter((op) => !op.secured).map((op) => `${op.method} ${op.path}`);
    expect(open.sort()).toEqual(PUBLIC_ROUTES);
    expect(ops.filter((op) => op.secured).length).toBeGreaterThan(20);
  });

  it("has every management route answer 401 without the token, with a wrong one, and with a non-bearer scheme", async () => {
    const attempts: Record<string, string>[] = [
      {},
      { authorization: "Bearer wrong-token-0123456789" },
      { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}x` },
      { authorization: `Basic ${btoa(`admin:${t.bindings.ADMIN_TOKEN}`)}` },
      { authorization: `bearer${t.bindings.ADMIN_TOKEN}` },
    ];
    const failures: string[] = [];
    for (const op of ops.filter((o) => o.secured)) {
      for (const headers of attempts) {
        const res = await t.request(concrete(op.path), {
          method: op.method,
          headers: op.hasBody ? { ...headers, "content-type": "application/json" } : headers,
          body: op.hasBody ? "{}" : undefined,
        });
        const body = await res.text();
        const expected = { ...unauthorized, instance: concrete(op.path) };
        if (
          res.status !== 401 ||
          res.headers.get("www-authenticate") !== 'Bearer realm="edgekit"' ||
          JSON.stringify(JSON.parse(body)) !== JSON.stringify(expected)
        ) {
          failures.push(`${op.method} ${op.path} ${JSON.stringify(headers)} -> ${res.status} ${body}`);
        }
      }
    }
    expect(failures).toEqual([]);
  });
});

describe("open-redirect attempts at link creation", () => {
  it.each([
    ["javascript:", "javascript:alert(document.cookie)", "must use http or https"],
    ["javascript: in mixed case", "JaVaScRiPt:alert(1)", "must use http or https"],
    ["data:", "data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==", "must use http or https"],
    ["vbscript:", "vbscript:msgbox(1)", "must use http or https"],
    ["file:", "file:///etc/passwd", "must use http or https"],
    [
      "protocol-relative",
      "//evil.example/phish",
      "must be an absolute http(s) URL (protocol-relative URLs are refused)",
    ],
    ["a relative path", "/admin", "must be an absolute http(s) URL"],
    ["credentials", "https://user:pass@evil.example/", "must not contain credentials (user:password@)"],
    [
      "credentials posing as our host",
      "https://edgekit.test@evil.example/",
      "must not contain credentials (user:password@)",
    ],
    ["our own host", "http://edgekit.test/admin", "must not point at this service's own host"],
    [
      "our own host on another port and case",
      "HTTPS://EDGEKIT.TEST:8443/x",
      "must not point at this service's own host",
    ],
    ["our own host with a trailing dot", "https://edgekit.test./x", "must not point at this service's own host"],
    ["backslashes", "https:\\\\evil.example", "must not contain backslashes"],
    ["backslashes posing as our host", "https://edgekit.test\\@evil.example/", "must not contain backslashes"],
    ["a backslash after the scheme", "https:/\\evil.example", "must not contain backslashes"],
    ["a leading space", " https://evil.example", "must not contain spaces or control characters"],
    ["a tab inside the scheme", "java\tscript:alert(1)", "must not contain spaces or control characters"],
    [
      "a newline (header injection)",
      "https://ok.example/\r\nSet-Cookie: a=b",
      "must not contain spaces or control characters",
    ],
    ["a NUL byte", "https://ok.example/\u0000", "must not contain spaces or control characters"],
    ["a no-break space", "https://ok.example/\u00a0x", "must not contain spaces or control characters"],
  ])("refuses %s with a 422 naming the field", async (_name, url, message) => {
    const res = await asAdmin(t, "POST", "/api/links", { url });
    expect(res.status).toBe(422);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/validation-failed",
      title: "Validation failed",
      status: 422,
      detail: `url: ${message}`,
      instance: "/api/links",
      errors: [{ path: "url", message }],
    });
  });

  it("refuses the same targets as an expired-link fallback and in a patch", async () => {
    const link = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://ok.example/" }),
      201,
    );
    for (const url of ["javascript:alert(1)", "//evil.example", "https:\\\\evil.example", "http://edgekit.test/x"]) {
      expect((await asAdmin(t, "POST", "/api/links", { url: "https://ok.example/", expiredUrl: url })).status).toBe(
        422,
      );
      expect((await asAdmin(t, "PATCH", `/api/links/${link.slug}`, { url })).status).toBe(422);
    }
  });
});

describe("session cookies", () => {
  it("are HttpOnly, Secure, SameSite=Lax, host-only (__Host-) and scoped to /", async () => {
    const res = await t.request(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: adminHeaders({ "content-type": "application/json" }),
      body: JSON.stringify({ userId: "cookie-flags" }),
    });
    expect(res.status).toBe(201);
    const cookie = res.headers.get("set-cookie") ?? "";
    const attributes = cookie.split(";").map((part) => part.trim().toLowerCase());
    expect(attributes[0]).toMatch(/^__host-session=[^\s;]{20,}$/);
    expect(attributes).toEqual(expect.arrayContaining(["httponly", "secure", "samesite=lax", "path=/"]));
    expect(attributes.some((a) => a.startsWith("domain="))).toBe(false);
    expect(attributes.some((a) => a.startsWith("max-age=") || a.startsWith("expires="))).toBe(true);
    expect(res.headers.get("cache-control")).toBe("no-store");
  });
});

describe("secure headers", () => {
  const expectSecureHeaders = (res: Response) => {
    expect({
      nosniff: res.headers.get("x-content-type-options"),
      frame: res.headers.get("x-frame-options"),
      referrer: res.headers.get("referrer-policy"),
      hsts: res.headers.get("strict-transport-security"),
    }).toEqual({
      nosniff: "nosniff",
      frame: "SAMEORIGIN",
      referrer: "no-referrer",
      hsts: expect.stringMatching(/^max-age=\d+/),
    });
    expect(res.headers.get("x-powered-by")).toBeNull();
  };

  it("are on every kind of response: JSON, problem, HTML, redirect and SVG", async () => {
    const link = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://ok.example/" }),
      201,
    );
    const locked = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://ok.example/", password: "open sesame" }),
      201,
    );
    const responses: [string, Response, RegExp | number][] = [
      ["JSON", await t.request("/healthz"), /^application\/json/],
      [
        "problem",
        await t.request("/api/links", { headers: { authorization: "Bearer nope" } }),
        /^application\/problem\+json/,
      ],
      ["HTML form", await t.request(`/${locked.slug}`, { headers: browser("192.0.2.10") }), /^text\/html/],
      ["HTML 404", await t.request("/no-such-slug-here", { headers: browser("192.0.2.10") }), /^text\/html/],
      ["redirect", await t.request(`/${link.slug}`, { headers: browser("192.0.2.10"), redirect: "manual" }), 302],
      ["SVG badge", await t.request("/api/views/sec-page/badge.svg"), /^image\/svg\+xml/],
      ["SVG QR", await t.request(`/api/links/${link.slug}/qr`, { headers: adminHeaders() }), /^image\/svg\+xml/],
      ["OpenAPI", await t.request("/openapi.json"), /^application\/json/],
    ];
    for (const [kind, res, expected] of responses) {
      if (typeof expected === "number") expect(res.status, kind).toBe(expected);
      else expect(res.headers.get("content-type"), kind).toMatch(expected);
      expectSecureHeaders(res);
    }
  });
});

describe("the dashboard (HTML, left out of the OpenAPI document on purpose)", () => {
  it("sends every page and form post to the sign-in without an admin session, bearer token or not", async () => {
    const open = new Set(["/admin/login", "/admin/logout"]);
    const pages = t.app.routes
      .filter((r) => r.path.startsWith("/admin") && !open.has(r.path) && ["GET", "POST"].includes(r.method))
      .map((r) => ({ method: r.method, path: r.path.replace(/:[A-Za-z]+/g, "sec-1") }));
    expect(pages.length).toBeGreaterThan(8);
    const answers = [];
    for (const { method, path } of pages) {
      const attempts: Record<string, string>[] = [
        {},
        adminHeaders(),
        { cookie: "__Host-session=forged-0123456789abcdef" },
      ];
      for (const headers of attempts) {
        const res = await t.request(`${ORIGIN}${path}`, {
          method,
          headers: { ...headers, origin: ORIGIN, "content-type": "application/x-www-form-urlencoded" },
          body: method === "POST" ? "enabled=true" : undefined,
          redirect: "manual",
        });
        answers.push(`${method} ${path} ${res.status} ${(res.headers.get("location") ?? "").split("?")[0]}`);
      }
    }
    expect(answers).toEqual(answers.map((a) => a.replace(/ \d+ .*$/, " 303 /admin/login")));
  });
});
