import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup, countRoundTrips, keysWithPrefix } from "../support.ts";
import { browser, linksApp } from "./helpers.ts";

const clock = manualClock(Date.parse("2030-05-01T00:00:00Z"));
const t = linksApp("manage", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const problem = (status: number, title: string, type: string, detail: string, instance: string) => ({
  type: `https://edgekit.dev/problems/${type}`,
  title,
  status,
  detail,
  instance,
});

describe("GET /api/links/{slug}", () => {
  it("reads a link with its click count in one round trip, rate-limit check included", async () => {
    await t.create({ url: "https://example.com/g", slug: "get-me" });
    await t.request("/get-me", { headers: browser(), redirect: "manual" });
    await t.api("GET", "/api/links/get-me");
    const { result, roundTrips } = await countRoundTrips(() => t.api("GET", "/api/links/get-me"));
    expect(((await result.json()) as { clicks: number }).clicks).toBe(1);
    expect(roundTrips).toBe(1); // read-link.lua with the rate-limit check folded in
  });

  it.each([
    [
      "an unknown slug",
      "/api/links/nope",
      404,
      problem(404, "Not found", "not-found", 'There is no link "nope".', "/api/links/nope"),
    ],
    [
      "a slug with a character slugs cannot have",
      "/api/links/no.pe",
      422,
      {
        ...problem(
          422,
          "Validation failed",
          "validation-failed",
          "param.slug: must be 1 to 64 of A-Z a-z 0-9 _ -",
          "/api/links/no.pe",
        ),
        errors: [{ path: "param.slug", message: "must be 1 to 64 of A-Z a-z 0-9 _ -" }],
      },
    ],
  ])("answers %s with a problem", async (_, path, status, body) => {
    const res = await t.api("GET", path);
    expect(res.status).toBe(status);
    expect(await res.json()).toEqual(body);
  });
});

describe("GET /api/links", () => {
  it("pages through every link newest first, without repeats or gaps", async () => {
    const list = linksApp("manage-list", { clock });
    const slugs: string[] = [];
    for (let i = 0; i < 7; i++) {
      clock.advance(1000);
      slugs.push((await list.create({ url: `https://example.com/${i}`, slug: `page-${i}` })).slug);
    }
    const seen: string[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?limit=3&cursor=${encodeURIComponent(cursor)}` : "?limit=3";
      const res = await list.api("GET", `/api/links${query}`);
      const page = (await res.json()) as { links: { slug: string }[]; nextCursor: string | null };
      seen.push(...page.links.map((link) => link.slug));
      cursor = page.nextCursor;
    } while (cursor);
    expect(seen).toEqual([...slugs].reverse());
    await cleanup(list.bindings.KEY_PREFIX ?? "");
  });

  it("refuses a cursor it did not make", async () => {
    const res = await t.api("GET", "/api/links?cursor=*");
    expect(res.status).toBe(422);
  });
});

describe("PATCH /api/links/{slug}", () => {
  it("changes the settings it is given, removes those set to null, and keeps the slug", async () => {
    await t.create({ url: "https://example.com/p", slug: "patch-me", maxClicks: 3, tags: ["a"] });
    clock.advance(5000);
    const res = await t.api("PATCH", "/api/links/patch-me", {
      url: "https://example.org/new",
      maxClicks: null,
      redirectStatus: 307,
      expiresAt: "2031-01-01T00:00:00Z",
      expiredUrl: "https://example.org/gone",
      forwardQuery: true,
      tags: ["b", "c"],
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      slug: "patch-me",
      url: "https://example.org/new",
      maxClicks: null,
      redirectStatus: 307,
      expiresAt: "2031-01-01T00:00:00.000Z",
      expiredUrl: "https://example.org/gone",
      forwardQuery: true,
      tags: ["b", "c"],
      updatedAt: new Date(clock.now()).toISOString(),
    });
    const redirect = await t.request("/patch-me", { headers: browser(), redirect: "manual" });
    expect(redirect.status).toBe(307);
    expect(redirect.headers.get("location")).toBe("https://example.org/new");
  });

  it.each([
    ["the slug", { slug: "other" }, 422, 'body: Unrecognized key: "slug"'],
    ["nothing at all", {}, 422, "body: must change at least one field"],
    [
      "a target on our own host",
      { url: "http://edgekit.test/x" },
      422,
      "url: must not point at this service's own host",
    ],
    ["an expiry in the past", { expiresAt: "2000-01-01T00:00:00Z" }, 422, "expiresAt: must be in the future"],
  ])("refuses to change %s", async (_, body, status, detail) => {
    const res = await t.api("PATCH", "/api/links/patch-me", body);
    expect(res.status).toBe(status);
    expect(((await res.json()) as { detail: string }).detail).toBe(detail);
  });

  it("answers 404 for an unknown link and creates nothing", async () => {
    const res = await t.api("PATCH", "/api/links/not-there", { url: "https://example.com" });
    expect(res.status).toBe(404);
    expect(await keysWithPrefix(`${t.bindings.KEY_PREFIX}edgekit:link:{not-there}`)).toEqual([]);
  });
});

describe("DELETE /api/links/{slug}", () => {
  it("removes every key of the link, statistics included, and its index entry", async () => {
    await t.create({ url: "https://example.com/d", slug: "delete-me" });
    await t.request("/delete-me", {
      headers: browser("203.0.113.9", { referer: "https://a.example/" }),
      redirect: "manual",
    });
    await t.request("/delete-me", { headers: { "user-agent": "curl/8.0" }, redirect: "manual" });
    const linkKeys = `${t.bindings.KEY_PREFIX}edgekit:link:{delete-me}`;
    expect((await keysWithPrefix(linkKeys)).length).toBeGreaterThanOrEqual(6);
    const res = await t.api("DELETE", "/api/links/delete-me");
    expect(res.status).toBe(204);
    expect(await keysWithPrefix(linkKeys)).toEqual([]);
    const page = (await (await t.api("GET", "/api/links?limit=100")).json()) as { links: { slug: string }[] };
    expect(page.links.map((link) => link.slug)).not.toContain("delete-me");
    expect((await t.request("/delete-me", { headers: browser(), redirect: "manual" })).status).toBe(404);
    expect((await t.api("DELETE", "/api/links/delete-me")).status).toBe(404);
  });
});

describe("GET /api/links/{slug}/qr", () => {
  it("answers an SVG QR code of the short URL", async () => {
    await t.create({ url: "https://example.com/q", slug: "qr-me" });
    const res = await t.api("GET", "/api/links/qr-me/qr");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("image/svg+xml");
    const svg = await res.text();
    expect(svg).toMatch(/^<svg[^>]*viewBox/);
    expect(svg).toContain("</svg>");
  });

  it("answers 404 for an unknown link", async () => {
    expect((await t.api("GET", "/api/links/no-qr/qr")).status).toBe(404);
  });
});

describe("OpenAPI", () => {
  it("documents every links route, the redirect under its clean path", async () => {
    const spec = (await (await t.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    expect(Object.keys(spec.paths["/api/links"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(spec.paths["/api/links/{slug}"] ?? {}).sort()).toEqual(["delete", "get", "patch"]);
    expect(spec.paths).toHaveProperty("/api/links/bulk");
    expect(spec.paths).toHaveProperty("/api/links/{slug}/stats");
    expect(spec.paths["/api/links/{slug}/qr"]?.get).toMatchObject({
      responses: { 200: { content: { "image/svg+xml": expect.anything() } } },
    });
    expect(Object.keys(spec.paths["/{slug}"] ?? {}).sort()).toEqual(["get", "post"]);
    expect(Object.keys(spec.paths).some((path) => path.includes("{slug{"))).toBe(false);
  });
});
