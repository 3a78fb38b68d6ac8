import { afterAll, describe, expect, it } from "vitest";
import { adminHeaders, cleanup, countRoundTrips, jsonHeaders } from "../support.ts";
import { fromIp, limitedApp } from "./helpers.ts";

const t = limitedApp("ratelimit-hot", {
  redirect: { limit: 3, window: 3600 },
  "create-link": { limit: 1000 },
  "unlock-link": { limit: 2, window: 3600 },
  "bulk-create-links": { limit: 5, window: 3600 },
  "count-view": { limit: 3, window: 3600 },
  "admin-login": { limit: 2 },
});
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const BROWSER = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 Chrome/126.0 Safari/537.36" };

async function createLink(body: Record<string, unknown>): Promise<string> {
  const res = await t.request("/api/links", {
    method: "POST",
    headers: adminHeaders(jsonHeaders()),
    body: JSON.stringify(body),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { slug: string }).slug;
}

async function clicks(slug: string): Promise<number> {
  const res = await t.request(`/api/links/${slug}`, { headers: adminHeaders() });
  return ((await res.json()) as { clicks: number }).clicks;
}

describe("the redirect hot path", () => {
  it("checks the redirect policy inside the redirect script: one round trip in all", async () => {
    const slug = await createLink({ url: "https://example.com/hot" });
    await t.request(`/${slug}`, { headers: fromIp("198.18.0.1", BROWSER) }); // loads the scripts
    const { result, roundTrips } = await countRoundTrips(() =>
      t.request(`/${slug}`, { headers: fromIp("198.18.0.2", BROWSER) }),
    );
    expect(result.status).toBe(302);
    expect(roundTrips).toBe(1);
    expect(result.headers.get("ratelimit-policy")).toBe('"redirect";q=3;w=3600');
    expect(result.headers.get("ratelimit")).toMatch(/^"redirect";r=2;t=\d+$/);
  });

  it("refuses the fourth redirect with a 429 and counts no click for it", async () => {
    const slug = await createLink({ url: "https://example.com/limited", maxClicks: 100 });
    const ip = "198.18.0.3";
    for (let i = 0; i < 3; i++)
      expect((await t.request(`/${slug}`, { headers: fromIp(ip, BROWSER) })).status).toBe(302);
    const before = await clicks(slug);
    const refused = await t.request(`/${slug}`, { headers: fromIp(ip, BROWSER) });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("location")).toBeNull();
    expect(((await refused.json()) as { policy: string }).policy).toBe("redirect");
    expect(await clicks(slug)).toBe(before);
  });

  it("answers the flood that follows from the block cache, with no round trip", async () => {
    const slug = await createLink({ url: "https://example.com/flood" });
    const ip = "198.18.0.4";
    for (let i = 0; i < 4; i++) await t.request(`/${slug}`, { headers: fromIp(ip, BROWSER) });
    const { result, roundTrips } = await countRoundTrips(() =>
      Promise.all(Array.from({ length: 20 }, () => t.request(`/${slug}`, { headers: fromIp(ip, BROWSER) }))),
    );
    expect(result.every((res) => res.status === 429)).toBe(true);
    expect(roundTrips).toBe(0);
  });

  it("lets exactly 3 of 12 concurrent redirects from one client through", async () => {
    const slug = await createLink({ url: "https://example.com/concurrent" });
    const responses = await Promise.all(
      Array.from({ length: 12 }, () => t.request(`/${slug}`, { headers: fromIp("198.18.0.5", BROWSER) })),
    );
    expect(responses.filter((res) => res.status === 302)).toHaveLength(3);
    expect(responses.filter((res) => res.status === 429)).toHaveLength(9);
  });

  it("still spends one unit for a slug that cannot exist, and says so in the headers", async () => {
    const res = await t.request("/no-such-link-here", { headers: fromIp("198.18.0.6", BROWSER) });
    expect(res.status).toBe(404);
    expect(res.headers.get("ratelimit")).toMatch(/^"redirect";r=2;t=\d+$/);
  });

  it("limits password attempts on a protected link under unlock-link", async () => {
    const slug = await createLink({ url: "https://example.com/secret", password: "correct horse" });
    const attempt = () =>
      t.request(`/${slug}`, {
        method: "POST",
        headers: fromIp("198.18.0.7", { ...BROWSER, "content-type": "application/x-www-form-urlencoded" }),
        body: "password=guess",
      });
    expect((await attempt()).status).toBe(401);
    expect((await attempt()).status).toBe(401);
    const refused = await attempt();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-policy")).toBe('"unlock-link";q=2;w=3600');
  });
});

describe("the view-count hot path", () => {
  const view = (page: string, ip: string) =>
    t.request(`/api/views/${page}`, { method: "POST", headers: fromIp(ip, BROWSER) });

  it("checks count-view inside the counting script: one round trip in all", async () => {
    await view("warm-up", "198.18.1.1"); // loads the script
    const { result, roundTrips } = await countRoundTrips(() => view("hot-page", "198.18.1.2"));
    expect(result.status).toBe(200);
    expect(roundTrips).toBe(1);
    expect(result.headers.get("ratelimit")).toMatch(/^"count-view";r=2;t=\d+$/);
  });

  it("refuses the fourth view with a 429 and counts no view for it, also through ?url=", async () => {
    const ip = "198.18.1.3";
    // One IP, a new browser each time: distinct visitors (no dedup), one rate-limit identifier.
    const from = (n: number) => fromIp(ip, { "user-agent": `${BROWSER["user-agent"]} Build/${n}` });
    const view = (n: number) => t.request("/api/views/limited-page", { method: "POST", headers: from(n) });
    for (let n = 1; n <= 3; n++) expect((await view(n)).status).toBe(200);
    const refused = await view(4);
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { policy: string }).policy).toBe("count-view");
    const byUrl = await t.request("/api/views?url=https%3A%2F%2Fexample.com%2Fx", { method: "POST", headers: from(5) });
    expect(byUrl.status).toBe(429);
    const read = await t.request("/api/views/limited-page");
    expect(((await read.json()) as { views: number }).views).toBe(3);
  });
});

describe("the dashboard sign-in", () => {
  it("limits token guesses under admin-login", async () => {
    const guess = () =>
      t.request("/admin/login", {
        method: "POST",
        headers: fromIp("198.18.2.1", {
          "content-type": "application/x-www-form-urlencoded",
          origin: "http://edgekit.test",
        }),
        body: "token=not-the-admin-token-at-all",
      });
    expect((await guess()).status).not.toBe(429);
    expect((await guess()).status).not.toBe(429);
    const refused = await guess();
    expect(refused.status).toBe(429);
    expect(refused.headers.get("ratelimit-policy")).toBe('"admin-login";q=2;w=600');
  });
});

describe("bulk link creation", () => {
  const bulk = (n: number, tag: string) =>
    t.request("/api/links/bulk", {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({
        links: Array.from({ length: n }, (_, i) => ({ url: `https://example.com/${tag}/${i}` })),
      }),
    });

  it("spends one unit per link, refuses a bulk that does not fit whole, and creates none of it", async () => {
    const first = await bulk(3, "a");
    expect(first.status).toBe(200);
    expect(first.headers.get("ratelimit")).toMatch(/^"bulk-create-links";r=2;t=\d+$/);
    const refused = await bulk(3, "b");
    expect(refused.status).toBe(429);
    expect(((await refused.json()) as { policy: string }).policy).toBe("bulk-create-links");
    const list = await t.request("/api/links?limit=100", { headers: adminHeaders() });
    const urls = ((await list.json()) as { links: { url: string }[] }).links.map((link) => link.url);
    expect(urls.filter((url) => url.includes("/b/"))).toEqual([]);
    // What is left still fits.
    expect((await bulk(2, "c")).status).toBe(200);
  });

  it("still spends one unit for a bulk that fails validation", async () => {
    const res = await t.request("/api/links/bulk", {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ links: [] }),
    });
    expect(res.status).toBe(422);
    expect(res.headers.get("ratelimit-policy")).toBe('"bulk-create-links";q=5;w=3600');
  });
});

describe("the policy table", () => {
  it.each([
    ["POST", "/api/experiments/no-such-test/conversions", '"conversions";q=60;w=60'],
    ["POST", "/api/sessions", '"create-session";q=10;w=60'],
    ["GET", "/api/views/some-page", '"default";q=120;w=60'],
    ["HEAD", "/healthz", '"default";q=120;w=60'],
  ])("applies to %s %s the policy %s", async (method, path, policy) => {
    const res = await t.request(path, {
      method,
      headers: fromIp("198.18.3.1", jsonHeaders()),
      body: method === "POST" ? "{}" : undefined,
    });
    expect(res.headers.get("ratelimit-policy")).toBe(policy);
  });
});

describe("the OpenAPI document", () => {
  it("lists the quota routes as management routes with their scopes", async () => {
    const spec = (await (await t.request("/openapi.json")).json()) as {
      paths: Record<string, Record<string, { security?: unknown[] }>>;
    };
    const path = spec.paths["/api/ratelimit/{identifier}"];
    expect(Object.keys(path ?? {}).sort()).toEqual(["delete", "get"]);
    expect(path?.get?.security).toEqual([{ bearerAuth: ["ratelimit:read"] }]);
    expect(path?.delete?.security).toEqual([{ bearerAuth: ["ratelimit:write"] }]);
  });
});
