import { afterAll, describe, expect, it } from "vitest";
import { manualClock } from "../../../src/lib/clock.ts";
import {
  adminHeaders,
  cleanup,
  countRoundTrips,
  jsonHeaders,
  keysWithPrefix,
  redisCommand,
  testApp,
} from "../support.ts";
import { flagInput } from "./fixtures.ts";

const clock = manualClock(Date.UTC(2026, 0, 1));
// A high default limit: these tests send more admin requests a minute than the default policy allows.
const t = testApp("flags-admin", { clock, bindings: { RATE_LIMITS: '{"default":{"limit":100000}}' } });
afterAll(() => cleanup(t.bindings.KEY_PREFIX ?? ""));

const put = (key: string, body: unknown, headers: Record<string, string> = {}) =>
  t.request(`/api/flags/${key}`, {
    method: "PUT",
    headers: adminHeaders(jsonHeaders(headers)),
    body: JSON.stringify(body),
  });
const get = (path: string) => t.request(path, { headers: adminHeaders() });

describe("PUT /api/flags/{key}", () => {
  it("creates a flag with 201, fills in the salt and records when", async () => {
    const res = await put("beta-banner", flagInput({ description: "The beta banner" }));
    expect(res.status).toBe(201);
    expect(await res.json()).toEqual({
      key: "beta-banner",
      description: "The beta banner",
      enabled: true,
      type: "boolean",
      variants: { on: true, off: false },
      defaultVariant: "off",
      allow: [],
      deny: [],
      rules: [],
      salt: "beta-banner",
      updatedAt: clock.now(),
    });
  });

  it("replaces an existing flag with 200", async () => {
    await put("replace-me", flagInput());
    const res = await put("replace-me", flagInput({ enabled: false, salt: "s2" }));
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ enabled: false, salt: "s2" });
  });

  it("costs one round trip: one script writes flag, history and version", async () => {
    await put("one-trip", flagInput());
    const baseline = await countRoundTrips(() => get("/api/flags/nope/none"));
    const { result, roundTrips } = await countRoundTrips(() => put("one-trip", flagInput({ enabled: false })));
    expect(result.status).toBe(200);
    // Whatever app-wide middleware (the rate limit) costs on any route, plus one EVALSHA.
    expect(roundTrips).toBe(baseline.roundTrips + 1);
  });

  const validation = (errors: { path: string; message: string }[]) => ({
    type: "https://edgekit.dev/problems/validation-failed",
    title: "Validation failed",
    status: 422,
    detail: `${errors[0]?.path}: ${errors[0]?.message}`,
    instance: expect.stringMatching(/^\/api\/flags\//),
    errors,
  });

  const cases: {
    name: string;
    key?: string;
    body: unknown;
    headers?: Record<string, string>;
    errors: { path: string; message: string }[];
  }[] = [
    {
      name: "a key with a slash-free but invalid character",
      key: "bad*key",
      body: flagInput(),
      errors: [{ path: "param.key", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }],
    },
    {
      name: "a key over 128 characters",
      key: "k".repeat(129),
      body: flagInput(),
      errors: [{ path: "param.key", message: "use 1 to 128 of A-Z a-z 0-9 _ . -" }],
    },
    {
      name: "a variant value of the wrong type",
      body: flagInput({ variants: { on: true, off: "no" } }),
      errors: [{ path: "variants.off", message: "a boolean flag's variants must be true or false" }],
    },
    {
      name: "a default variant that does not exist",
      body: flagInput({ defaultVariant: "maybe" }),
      errors: [{ path: "defaultVariant", message: 'variant "maybe" is not defined in variants (on, off)' }],
    },
    {
      name: "a rollout variant that does not exist",
      body: flagInput({ rollout: { percentage: 10, variant: "yes" } }),
      errors: [{ path: "rollout.variant", message: 'variant "yes" is not defined in variants (on, off)' }],
    },
    {
      name: "a rule variant that does not exist",
      body: flagInput({ rules: [{ attribute: "plan", operator: "in", values: ["pro"], variant: "gold" }] }),
      errors: [{ path: "rules.0.variant", message: 'variant "gold" is not defined in variants (on, off)' }],
    },
    {
      name: "a percentage over 100",
      body: flagInput({ rollout: { percentage: 101, variant: "on" } }),
      errors: [{ path: "rollout.percentage", message: "Too big: expected number to be <=100" }],
    },
    {
      name: "a percentage with three decimals",
      body: flagInput({ rollout: { percentage: 33.333, variant: "on" } }),
      errors: [{ path: "rollout.percentage", message: "use at most two decimals" }],
    },
    {
      name: "an allow list without a rollout",
      body: flagInput({ allow: ["user-1"] }),
      errors: [
        {
          path: "allow",
          message: "allowed ids get rollout.variant: set a rollout (percentage 0 lets in only the allow list)",
        },
      ],
    },
    {
      name: "a deny list over 10,000 ids",
      body: flagInput({ deny: Array.from({ length: 10_001 }, (_, i) => `u${i}`) }),
      errors: [{ path: "deny", message: "at most 10000 ids" }],
    },
    {
      name: "duplicate ids",
      body: flagInput({ deny: ["u1", "u1"] }),
      errors: [{ path: "deny", message: "ids must be unique" }],
    },
    {
      name: "an unknown operator",
      body: flagInput({ rules: [{ attribute: "plan", operator: "like", values: ["p"], variant: "on" }] }),
      errors: [
        {
          path: "rules.0.operator",
          message:
            'Invalid option: expected one of "in"|"not_in"|"equals"|"starts_with"|"ends_with"|"contains"|"gt"|"lt"|"semver_gt"|"semver_lt"',
        },
      ],
    },
    {
      name: "a gt rule with a string value",
      body: flagInput({ rules: [{ attribute: "age", operator: "gt", values: ["18"], variant: "on" }] }),
      errors: [{ path: "rules.0.values.0", message: "gt compares numbers: use a number" }],
    },
    {
      name: "a semver rule with a loose version",
      body: flagInput({ rules: [{ attribute: "app", operator: "semver_gt", values: ["v1.2"], variant: "on" }] }),
      errors: [{ path: "rules.0.values.0", message: 'semver_gt needs a semantic version like "1.2.3"' }],
    },
    {
      name: "an unknown field (a typo)",
      body: flagInput({ rollOut: { percentage: 5, variant: "on" } }),
      errors: [{ path: "", message: 'Unrecognized key: "rollOut"' }],
    },
    {
      name: "no variants",
      body: flagInput({ variants: {}, defaultVariant: "on" }),
      errors: [
        { path: "variants", message: "define at least one variant" },
        { path: "defaultVariant", message: 'variant "on" is not defined in variants ()' },
      ],
    },
    {
      name: "a variant name with a space",
      body: flagInput({ variants: { "on now": true, off: false } }),
      errors: [{ path: "variants.on now", message: "use 1 to 64 of A-Z a-z 0-9 _ . -" }],
    },
    {
      name: "an array as an object flag's value",
      body: flagInput({ type: "object", variants: { on: [1], off: {} } }),
      errors: [
        { path: "variants.on", message: "a object flag's variants must be a JSON object of at most 16384 bytes" },
      ],
    },
    {
      name: "a salt over 128 characters",
      body: flagInput({ salt: "s".repeat(129) }),
      errors: [{ path: "salt", message: "Too big: expected string to have <=128 characters" }],
    },
  ];

  it.each(cases)("refuses $name with 422 and writes nothing", async ({ key = "invalid", body, headers, errors }) => {
    const res = await put(key, body, headers);
    expect(res.status).toBe(422);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    const expected = validation(errors);
    if (errors[0]?.path === "") expected.detail = `body: ${errors[0].message}`;
    expect(await res.json()).toEqual(expected);
    expect(await redisCommand("HEXISTS", `${t.bindings.KEY_PREFIX}edgekit:{flags}`, key)).toBe(0);
  });

  it("refuses a request without the admin token", async () => {
    const res = await t.request("/api/flags/x", {
      method: "PUT",
      headers: jsonHeaders(),
      body: JSON.stringify(flagInput()),
    });
    expect(res.status).toBe(401);
  });
});

describe("reading and deleting", () => {
  it("reads a flag back as stored, and 404s an unknown one", async () => {
    await put("read-me", flagInput({ type: "number", variants: { low: 1, high: 2.5 }, defaultVariant: "low" }));
    const res = await get("/api/flags/read-me");
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ key: "read-me", variants: { low: 1, high: 2.5 } });
    const missing = await get("/api/flags/not-there");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({
      type: "https://edgekit.dev/problems/not-found",
      title: "Not found",
      status: 404,
      detail: 'There is no flag "not-there".',
      instance: "/api/flags/not-there",
    });
  });

  it("lists every flag sorted by key with the flag-set version", async () => {
    const res = await get("/api/flags");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { version: number; flags: { key: string }[]; unreadable: unknown[] };
    const keys = body.flags.map((f) => f.key);
    expect(keys).toEqual([...keys].sort());
    expect(keys).toContain("read-me");
    expect(body.version).toBe(Number(await redisCommand("GET", `${t.bindings.KEY_PREFIX}edgekit:{flags}:version`)));
    expect(body.unreadable).toEqual([]);
  });

  it("deletes a flag with 204, then 404s", async () => {
    await put("delete-me", flagInput());
    const del = () => t.request("/api/flags/delete-me", { method: "DELETE", headers: adminHeaders() });
    expect((await del()).status).toBe(204);
    expect((await get("/api/flags/delete-me")).status).toBe(404);
    expect((await del()).status).toBe(404);
  });

  it("keeps every key under the namespace and the {flags} hash tag", async () => {
    const keys = await keysWithPrefix(t.bindings.KEY_PREFIX ?? "");
    const namespace = `${t.bindings.KEY_PREFIX}edgekit:`;
    const flagKeys = keys.filter((k) => k.slice(namespace.length).includes("flags"));
    expect(flagKeys.length).toBeGreaterThan(2);
    for (const key of flagKeys) expect(key.startsWith(`${t.bindings.KEY_PREFIX}edgekit:{flags}`)).toBe(true);
  });
});

describe("GET /api/flags/{key}/history", () => {
  it("records who changed what and when, newest first, before and after; a claimed X-Actor is ignored", async () => {
    clock.set(Date.UTC(2026, 1, 1));
    await put("audited", flagInput());
    clock.advance(60_000);
    await put("audited", flagInput({ enabled: false }), { "x-actor": "alice@example.com" });
    clock.advance(60_000);
    await t.request("/api/flags/audited", { method: "DELETE", headers: adminHeaders({ "x-actor": "bob" }) });

    const res = await get("/api/flags/audited/history");
    expect(res.status).toBe(200);
    const { key, entries } = (await res.json()) as {
      key: string;
      entries: {
        at: number;
        actor: string;
        version: number;
        before: { enabled: boolean } | null;
        after: { enabled: boolean } | null;
      }[];
    };
    expect(key).toBe("audited");
    expect(entries.map(({ at, actor }) => ({ at, actor }))).toEqual([
      // The admin token authenticated both: the history names it, whatever the header claimed.
      { at: Date.UTC(2026, 1, 1) + 120_000, actor: "admin" },
      { at: Date.UTC(2026, 1, 1) + 60_000, actor: "admin" },
      { at: Date.UTC(2026, 1, 1), actor: "admin" },
    ]);
    expect(entries[2]?.before).toBeNull();
    expect(entries[2]?.after?.enabled).toBe(true);
    expect(entries[1]?.before?.enabled).toBe(true);
    expect(entries[1]?.after?.enabled).toBe(false);
    expect(entries[0]?.before?.enabled).toBe(false);
    expect(entries[0]?.after).toBeNull();
    // Versions strictly increase with each write.
    const versions = entries.map((entry) => entry.version);
    expect(versions).toEqual([...versions].sort((a, b) => b - a));
    expect(new Set(versions).size).toBe(3);
  });

  it("keeps empty lists as lists in the audit entries", async () => {
    await put("empty-lists", flagInput());
    const res = await get("/api/flags/empty-lists/history?limit=1");
    const { entries } = (await res.json()) as { entries: { after: { allow: unknown; rules: unknown } }[] };
    expect(entries).toHaveLength(1);
    expect(entries[0]?.after.allow).toEqual([]);
    expect(entries[0]?.after.rules).toEqual([]);
  });

  it("caps the trail at 100 entries", async () => {
    await Promise.all(Array.from({ length: 105 }, () => put("busy", flagInput())));
    const { entries } = (await (await get("/api/flags/busy/history")).json()) as { entries: unknown[] };
    expect(entries).toHaveLength(100);
    expect(await redisCommand("LLEN", `${t.bindings.KEY_PREFIX}edgekit:{flags}:history:busy`)).toBe(100);
  });

  it("bumps the version exactly once per write under concurrency", async () => {
    const version = async () => Number(await redisCommand("GET", `${t.bindings.KEY_PREFIX}edgekit:{flags}:version`));
    const before = await version();
    const results = await Promise.all(Array.from({ length: 20 }, (_, i) => put(`parallel-${i % 4}`, flagInput())));
    expect(results.filter((r) => r.status === 201)).toHaveLength(4);
    expect(results.filter((r) => r.status === 200)).toHaveLength(16);
    expect(await version()).toBe(before + 20);
  });

  it("404s a key that was never written", async () => {
    expect((await get("/api/flags/never/history")).status).toBe(404);
  });
});
