import { afterAll, describe, expect, it } from "vitest";
import { cleanup, countRoundTrips } from "../support.ts";
import { browser, linksApp } from "./helpers.ts";

const t = linksApp("password");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const form = (slug: string, password: string, query = "") =>
  t.request(`/${slug}${query}`, {
    method: "POST",
    headers: { ...browser(), "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams({ password }).toString(),
    redirect: "manual",
  });
const clicks = async (slug: string) =>
  ((await (await t.api("GET", `/api/links/${slug}`)).json()) as { clicks: number }).clicks;

describe("password links", () => {
  it("answer GET with the password form and count no click", async () => {
    await t.create({ url: "https://example.com/secret", slug: "locked", password: "open sesame" });
    const res = await t.request("/locked?ref=x", { headers: browser(), redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    expect(res.headers.get("cache-control")).toBe("no-store");
    const html = await res.text();
    expect(html).toContain('<form method="post" action="/locked?ref=x">');
    expect(html).toContain('name="password"');
    expect(html).not.toContain("example.com/secret");
    expect(await clicks("locked")).toBe(0);
  });

  it("escape the query string they echo into the form's action", async () => {
    const res = await t.app.request(
      new Request('http://edgekit.test/locked?a="><script>alert(1)</script>', { headers: browser() }),
      undefined,
      t.bindings,
    );
    const html = await res.text();
    expect(html).not.toContain("<script>");
    expect(html).toMatch(/action="\/locked\?a=[^"<>]*"/);
  });

  it("re-render the form with 401 for a wrong password, counting no click", async () => {
    const res = await form("locked", "guess");
    expect(res.status).toBe(401);
    expect(await res.text()).toContain("That password is not right");
    expect(await clicks("locked")).toBe(0);
  });

  it("redirect with the right password and count the click", async () => {
    const res = await form("locked", "open sesame");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("https://example.com/secret");
    expect(await clicks("locked")).toBe(1);
  });

  it("stop accepting the old password once it is changed, and open up when it is removed", async () => {
    await t.api("PATCH", "/api/links/locked", { password: "new secret" });
    expect((await form("locked", "open sesame")).status).toBe(401);
    expect((await form("locked", "new secret")).status).toBe(302);
    await t.api("PATCH", "/api/links/locked", { password: null });
    expect((await t.request("/locked", { headers: browser(), redirect: "manual" })).status).toBe(302);
  });

  it("answer an unknown slug's form post with the 404 page after the same hashing work", async () => {
    const res = await form("nobody-here", "whatever");
    expect(res.status).toBe(404);
    expect(await res.text()).toContain("Link not found");
  });

  it("check the password in one round trip and redirect in one more", async () => {
    await t.create({ url: "https://example.com/rt", slug: "locked-rt", password: "open sesame" });
    await form("locked-rt", "open sesame");
    const { result, roundTrips } = await countRoundTrips(() => form("locked-rt", "open sesame"));
    expect(result.status).toBe(302);
    // Rate-limit check (default policy), the stored hash, the redirect script.
    expect(roundTrips).toBe(3);
  });
});
