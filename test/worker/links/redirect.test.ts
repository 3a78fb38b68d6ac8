import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import { cleanup, countRoundTrips } from "../support.ts";
import { browser, linksApp } from "./helpers.ts";

const clock = manualClock(Date.now());
const t = linksApp("redirect", { clock });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const follow = (path: string, headers: Record<string, string> = browser()) =>
  t.request(path, { headers, redirect: "manual" });

describe("GET /{slug}", () => {
  it("redirects with 302 and no-store by default", async () => {
    const link = await t.create({ url: "https://example.com/a" });
    const res = await follow(`/${link.slug}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/a");
    expect(res.headers.get("cache-control")).toBe("no-store");
  });

  it.each([301, 307, 308])("answers the link's own status %i", async (redirectStatus) => {
    const link = await t.create({ url: "https://example.com/s", redirectStatus });
    const res = await follow(`/${link.slug}`);
    expect(res.status).toBe(redirectStatus);
  });

  it("lets browsers cache an unlimited permanent redirect for five minutes only", async () => {
    const link = await t.create({ url: "https://example.com/p", redirectStatus: 301 });
    expect((await follow(`/${link.slug}`)).headers.get("cache-control")).toBe("private, max-age=300");
    const limited = await t.create({ url: "https://example.com/p", redirectStatus: 308, maxClicks: 5 });
    expect((await follow(`/${limited.slug}`)).headers.get("cache-control")).toBe("no-store");
  });

  it("forwards the query string when forwardQuery is on, keeping the target's own query and fragment", async () => {
    const link = await t.create({ url: "https://example.com/page?ref=1#top", forwardQuery: true });
    const res = await follow(`/${link.slug}?utm_source=mail&x=%20y`);
    expect(res.headers.get("location")).toBe("https://example.com/page?ref=1&utm_source=mail&x=%20y#top");
    const plain = await t.create({ url: "https://example.com/page" });
    expect((await follow(`/${plain.slug}?utm_source=mail`)).headers.get("location")).toBe("https://example.com/page");
  });

  it("costs exactly one Redis round trip for the link itself", async () => {
    const link = await t.create({ url: "https://example.com/rt" });
    await follow(`/${link.slug}`); // loads the script into Redis's cache
    const { result, roundTrips } = await countRoundTrips(() => follow(`/${link.slug}`));
    expect(result.status).toBe(302);
    // The "redirect" rate-limit check runs inside follow-link.lua (#5: spend "route", folded), so
    // the check costs no extra round trip.
    expect(roundTrips).toBe(1);
  });

  it("shows a small HTML 404 page for an unknown slug, and problem+json to JSON clients", async () => {
    const res = await follow("/nosuchlink");
    expect(res.status).toBe(404);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(await res.text()).toContain("Link not found");
    const json = await follow("/nosuchlink", { accept: "application/json" });
    expect(json.status).toBe(404);
    expect(await json.json()).toEqual({
      type: "https://edgekit.dev/problems/not-found",
      title: "Not found",
      status: 404,
      detail: 'There is no link "nosuchlink".',
      instance: "/nosuchlink",
    });
  });

  it("answers 404 without touching Redis for a slug longer than any slug can be", async () => {
    // Once first, so the rate-limit script is cached in Redis (a fresh server costs it NOSCRIPT + EVAL).
    await follow(`/${"b".repeat(65)}`);
    const { result, roundTrips } = await countRoundTrips(() => follow(`/${"a".repeat(65)}`));
    expect(result.status).toBe(404);
    expect(roundTrips).toBeLessThanOrEqual(1); // the rate-limit check only
  });

  it("never shadows the service's own routes", async () => {
    expect((await t.request("/healthz")).status).toBe(200);
    expect((await t.request("/openapi.json")).headers.get("content-type")).toContain("application/json");
    expect((await t.request("/docs")).status).toBe(200);
  });
});

describe("expiry", () => {
  it("redirects until expiresAt, then answers 410 Gone", async () => {
    const link = await t.create({
      url: "https://example.com/e",
      expiresAt: new Date(clock.now() + 60_000).toISOString(),
    });
    expect((await follow(`/${link.slug}`)).status).toBe(302);
    clock.advance(60_000);
    const res = await follow(`/${link.slug}`);
    expect(res.status).toBe(410);
    expect(await res.text()).toContain("has expired");
    clock.advance(-60_000);
  });

  it("sends visitors of an expired link to its expiredUrl when it has one", async () => {
    const link = await t.create({
      url: "https://example.com/e",
      expiresAt: new Date(clock.now() + 1000).toISOString(),
      expiredUrl: "https://example.com/sorry",
    });
    clock.advance(1000);
    const res = await follow(`/${link.slug}`);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/sorry");
    expect(res.headers.get("cache-control")).toBe("no-store");
    clock.advance(-1000);
  });
});

describe("maxClicks", () => {
  it("gives exactly 10 redirects out of 50 parallel requests to a link with maxClicks 10", async () => {
    const link = await t.create({ url: "https://example.com/m", maxClicks: 10 });
    const responses = await Promise.all(
      Array.from({ length: 50 }, (_, i) => follow(`/${link.slug}`, browser(`198.51.100.${i}`))),
    );
    const statuses = responses.map((res) => res.status);
    expect(statuses.filter((status) => status === 302)).toHaveLength(10);
    expect(statuses.filter((status) => status === 410)).toHaveLength(40);
    const after = (await (await t.api("GET", `/api/links/${link.slug}`)).json()) as { clicks: number };
    expect(after.clicks).toBe(10);
  });

  it("counts bots against maxClicks too, so a crawler's claim cannot reopen a one-time link", async () => {
    const link = await t.create({ url: "https://example.com/once", maxClicks: 1 });
    const bot = await follow(`/${link.slug}`, { "user-agent": "Slackbot-LinkExpanding 1.0" });
    expect(bot.status).toBe(302);
    expect((await follow(`/${link.slug}`)).status).toBe(410);
    expect((await follow(`/${link.slug}`, { "user-agent": "Googlebot/2.1" })).status).toBe(410);
  });

  it("sends the clicks over the limit to expiredUrl", async () => {
    const link = await t.create({ url: "https://example.com/m", maxClicks: 1, expiredUrl: "https://example.com/full" });
    expect((await follow(`/${link.slug}`)).headers.get("location")).toBe("https://example.com/m");
    expect((await follow(`/${link.slug}`)).headers.get("location")).toBe("https://example.com/full");
  });
});
