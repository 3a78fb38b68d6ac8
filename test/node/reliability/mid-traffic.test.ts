import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ADMIN_TOKEN, eventually, type OutageStack, startOutageStack } from "./stack.ts";

const RATE_LIMITS = JSON.stringify(
  Object.fromEntries(["default", "redirect", "count-view", "create-link"].map((name) => [name, { limit: 1_000_000 }])),
);
const admin = { authorization: `Bearer ${ADMIN_TOKEN}` };
const json = { "content-type": "application/json" };
const ua = { "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/130.0" };

let stack: OutageStack;
beforeAll(async () => {
  stack = await startOutageStack({ RATE_LIMITS });
}, 60_000);
afterAll(() => stack?.stop());

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Every link slug the admin list holds, page by page. */
async function listedSlugs(): Promise<Set<string>> {
  const slugs = new Set<string>();
  let cursor: string | undefined;
  do {
    const res = await stack.request(`/api/links?limit=100${cursor ? `&cursor=${cursor}` : ""}`, { headers: admin });
    const page = (await res.json()) as { links: { slug: string }[]; nextCursor?: string | null };
    for (const link of page.links) slugs.add(link.slug);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return slugs;
}

describe("the proxy stopped and started again in the middle of traffic", () => {
  it("loses no acknowledged write, half-writes nothing, and answers only successes or 503 problems", async () => {
    const created = await stack.request("/api/links", {
      method: "POST",
      headers: { ...admin, ...json },
      body: JSON.stringify({ url: "https://example.com/traffic" }),
    });
    const { slug } = (await created.json()) as { slug: string };

    const tally = { clicks: { ok: 0, failed: 0 }, views: { ok: 0, failed: 0 } };
    const creations: { slug: string; status: number }[] = [];
    const unexpected: string[] = [];
    let running = true;
    let n = 0;

    const check = async (res: Response, ok: number, what: string) => {
      if (res.status === ok) return true;
      const body = await res.text();
      const problem = res.status === 503 && res.headers.get("retry-after") !== null && body.includes('"status":503');
      if (!problem) unexpected.push(`${what} -> ${res.status} ${body.slice(0, 200)}`);
      return false;
    };
    const worker = async () => {
      while (running) {
        const i = n++;
        const ip = `10.9.${(i >> 8) & 255}.${i & 255}`;
        const kind = i % 3;
        if (kind === 0) {
          const res = await stack.request(`/${slug}`, { headers: { ...ua, "cf-connecting-ip": ip } });
          tally.clicks[(await check(res, 302, "redirect")) ? "ok" : "failed"]++;
        } else if (kind === 1) {
          const res = await stack.request("/api/views/traffic", {
            method: "POST",
            headers: { ...ua, "cf-connecting-ip": ip },
          });
          tally.views[(await check(res, 200, "view")) ? "ok" : "failed"]++;
        } else {
          const custom = `traffic-${i}`;
          const res = await stack.request("/api/links", {
            method: "POST",
            headers: { ...admin, ...json },
            body: JSON.stringify({ slug: custom, url: `https://example.com/${custom}`, tags: ["traffic"] }),
          });
          await check(res, 201, "create link");
          creations.push({ slug: custom, status: res.status });
        }
      }
    };

    const workers = Array.from({ length: 8 }, worker);
    await sleep(700);
    await stack.stopProxy();
    await sleep(700);
    await stack.startProxy();
    await sleep(700);
    running = false;
    await Promise.all(workers);

    expect(unexpected).toEqual([]);
    // The outage was seen, and traffic flowed around it.
    expect(tally.clicks.failed + tally.views.failed).toBeGreaterThan(0);
    expect(tally.clicks.ok * tally.views.ok).toBeGreaterThan(0);
    expect(await eventually(async () => (await stack.request("/healthz")).status === 200)).toBe(true);

    // A 503 may come after Redis applied the write (the answer was lost on the way back), never
    // before an acknowledged one: every acknowledged click and view is counted.
    const link = (await (await stack.request(`/api/links/${slug}`, { headers: admin })).json()) as { clicks: number };
    expect(link.clicks).toBeGreaterThanOrEqual(tally.clicks.ok);
    expect(link.clicks).toBeLessThanOrEqual(tally.clicks.ok + tally.clicks.failed);
    const views = (await (await stack.request("/api/views/traffic")).json()) as { views: number };
    expect(views.views).toBeGreaterThanOrEqual(tally.views.ok);
    expect(views.views).toBeLessThanOrEqual(tally.views.ok + tally.views.failed);

    // Every link is whole or absent: readable with its url and tags, and listed, exactly when it exists.
    const listed = await listedSlugs();
    for (const { slug: custom, status } of creations) {
      const res = await stack.request(`/api/links/${custom}`, { headers: admin });
      if (status === 201) expect(res.status, custom).toBe(200);
      if (res.status === 200) {
        expect(await res.json()).toMatchObject({ url: `https://example.com/${custom}`, tags: ["traffic"], clicks: 0 });
        expect(listed.has(custom), custom).toBe(true);
      } else {
        expect(res.status, custom).toBe(404);
        expect(listed.has(custom), custom).toBe(false);
      }
    }
  });
});
