import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { cleanup, testApp } from "../support.ts";
import { formHeaders, getPage, postForm, signIn } from "./session.ts";

/**
 * Every dashboard form's validation: the lib's field errors come back as an HTML page (never JSON)
 * with the message next to the field it belongs to (`data-error-for`), what was typed kept.
 */
const t = testApp("dashboard-forms", {
  bindings: { RATE_LIMITS: JSON.stringify({ "admin-login": { limit: 1000 }, default: { limit: 100_000 } }) },
});
afterAll(() => cleanup(t.bindings.KEY_PREFIX as string));

let cookie: string;
beforeAll(async () => {
  cookie = await signIn(t);
});

const get = (path: string) => getPage(t, path, cookie);
const post = (path: string, fields: Record<string, string>) => postForm(t, path, cookie, fields);

/** The message shown next to field `name`, or undefined when it has none. */
function errorFor(html: string, name: string): string | undefined {
  const escaped = name.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
  const match = new RegExp(`data-error-for="${escaped}">([^<]*)<`).exec(html);
  return match?.[1]
    ?.replaceAll("&quot;", '"')
    .replaceAll("&#39;", "'")
    .replaceAll("&lt;", "<")
    .replaceAll("&gt;", ">")
    .replaceAll("&amp;", "&");
}

/** A valid new boolean flag, as the create form posts it. */
const newFlag = (key: string, extra: Record<string, string> = {}) => ({
  key,
  type: "boolean",
  enabled: "on",
  "variants.0.name": "on",
  "variants.0.value": "true",
  "variants.1.name": "off",
  "variants.1.value": "false",
  defaultVariant: "off",
  rolloutPercentage: "",
  rolloutVariant: "on",
  action: "save",
  ...extra,
});

describe("the new-flag form", () => {
  it.each([
    ["a key outside the alphabet", { key: "no spaces" }, "key", "use 1 to 128 of A-Z a-z 0-9 _ . -"],
    ["a value that is not a boolean", { "variants.0.value": "yes" }, "variants.0.value", "type true or false"],
    [
      "a string in a number flag",
      { type: "number", "variants.0.value": "1", "variants.1.value": "many" },
      "variants.1.value",
      "type a number, e.g. 42 or 0.5",
    ],
    [
      "an object flag's value that is no object",
      { type: "object", "variants.0.value": '{"a":1}', "variants.1.value": "[1]" },
      "variants.1.value",
      "a object flag's variants must be a JSON object of at most 16384 bytes",
    ],
    [
      "a default that is no variant",
      { defaultVariant: "maybe" },
      "defaultVariant",
      'variant "maybe" is not defined in variants (on, off)',
    ],
    ["a rollout over 100%", { rolloutPercentage: "120" }, "rolloutPercentage", "Too big: expected number to be <=100"],
    [
      "an allow list without a rollout",
      { allow: "vip-1" },
      "allow",
      "allowed ids get rollout.variant: set a rollout (percentage 0 lets in only the allow list)",
    ],
    ["a repeated id", { allow: "a\na", rolloutPercentage: "0" }, "allow", "ids must be unique"],
    [
      "a numeric rule with a word",
      { "rules.0.attribute": "age", "rules.0.operator": "gt", "rules.0.values": "old", "rules.0.variant": "on" },
      "rules.0.values",
      "gt compares numbers: one number per line",
    ],
    [
      "a rule serving an unknown variant",
      // Row 0 is blank (dropped), so the lib's rules.0 is the form's row 1.
      { "rules.0.attribute": "", "rules.1.attribute": "plan", "rules.1.values": "pro", "rules.1.variant": "gold" },
      "rules.1.variant",
      'variant "gold" is not defined in variants (on, off)',
    ],
    [
      "a semver rule without a version",
      {
        "rules.0.attribute": "app",
        "rules.0.operator": "semver_gt",
        "rules.0.values": "latest",
        "rules.0.variant": "on",
      },
      "rules.0.values",
      'semver_gt needs a semantic version like "1.2.3"',
    ],
    ["a variant named twice", { "variants.1.name": "on" }, "variants.1.name", '"on" is named twice'],
  ])("refuses %s next to the field", async (_name, fields, field, message) => {
    const res = await post("/admin/flags/new", newFlag("form-flag", fields));
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const html = await res.text();
    expect(errorFor(html, field)).toBe(message);
    expect(html).toContain("Nothing was saved:");
    expect((await get("/admin/flags/form-flag")).status).toBe(404);
  });

  it("creates the flag, then refuses the same key with 409 next to the key", async () => {
    const created = await post("/admin/flags/new", newFlag("form-flag"));
    expect(created.status).toBe(303);
    expect(created.headers.get("location")).toBe("/admin/flags/form-flag?saved=1");
    const again = await post("/admin/flags/new", newFlag("form-flag"));
    expect(again.status).toBe(409);
    expect(errorFor(await again.text(), "key")).toBe('a flag "form-flag" exists: pick another key or edit that one');
  });

  it("moves a rule with the Up button and shows the form again unsaved", async () => {
    const res = await post(
      "/admin/flags/new",
      newFlag("form-moved", {
        "rules.0.attribute": "plan",
        "rules.0.values": "free",
        "rules.0.variant": "off",
        "rules.1.attribute": "country",
        "rules.1.values": "DE",
        "rules.1.variant": "on",
        action: "up:1",
      }),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toMatch(/id="f-rules-0-attribute" name="rules.0.attribute" type="text" value="country"/);
    expect(html).toMatch(/id="f-rules-1-attribute" name="rules.1.attribute" type="text" value="plan"/);
    expect((await get("/admin/flags/form-moved")).status).toBe(404);
  });
});

describe("the flag editor", () => {
  it("refuses a save from a stale page with 409 and keeps what was typed", async () => {
    const res = await post(
      "/admin/flags/form-flag/edit",
      newFlag("form-flag", { seen: "1", description: "typed meanwhile" }),
    );
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain("was changed meanwhile");
    expect(html).toContain('value="typed meanwhile"');
  });

  it("asks before deleting, then deletes", async () => {
    const ask = await post("/admin/flags/form-flag/delete", {});
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain("Delete flag form-flag?");
    const done = await post("/admin/flags/form-flag/delete", { confirm: "yes" });
    expect(done.status).toBe(303);
    expect((await get("/admin/flags/form-flag")).status).toBe(404);
  });

  it("shows a context that cannot be read next to the evaluation, not a JSON page", async () => {
    await post("/admin/flags/new", newFlag("form-eval"));
    const res = await get("/admin/flags/form-eval?targetingKey=u&attributes=%7Bnot+json");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("Attributes: that is not valid JSON");
  });
});

const newExperiment = (key: string, extra: Record<string, string> = {}) => ({
  key,
  status: "draft",
  "variants.0.name": "control",
  "variants.0.weight": "50",
  "variants.1.name": "bold",
  "variants.1.weight": "50",
  coverage: "100",
  goals: "purchase",
  action: "save",
  ...extra,
});

describe("the experiment forms", () => {
  it.each([
    [
      "weights that add up to 90",
      { "variants.1.weight": "40" },
      "weights",
      "the weights add up to 90: they must add up to 100",
    ],
    ["a weight of 0", { "variants.1.weight": "0" }, "variants.1.weight", "type a share in percent, more than 0"],
    [
      "one variant",
      { "variants.0.weight": "100", "variants.1.name": "", "variants.1.weight": "" },
      "variants",
      "at least 2 variants",
    ],
    ["a coverage over 100%", { coverage: "150" }, "coverage", "type a percentage from 0 to 100"],
    ["no goal", { goals: "" }, "goals", "at least 1 goal"],
    ["a variant name with a colon", { "variants.1.name": "a:b" }, "variants.1.name", "use 1 to 64 of A-Z a-z 0-9 _ -"],
    ["a key outside the alphabet", { key: "a b" }, "key", "use 1 to 128 of A-Z a-z 0-9 _ . -"],
  ])("refuses %s next to the field", async (_name, fields, field, message) => {
    const res = await post("/admin/experiments/new", newExperiment("form-exp", fields));
    expect(res.status).toBe(422);
    expect(errorFor(await res.text(), field)).toBe(message);
  });

  it("creates a running experiment and asks before pausing or completing it", async () => {
    const created = await post("/admin/experiments/new", newExperiment("form-exp", { status: "running" }));
    expect(created.status).toBe(303);
    const ask = await post("/admin/experiments/form-exp/status", { status: "paused" });
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain("no new unit is assigned");
    const paused = await post("/admin/experiments/form-exp/status", { status: "paused", confirm: "yes" });
    expect(paused.status).toBe(303);
    const resumed = await post("/admin/experiments/form-exp/status", { status: "running" });
    expect(resumed.status).toBe(303); // resuming needs no confirmation
    const completed = await post("/admin/experiments/form-exp/status", {
      status: "completed",
      confirm: "yes",
      winner: "nobody",
    });
    expect(completed.status).toBe(422);
    expect(await completed.text()).toContain("must be one of the variants");
  });

  it("refuses removing a variant that holds units with 409 next to the variants", async () => {
    await t.request("/api/experiments/form-exp/assignment", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ unitId: "u-1" }),
    });
    const results = await (
      await t.request("/api/experiments/form-exp/results", {
        headers: { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}` },
      })
    ).json();
    const holder = (results as { variants: { name: string; units: number }[] }).variants.find((v) => v.units > 0);
    const keep = holder?.name === "control" ? "bold" : "control";
    const res = await post("/admin/experiments/form-exp/edit", {
      "variants.0.name": keep,
      "variants.0.weight": "100",
      coverage: "100",
      goals: "purchase",
      action: "save",
    });
    // One variant left: the schema's "at least 2" comes before the script's in-use check.
    expect(res.status).toBe(422);
    expect(errorFor(await res.text(), "variants")).toBe("at least 2 variants");
    const swapped = await post("/admin/experiments/form-exp/edit", {
      "variants.0.name": keep,
      "variants.0.weight": "50",
      "variants.1.name": "third",
      "variants.1.weight": "50",
      coverage: "100",
      goals: "purchase",
      action: "save",
    });
    expect(swapped.status).toBe(409);
    expect(await swapped.text()).toContain("variants may be added or reweighted, not removed");
  });
});

describe("the link forms", () => {
  beforeAll(async () => {
    await post("/admin/links", { url: "https://example.com/", slug: "form-link" });
  });

  it.each([
    ["a target that is no URL", { url: "nope" }, "url", "must be an absolute http(s) URL"],
    [
      "a fallback to a script",
      { url: "https://example.com", expiredUrl: "javascript:x" },
      "expiredUrl",
      "must use http or https",
    ],
    ["max clicks of 0", { url: "https://example.com", maxClicks: "0" }, "maxClicks", "must be at least 1"],
    [
      "a tag with a slash",
      { url: "https://example.com", tags: "a/b" },
      "tags",
      "must be 1 to 32 of A-Z a-z 0-9 space _ . : -",
    ],
    ["a repeated tag", { url: "https://example.com", tags: "a, a" }, "tags", "must not repeat a tag"],
    [
      "an unknown redirect status",
      { url: "https://example.com", redirectStatus: "303" },
      "redirectStatus",
      "must be one of 301, 302, 307, 308",
    ],
    [
      "an expiry that is no date",
      { url: "https://example.com", expiresAt: "soon" },
      "expiresAt",
      "must be an ISO 8601 date-time, e.g. 2026-12-31T23:59:59Z",
    ],
  ])("edit refuses %s next to the field", async (_name, fields, field, message) => {
    const res = await post("/admin/links/form-link/edit", fields);
    expect(res.status).toBe(422);
    expect(errorFor(await res.text(), field)).toBe(message);
  });

  it("refuses a short password next to the field, then sets and removes one", async () => {
    const short = await post("/admin/links/form-link/password", { password: "short", action: "set" });
    expect(short.status).toBe(422);
    expect(errorFor(await short.text(), "password")).toBe("must be at least 8 characters");
    const set = await post("/admin/links/form-link/password", { password: "long enough", action: "set" });
    expect(set.headers.get("location")).toBe("/admin/links/form-link?done=protected");
    expect((await t.request("/form-link", { redirect: "manual" })).status).toBe(200); // the password form
    const removed = await post("/admin/links/form-link/password", { action: "remove" });
    expect(removed.headers.get("location")).toBe("/admin/links/form-link?done=public");
    expect((await t.request("/form-link", { redirect: "manual" })).status).toBe(302);
  });

  it.each([
    ["an unknown column", "url,slug,color\nhttps://example.com,x,red", 'unknown column "color"'],
    ["no rows", "url,slug\n", "paste at least one row: url,slug"],
    [
      "more than 100 rows",
      Array.from({ length: 101 }, (_, i) => `https://example.com/${i}`).join("\n"),
      "at most 100 rows at a time (got 101)",
    ],
  ])("bulk refuses %s for the whole paste", async (_name, csv, message) => {
    const res = await post("/admin/bulk-links", { csv });
    expect(res.status).toBe(422);
    expect(errorFor(await res.text(), "csv")).toContain(message);
  });

  it("bulk reports each bad row with its line and creates the others", async () => {
    const csv = [
      "url,slug,maxClicks",
      "https://example.com/1,form-bulk-1,",
      "https://example.com/2,form-bulk-2,zero",
      '"https://example.com/3?a=1,2",form-bulk-3,5',
      "https://example.com/4,form-link,",
    ].join("\n");
    const res = await post("/admin/bulk-links", { csv });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("2 created, 2 errors");
    expect(html).toMatch(
      /data-line="3" data-ok="false">[\s\S]*?maxClicks: Invalid input: expected number, received string/,
    );
    expect(html).toMatch(/data-line="5" data-ok="false">[\s\S]*?The slug &quot;form-link&quot; is taken./);
    const link = await (
      await t.request("/api/links/form-bulk-3", { headers: { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}` } })
    ).json();
    expect(link).toMatchObject({ url: "https://example.com/3?a=1,2", maxClicks: 5 });
  });

  it("create refuses a bad slug next to the field", async () => {
    const res = await post("/admin/links", { url: "https://example.com", slug: "has space" });
    expect(res.status).toBe(422);
    expect(errorFor(await res.text(), "slug")).toBe("must be 1 to 64 of A-Z a-z 0-9 _ -");
  });

  it("asks before deleting a link", async () => {
    const ask = await post("/admin/links/form-link/delete", {});
    expect(await ask.text()).toContain("Delete link form-link?");
    const done = await post("/admin/links/form-link/delete", { confirm: "yes" });
    expect(done.status).toBe(303);
    expect((await get("/admin/links/form-link")).status).toBe(404);
  });

  it("filters the list by tag and by text", async () => {
    await post("/admin/bulk-links", {
      csv: "url,slug,tags\nhttps://example.com/t1,form-tag-1,red\nhttps://example.com/t2,form-tag-2,blue",
    });
    const red = await (await get("/admin/links?tag=red")).text();
    expect(red).toContain('data-slug="form-tag-1"');
    expect(red).not.toContain('data-slug="form-tag-2"');
    const text = await (await get("/admin/links?q=example.com/t2")).text();
    expect(text).toContain('data-slug="form-tag-2"');
    expect(text).not.toContain('data-slug="form-tag-1"');
  });
});

describe("the bulk form's quota", () => {
  const small = testApp("dashboard-forms-bulk", {
    bindings: {
      RATE_LIMITS: JSON.stringify({ "admin-login": { limit: 1000 }, "bulk-create-links": { limit: 3, refill: 3 } }),
    },
  });
  afterAll(() => cleanup(small.bindings.KEY_PREFIX as string));

  it("spends one unit per row, as POST /api/links/bulk, and says so inline when over", async () => {
    const smallCookie = await signIn(small);
    const paste = (csv: string) =>
      small.request("/admin/bulk-links", {
        method: "POST",
        headers: formHeaders({ cookie: smallCookie }),
        body: new URLSearchParams({ csv }).toString(),
      });
    expect((await paste("https://example.com/1\nhttps://example.com/2")).status).toBe(200);
    const over = await paste("https://example.com/3\nhttps://example.com/4");
    expect(over.status).toBe(429);
    expect(over.headers.get("content-type")).toMatch(/^text\/html/);
    expect(errorFor(await over.text(), "csv")).toMatch(/^over the bulk-create-links limit/);
  });
});

describe("the sessions and rate-limit forms", () => {
  it.each([
    ["/admin/sessions?userId=has%20space", "userId", "1-128 printable ASCII characters, no spaces or braces"],
    ["/admin/sessions?userId=edgekit%3Aadmin", "userId", 'Ids starting "edgekit:" are reserved'],
    [
      "/admin/ratelimits?identifier=ip%3A999.1.1.1",
      "identifier",
      "Use admin, key:<key id>, user:<id> or ip:<address> (IPv6 as its /64, e.g. ip:2001:db8:0:1::/64)",
    ],
  ])("%s is refused next to the field", async (path, field, message) => {
    const res = await get(path);
    expect(res.status).toBe(422);
    expect(
      errorFor(await res.text(), field)
        ?.replaceAll("&lt;", "<")
        .replaceAll("&gt;", ">"),
    ).toBe(message);
  });

  it("refuses a revoke with a handle that is no handle", async () => {
    const res = await post("/admin/sessions/revoke", { userId: "bob", handle: "nope" });
    expect(res.status).toBe(422);
    expect(await res.text()).toContain("handle: not a session handle");
  });

  it("revokes only the session named, and only the user's", async () => {
    const make = () =>
      t.request("/api/sessions", {
        method: "POST",
        headers: { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}`, "content-type": "application/json" },
        body: JSON.stringify({ userId: "bob" }),
      });
    await make();
    await make();
    const listed = (await (
      await t.request("/api/users/bob/sessions", { headers: { authorization: `Bearer ${t.bindings.ADMIN_TOKEN}` } })
    ).json()) as { sessions: { handle: string }[] };
    const handle = listed.sessions[0]?.handle as string;
    // Another user's id with bob's handle ends nothing.
    const wrong = await post("/admin/sessions/revoke", { userId: "carol", handle });
    expect(await wrong.text()).toContain("That session had already ended.");
    const right = await post("/admin/sessions/revoke", { userId: "bob", handle });
    const html = await right.text();
    expect(html).toContain("Session revoked.");
    expect(html).toContain('data-sessions="1"');
    expect(html).not.toContain(`data-handle="${handle}"`);
  });

  it("keeps every new form behind the dashboard's CSRF check", async () => {
    for (const path of [
      "/admin/bulk-links",
      "/admin/flags/new",
      "/admin/sessions/revoke-all",
      "/admin/ratelimits/reset",
    ]) {
      const res = await t.request(path, {
        method: "POST",
        headers: { cookie, "content-type": "application/x-www-form-urlencoded", origin: "https://evil.example" },
        body: "csv=x&userId=bob&identifier=admin",
        redirect: "manual",
      });
      expect(res.status, path).toBe(403);
    }
  });
});
