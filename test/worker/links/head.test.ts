import { afterAll, describe, expect, it } from "vitest";
import { cleanup } from "../support.ts";
import { browser, linksApp } from "./helpers.ts";

const t = linksApp("head");
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const head = (slug: string) => t.request(`/${slug}`, { method: "HEAD", headers: browser(), redirect: "manual" });
const get = (slug: string) => t.request(`/${slug}`, { headers: browser(), redirect: "manual" });
const clicks = async (slug: string) =>
  ((await (await t.api("GET", `/api/links/${slug}`)).json()) as { clicks: number }).clicks;

describe("HEAD /{slug}", () => {
  it("answers the redirect a GET would, without counting a click", async () => {
    await t.create({ url: "https://example.com/head", slug: "head-plain", redirectStatus: 307 });
    for (let i = 0; i < 3; i++) {
      const res = await head("head-plain");
      expect(res.status).toBe(307);
      expect(res.headers.get("location")).toBe("https://example.com/head");
      expect(await res.text()).toBe("");
    }
    expect(await clicks("head-plain")).toBe(0);
  });

  it("spends none of maxClicks: a link scanner's HEAD leaves a one-click link for its person", async () => {
    await t.create({ url: "https://example.com/once", slug: "head-once", maxClicks: 1 });
    expect((await head("head-once")).status).toBe(302);
    expect((await head("head-once")).status).toBe(302);
    const visit = await get("head-once");
    expect(visit.status).toBe(302);
    expect(visit.headers.get("location")).toBe("https://example.com/once");
    expect((await get("head-once")).status).toBe(410);
    expect((await head("head-once")).status).toBe(410);
  });

  it("answers 200 for a password link and 404 for none, like GET", async () => {
    await t.create({ url: "https://example.com/p", slug: "head-locked", password: "open sesame" });
    expect((await head("head-locked")).status).toBe(200);
    expect((await head("head-nobody")).status).toBe(404);
  });
});
