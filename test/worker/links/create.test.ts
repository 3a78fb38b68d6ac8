import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup, countRoundTrips, keysWithPrefix } from "../support.ts";
import { linksApp } from "./helpers.ts";

const clock = manualClock(Date.UTC(2030, 0, 1));
const t = linksApp("create", { clock });
const site = linksApp("create-public", { clock, publicUrl: "https://sho.rt" });
afterAll(async () => {
  await cleanup(t.bindings.KEY_PREFIX ?? "");
  await cleanup(site.bindings.KEY_PREFIX ?? "");
});

describe("POST /api/links", () => {
  it("creates a link with a random 7-character base62 slug and every default", async () => {
    const res = await t.api("POST", "/api/links", { url: "https://example.com/a" });
    expect(res.status).toBe(201);
    const link = (await res.json()) as { slug: string };
    expect(link.slug).toMatch(/^[A-Za-z0-9]{7}$/);
    expect(res.headers.get("location")).toBe(`/api/links/${link.slug}`);
    expect(link).toEqual({
      slug: link.slug,
      url: "https://example.com/a",
      shortUrl: `http://edgekit.test/${link.slug}`,
      createdAt: "2030-01-01T00:00:00.000Z",
      updatedAt: "2030-01-01T00:00:00.000Z",
      expiresAt: null,
      maxClicks: null,
      clicks: 0,
      redirectStatus: 302,
      hasPassword: false,
      expiredUrl: null,
      forwardQuery: false,
      tags: [],
    });
  });

  it("keeps every setting of a custom link, and never shows the password", async () => {
    const link = await t.create({
      url: "https://example.com/b",
      slug: "Spring_sale-2030",
      expiresAt: "2030-02-01T00:00:00Z",
      maxClicks: 5,
      redirectStatus: 308,
      password: "open sesame",
      expiredUrl: "https://example.com/over",
      forwardQuery: true,
      tags: ["promo", "q1"],
    });
    expect(link).toMatchObject({
      slug: "Spring_sale-2030",
      expiresAt: "2030-02-01T00:00:00.000Z",
      maxClicks: 5,
      redirectStatus: 308,
      hasPassword: true,
      expiredUrl: "https://example.com/over",
      forwardQuery: true,
      tags: ["promo", "q1"],
    });
    expect(JSON.stringify(link)).not.toContain("sesame");
    expect(JSON.stringify(link)).not.toContain("pbkdf2");
  });

  it("stores the password as a salted PBKDF2 hash", async () => {
    await t.create({ url: "https://example.com/c", slug: "hashed", password: "open sesame" });
    const { redisCommand } = await import("../support.ts");
    const stored = await redisCommand<string>("HGET", `${t.bindings.KEY_PREFIX}edgekit:link:{hashed}`, "password");
    expect(stored).toMatch(/^pbkdf2-sha256\$100000\$[A-Za-z0-9+/=]{24}\$[A-Za-z0-9+/=]{44}$/);
  });

  it("builds short URLs on PUBLIC_URL when it is set", async () => {
    const link = await site.create({ url: "https://example.com/d" });
    expect(link.shortUrl).toBe(`https://sho.rt/${link.slug}`);
  });

  it("answers 409 for a taken slug and leaves the first link as it was", async () => {
    await t.create({ url: "https://example.com/first", slug: "taken" });
    const res = await t.api("POST", "/api/links", { url: "https://example.com/second", slug: "taken" });
    expect(res.status).toBe(409);
    expect(await res.json()).toEqual({
      type: "https://edgekit.dev/problems/conflict",
      title: "Conflict",
      status: 409,
      detail: 'The slug "taken" is taken. Choose another or leave it out.',
      instance: "/api/links",
    });
    const first = (await (await t.api("GET", "/api/links/taken")).json()) as { url: string };
    expect(first.url).toBe("https://example.com/first");
  });

  it("creates exactly one of 20 parallel requests for the same slug", async () => {
    const responses = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        t.api("POST", "/api/links", { url: `https://example.com/${i}`, slug: "race" }),
      ),
    );
    const statuses = responses.map((res) => res.status).sort();
    expect(statuses.filter((s) => s === 201)).toHaveLength(1);
    expect(statuses.filter((s) => s === 409)).toHaveLength(19);
  });

  it("writes the link in one round trip, rate-limit check included", async () => {
    await t.create({ url: "https://example.com/warm" });
    const { result, roundTrips } = await countRoundTrips(() =>
      t.api("POST", "/api/links", { url: "https://example.com/e" }),
    );
    expect(result.status).toBe(201);
    // The "create-link" check is folded into create-links.lua.
    expect(roundTrips).toBe(1);
  });
});

const long = `https://example.com/${"a".repeat(2030)}`;
const field = (path: string, message: string) => ({
  type: "https://edgekit.dev/problems/validation-failed",
  title: "Validation failed",
  status: 422,
  detail: `${path || "body"}: ${message}`,
  instance: "/api/links",
  errors: [{ path, message }],
});

describe("validation", () => {
  const cases: { name: string; body: unknown; expected: unknown }[] = [
    { name: "no url", body: {}, expected: field("url", "Invalid input: expected string, received undefined") },
    {
      name: "a javascript: url",
      body: { url: "javascript:alert(1)" },
      expected: field("url", "must use http or https"),
    },
    {
      name: "a data: url",
      body: { url: "data:text/html,<script>1</script>" },
      expected: field("url", "must use http or https"),
    },
    { name: "an ftp url", body: { url: "ftp://example.com/f" }, expected: field("url", "must use http or https") },
    {
      name: "a protocol-relative url",
      body: { url: "//evil.example/x" },
      expected: field("url", "must be an absolute http(s) URL (protocol-relative URLs are refused)"),
    },
    {
      name: "a relative url",
      body: { url: "/just/a/path" },
      expected: field("url", "must be an absolute http(s) URL"),
    },
    {
      name: "credentials in the url",
      body: { url: "https://user:pass@example.com/" },
      expected: field("url", "must not contain credentials (user:password@)"),
    },
    {
      name: "spaces in the url",
      body: { url: "https://example.com/a b" },
      expected: field("url", "must not contain spaces or control characters"),
    },
    {
      name: "a url over 2048 characters",
      body: { url: long },
      expected: field("url", "must be at most 2048 characters"),
    },
    {
      name: "a url on the service's own host",
      body: { url: "https://EDGEKIT.test:8443/loop" },
      expected: field("url", "must not point at this service's own host"),
    },
    {
      name: "an expiredUrl on the service's own host",
      body: { url: "https://example.com", expiredUrl: "http://edgekit.test/x" },
      expected: field("expiredUrl", "must not point at this service's own host"),
    },
    {
      name: "a slug with a slash",
      body: { url: "https://example.com", slug: "a/b" },
      expected: field("slug", "must be 1 to 64 of A-Z a-z 0-9 _ -"),
    },
    {
      name: "a slug of 65 characters",
      body: { url: "https://example.com", slug: "a".repeat(65) },
      expected: field("slug", "must be 1 to 64 of A-Z a-z 0-9 _ -"),
    },
    {
      name: "an empty slug",
      body: { url: "https://example.com", slug: "" },
      expected: field("slug", "must be 1 to 64 of A-Z a-z 0-9 _ -"),
    },
    {
      name: "a reserved slug",
      body: { url: "https://example.com", slug: "Docs" },
      expected: field("slug", "is reserved for the service's own pages"),
    },
    {
      name: "the api slug",
      body: { url: "https://example.com", slug: "api" },
      expected: field("slug", "is reserved for the service's own pages"),
    },
    {
      name: "an expiry that is not a date-time",
      body: { url: "https://example.com", expiresAt: "tomorrow" },
      expected: field("expiresAt", "must be an ISO 8601 date-time, e.g. 2026-12-31T23:59:59Z"),
    },
    {
      name: "an expiry in the past",
      body: { url: "https://example.com", expiresAt: "2029-12-31T23:59:59Z" },
      expected: field("expiresAt", "must be in the future"),
    },
    {
      name: "maxClicks of 0",
      body: { url: "https://example.com", maxClicks: 0 },
      expected: field("maxClicks", "must be at least 1"),
    },
    {
      name: "a fractional maxClicks",
      body: { url: "https://example.com", maxClicks: 1.5 },
      expected: field("maxClicks", "must be a whole number"),
    },
    {
      name: "redirectStatus 303",
      body: { url: "https://example.com", redirectStatus: 303 },
      expected: field("redirectStatus", "must be one of 301, 302, 307, 308"),
    },
    {
      name: "a short password",
      body: { url: "https://example.com", password: "abcdefg" },
      expected: field("password", "must be at least 8 characters"),
    },
    {
      name: "a non-boolean forwardQuery",
      body: { url: "https://example.com", forwardQuery: "yes" },
      expected: field("forwardQuery", "Invalid input: expected boolean, received string"),
    },
    {
      name: "eleven tags",
      body: { url: "https://example.com", tags: Array.from({ length: 11 }, (_, i) => `t${i}`) },
      expected: field("tags", "must hold at most 10 tags"),
    },
    {
      name: "a repeated tag",
      body: { url: "https://example.com", tags: ["a", "a"] },
      expected: field("tags", "must not repeat a tag"),
    },
    {
      name: "a tag with odd characters",
      body: { url: "https://example.com", tags: ["<b>"] },
      expected: field("tags.0", "must be 1 to 32 of A-Z a-z 0-9 space _ . : -"),
    },
    {
      name: "an unknown field",
      body: { url: "https://example.com", slugg: "x" },
      expected: field("", 'Unrecognized key: "slugg"'),
    },
  ];

  it.each(cases)("refuses $name with a 422 naming the field", async ({ body, expected }) => {
    const res = await t.api("POST", "/api/links", body);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect(await res.json()).toEqual(expected);
  });

  it("writes nothing to Redis for an invalid link", async () => {
    const before = await keysWithPrefix(`${t.bindings.KEY_PREFIX}edgekit:link`);
    await t.api("POST", "/api/links", { url: "javascript:alert(1)", slug: "never" });
    await t.api("POST", "/api/links", { url: "https://example.com", slug: "never", expiresAt: "2000-01-01T00:00:00Z" });
    expect(await keysWithPrefix(`${t.bindings.KEY_PREFIX}edgekit:link`)).toEqual(before);
  });

  it("needs the admin token", async () => {
    const res = await t.request("/api/links", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ url: "https://example.com" }),
    });
    expect(res.status).toBe(401);
  });
});
