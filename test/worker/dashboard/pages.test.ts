import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { experimentKeys } from "../../../src/lib/experiments/keys.ts";
import { flagKeys } from "../../../src/lib/flags/keys.ts";
import { ADMIN_TOKEN, cleanup, countRoundTrips, redisCommand, testApp } from "../support.ts";
import { getPage, postForm, signIn } from "./session.ts";
import { xmlProblems } from "./xml.ts";

const t = testApp("dashboard-pages", { bindings: { RATE_LIMITS: JSON.stringify({ "admin-login": { limit: 1000 } }) } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX as string));

let cookie: string;
beforeAll(async () => {
  cookie = await signIn(t);
});

const page = (path: string) => getPage(t, path, cookie);
const post = (path: string, fields: Record<string, string>) => postForm(t, path, cookie, fields);

/** Every inline <svg> of a page. */
const svgs = (html: string) => html.match(/<svg[\s\S]*?<\/svg>/g) ?? [];

describe("every dashboard page", () => {
  it.each([
    ["/admin/links", 3],
    // listFlags issues HGETALL and GET in one tick but costs two requests here (reported to #flags).
    ["/admin/flags", 4],
    ["/admin/experiments", 3],
    ["/admin/views", 3],
  ])("%s renders empty in %i round trips: rate limit, session, then the page's reads", async (path, expected) => {
    await page(path); // the first use of a script costs a NOSCRIPT answer and an EVAL
    const { result, roundTrips } = await countRoundTrips(() => page(path));
    expect(result.status).toBe(200);
    expect(result.headers.get("content-type")).toMatch(/^text\/html/);
    expect(result.headers.get("cache-control")).toBe("no-store");
    expect(roundTrips).toBe(expected);
  });
});

describe("the links pages", () => {
  it("refuse a bad target with the field's message and keep what was typed", async () => {
    const res = await post("/admin/links", { url: "javascript:alert(1)", slug: "bad-one" });
    expect(res.status).toBe(422);
    const html = await res.text();
    expect(html).toContain("url: must use http or https");
    expect(html).toContain('value="bad-one"');
  });

  it("create a link and show it, with a sparkline in the list and a daily chart on its page", async () => {
    const res = await post("/admin/links", { url: "https://example.com/a?b=1&c=2", slug: "dash-1", maxClicks: "5" });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/links/dash-1?done=created");
    expect((await t.request("/dash-1", { redirect: "manual" })).status).toBe(302);

    await page("/admin/links/dash-1"); // loads the stats script
    const listed = await countRoundTrips(() => page("/admin/links"));
    expect(listed.roundTrips).toBe(5); // limit, session, index page, records, stats
    const detailed = await countRoundTrips(() => page("/admin/links/dash-1"));
    // limit, session, then record, stats and QR check, issued in one tick: two requests measured
    expect(detailed.roundTrips).toBe(4);
    const list = await listed.result.text();
    expect(list).toMatch(/<tr data-slug="dash-1">[\s\S]*?<td class="num" data-clicks="true">1<\/td>/);
    const detail = await (await page("/admin/links/dash-1")).text();
    expect(detail).toContain("https://example.com/a?b=1&amp;c=2");
    expect(detail).toContain("Human clicks per day on dash-1");
    for (const svg of svgs(detail)) expect(xmlProblems(svg)).toEqual([]);
    expect(svgs(detail).length).toBe(4); // QR, daily chart, referrers, countries
  });

  it("answer 409 with the reason when the slug is taken", async () => {
    const res = await post("/admin/links", { url: "https://example.com", slug: "dash-1" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("The slug &quot;dash-1&quot; is taken.");
  });

  it("answer 404 pages for links that do not exist or cannot", async () => {
    expect((await page("/admin/links/nope")).status).toBe(404);
    expect((await page("/admin/links/not%20a%20slug")).status).toBe(404);
  });
});

describe("the flags pages", () => {
  it("kill a flag with its switch, escape its description, and record who did it", async () => {
    const put = await t.request("/api/flags/dash-flag", {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        description: '<script>alert("x")</script>',
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "off",
        rollout: { percentage: 50, variant: "on" },
      }),
    });
    expect(put.status).toBe(201);
    const { updatedAt } = (await put.json()) as { updatedAt: number };

    const list = await (await page("/admin/flags")).text();
    expect(list).not.toContain("<script>alert");
    expect(list).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");

    const res = await post("/admin/flags/dash-flag/enabled", {
      enabled: "false",
      seen: String(updatedAt),
      back: "flag",
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/admin/flags/dash-flag");
    const detail = await (await page("/admin/flags/dash-flag")).text();
    expect(detail).toContain("reason <code>DISABLED</code>");
    // The ADMIN_TOKEN signed in: the history names the root credential, "admin".
    expect(detail).toMatch(/<td>admin<\/td><td><div>turned off<\/div>/);
  });

  it("refuse an edit made from a stale page with 409, changing nothing", async () => {
    const res = await post("/admin/flags/dash-flag/rollout", { percentage: "10", variant: "on", seen: "1" });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain("was changed meanwhile. Reload the page and try again.");
    const stored = await redisCommand<string>(
      "HGET",
      flagKeys({ KEY_PREFIX: t.bindings.KEY_PREFIX ?? "" }).flags,
      "dash-flag",
    );
    expect(JSON.parse(stored).rollout).toEqual({ percentage: 50, variant: "on" });
  });

  it("refuse a rollout the flag's schema refuses, with its message", async () => {
    const flag = JSON.parse(
      await redisCommand<string>("HGET", flagKeys({ KEY_PREFIX: t.bindings.KEY_PREFIX ?? "" }).flags, "dash-flag"),
    );
    const res = await post("/admin/flags/dash-flag/rollout", {
      percentage: "10",
      variant: "missing",
      seen: String(flag.updatedAt),
    });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("variant &quot;missing&quot; is not defined in variants (on, off)");
  });
});

describe("the experiments pages", () => {
  it("show results per variant with a bar chart, lift, p-value, and warn of a sample ratio mismatch", async () => {
    const put = await t.request("/api/experiments/dash-exp", {
      method: "PUT",
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, "content-type": "application/json" },
      body: JSON.stringify({
        variants: [
          { name: "control", weight: 1 },
          { name: "treatment", weight: 1 },
        ],
        status: "running",
        goals: ["signup"],
      }),
    });
    expect(put.status).toBe(201);
    // Counts as the assignment and conversion scripts keep them, skewed on purpose (5200 vs 4800).
    const keys = experimentKeys({ KEY_PREFIX: t.bindings.KEY_PREFIX ?? "" }, "dash-exp");
    await redisCommand("HSET", keys.units, "control", 5200, "treatment", 4800);
    await redisCommand("HSET", keys.conversions, "signup:control", 520, "signup:treatment", 624);

    await page("/admin/experiments/dash-exp"); // Redis learns the results script (EVALSHA falls back to EVAL once)
    const results = await countRoundTrips(() => page("/admin/experiments/dash-exp"));
    // limit, session, then the results snapshot (one script reads definition and counters)
    expect(results.roundTrips).toBe(3);
    const html = await results.result.text();
    expect(html).toContain("Sample ratio mismatch");
    expect(html).toContain("Conversion rate per variant for signup");
    expect(html).toContain('<td class="num">10.00%</td>');
    expect(html).toContain('<td class="num">13.00%</td>');
    expect(html).toContain("+30.0%");
    for (const svg of svgs(html)) expect(xmlProblems(svg)).toEqual([]);
    const listed = await countRoundTrips(() => page("/admin/experiments"));
    expect(listed.roundTrips).toBe(4); // limit, session, index, definitions
    const list = await listed.result.text();
    expect(list).toContain('<a href="/admin/experiments/dash-exp">dash-exp</a>');
  });
});

describe("the views page", () => {
  it("shows the top pages and the daily chart of the top one", async () => {
    for (const who of ["1.1.1.1", "2.2.2.2"]) {
      await t.request("/api/views/%2Fpricing", {
        method: "POST",
        headers: { "cf-connecting-ip": who, "user-agent": "Mozilla/5.0 (X11; Linux x86_64) Chrome/131" },
      });
    }
    const { result, roundTrips } = await countRoundTrips(() => page("/admin/views?period=30d"));
    expect(roundTrips).toBe(4); // limit, session, top pages, the top page's days
    const html = await result.text();
    expect(html).toContain("Most viewed pages, 30d");
    expect(html).toContain("Views per day of /pricing");
    for (const svg of svgs(html)) expect(xmlProblems(svg)).toEqual([]);
  });
});
