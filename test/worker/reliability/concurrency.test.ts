import { afterAll, describe, expect, it } from "vitest";
import { SESSION_LIMITS } from "../../../src/lib/sessions/session.ts";
import { adminHeaders, cleanup, jsonHeaders } from "../support.ts";
import { asAdmin, browser, expectStatus, ORIGIN, reliabilityApp, send, sessionToken } from "./helpers.ts";

/** Every claim here is checked under this many requests in flight at once. */
const N = 200;

// Exact counts are under test here, not latency: a generous Redis timeout keeps 200 requests
// queued behind one another on a loaded 2-core machine from turning into 503s.
const PATIENT = { REDIS_TIMEOUT_MS: "10000" };
const t = reliabilityApp("concurrency", { bindings: PATIENT });
// The same app with small quotas: the limits are what is under test there.
const limited = reliabilityApp("concurrency-limits", {
  bindings: {
    ...PATIENT,
    RATE_LIMITS: JSON.stringify({
      redirect: { limit: 37, window: 3600 },
      "count-view": { limit: 41, window: 3600 },
      "create-link": { limit: 23, window: 3600 },
      "create-session": { limit: 29, refill: 1, window: 3600 },
      conversions: { limit: 31, window: 3600 },
      default: { limit: 43, window: 3600 },
    }),
  },
});
afterAll(async () => {
  await cleanup(t.bindings.KEY_PREFIX ?? "");
  await cleanup(limited.bindings.KEY_PREFIX ?? "");
});

const parallel = <T>(count: number, fn: (i: number) => Promise<T>) =>
  Promise.all(Array.from({ length: count }, (_, i) => fn(i)));

/** How many responses had each status. */
const tally = (responses: Response[]) => {
  const counts: Record<number, number> = {};
  for (const res of responses) counts[res.status] = (counts[res.status] ?? 0) + 1;
  return counts;
};

const ipOf = (i: number) => `10.77.${i >> 8}.${i & 255}`;

describe(`${N} parallel requests`, () => {
  it("count every click of a link exactly", async () => {
    const link = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://ok.example/" }),
      201,
    );
    const responses = await parallel(N, (i) =>
      t.request(`/${link.slug}`, { headers: browser(ipOf(i)), redirect: "manual" }),
    );
    expect(tally(responses)).toEqual({ 302: N });
    expect(await expectStatus(asAdmin(t, "GET", `/api/links/${link.slug}`), 200)).toMatchObject({ clicks: N });
  });

  it("never let a link exceed maxClicks", async () => {
    const link = await expectStatus<{ slug: string }>(
      asAdmin(t, "POST", "/api/links", { url: "https://ok.example/", maxClicks: 57 }),
      201,
    );
    const responses = await parallel(N, (i) =>
      t.request(`/${link.slug}`, { headers: browser(ipOf(i)), redirect: "manual" }),
    );
    expect(tally(responses)).toEqual({ 302: 57, 410: N - 57 });
    expect(await expectStatus(asAdmin(t, "GET", `/api/links/${link.slug}`), 200)).toMatchObject({ clicks: 57 });
  });

  it("count every view of a page exactly, uniques included", async () => {
    const responses = await parallel(N, (i) =>
      t.request("/api/views/parallel-page", { method: "POST", headers: browser(ipOf(i)) }),
    );
    expect(tally(responses)).toEqual({ 200: N });
    const read = await expectStatus<{ views: number; range: { uniques: number } }>(
      t.request("/api/views/parallel-page"),
      200,
    );
    // Uniques are a HyperLogLog estimate: within 2% at this size.
    expect(read.views).toBe(N);
    expect(Math.abs(read.range.uniques - N)).toBeLessThanOrEqual(N * 0.02);
  });

  it("keep an experiment's assignment sticky and count one exposure per unit", async () => {
    await expectStatus(
      asAdmin(t, "PUT", "/api/experiments/parallel", {
        variants: [
          { name: "a", weight: 34 },
          { name: "b", weight: 33 },
          { name: "c", weight: 33 },
        ],
        status: "running",
        goals: ["buy"],
      }),
      201,
    );
    // One unit asked N times at once, then N units asked twice each at once.
    const same = await parallel(N, () => send(t, "POST", "/api/experiments/parallel/assignment", { unitId: "same" }));
    const sameVariants = await Promise.all(
      same.map(async (res) => ((await res.json()) as { variant: string }).variant),
    );
    expect(new Set(sameVariants).size).toBe(1);
    const many = await parallel(2 * N, (i) =>
      send(t, "POST", "/api/experiments/parallel/assignment", { unitId: `unit-${i % N}` }),
    );
    const variants = await Promise.all(many.map(async (res) => ((await res.json()) as { variant: string }).variant));
    for (let i = 0; i < N; i++) expect(variants[i + N], `unit-${i}`).toBe(variants[i]);

    // N duplicate conversions of one unit count once; N units' conversions count N.
    await parallel(N, () => send(t, "POST", "/api/experiments/parallel/conversions", { unitId: "same", goal: "buy" }));
    await parallel(N, (i) =>
      send(t, "POST", "/api/experiments/parallel/conversions", { unitId: `unit-${i}`, goal: "buy" }),
    );
    const results = await expectStatus<{ variants: { units: number; goals: { buy: { conversions: number } } }[] }>(
      asAdmin(t, "GET", "/api/experiments/parallel/results"),
      200,
    );
    const units = results.variants.reduce((sum, v) => sum + v.units, 0);
    const conversions = results.variants.reduce((sum, v) => sum + v.goals.buy.conversions, 0);
    expect({ units, conversions }).toEqual({ units: N + 1, conversions: N + 1 });
  });

  it("bump the flag-set version once per write and audit every write", async () => {
    const before = await expectStatus<{ version: number }>(asAdmin(t, "GET", "/api/flags"), 200);
    const responses = await parallel(N, (i) =>
      asAdmin(t, "PUT", "/api/flags/parallel", {
        enabled: true,
        type: "string",
        variants: { v: `value-${i}` },
        defaultVariant: "v",
      }),
    );
    expect(tally(responses)).toEqual({ 201: 1, 200: N - 1 });
    const after = await expectStatus<{ version: number }>(asAdmin(t, "GET", "/api/flags"), 200);
    expect(after.version - before.version).toBe(N);
    const history = await expectStatus<{ entries: { version: number }[] }>(
      asAdmin(t, "GET", "/api/flags/parallel/history?limit=100"),
      200,
    );
    // The newest 100 writes (the cap), each with its own version, none lost or repeated.
    const versions = history.entries.map((entry) => entry.version);
    expect(versions).toEqual(Array.from({ length: 100 }, (_, i) => after.version - i));
  });

  it("keep every accepted session patch and accept exactly as many fields as a session holds", async () => {
    const created = await t.request(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ userId: "parallel-user" }),
    });
    const cookie = { cookie: `__Host-session=${sessionToken(created)}`, origin: ORIGIN };
    const responses = await parallel(N, (i) =>
      t.request(`${ORIGIN}/api/sessions/current`, {
        method: "PATCH",
        headers: jsonHeaders(cookie),
        body: JSON.stringify({ data: { [`f${i}`]: i } }),
      }),
    );
    // The field limit is checked inside the patch script: no race lets a 33rd field in.
    expect(tally(responses)).toEqual({ 200: SESSION_LIMITS.maxFields, 422: N - SESSION_LIMITS.maxFields });
    const accepted = responses.flatMap((res, i) => (res.status === 200 ? [[`f${i}`, i] as const] : []));
    const session = await expectStatus<{ data: Record<string, number> }>(
      t.request(`${ORIGIN}/api/sessions/current`, { headers: cookie }),
      200,
    );
    expect(session.data).toEqual(Object.fromEntries(accepted));
  });
});

describe(`${N} parallel requests racing for one thing`, () => {
  it("create a custom slug exactly once; the others get a 409 and nothing is overwritten", async () => {
    const responses = await parallel(N, (i) =>
      asAdmin(t, "POST", "/api/links", { slug: "raced", url: `https://ok.example/${i}` }),
    );
    expect(tally(responses)).toEqual({ 201: 1, 409: N - 1 });
    const winner = responses.findIndex((res) => res.status === 201);
    expect(await expectStatus(asAdmin(t, "GET", "/api/links/raced"), 200)).toMatchObject({
      url: `https://ok.example/${winner}`,
    });
  });

  it("rotate a session once: one new cookie, and the old one and every loser dead", async () => {
    const created = await t.request(`${ORIGIN}/api/sessions`, {
      method: "POST",
      headers: adminHeaders(jsonHeaders()),
      body: JSON.stringify({ userId: "rotate-race" }),
    });
    const old = sessionToken(created);
    const cookie = (token: string) => ({ cookie: `__Host-session=${token}`, origin: ORIGIN });
    const responses = await parallel(N, () =>
      t.request(`${ORIGIN}/api/sessions/current/rotate`, { method: "POST", headers: cookie(old) }),
    );
    const counts = tally(responses);
    expect(counts[200]).toBe(1);
    expect((counts[200] ?? 0) + (counts[401] ?? 0)).toBe(N);
    const fresh = sessionToken(responses.find((res) => res.status === 200) as Response);
    expect((await t.request(`${ORIGIN}/api/sessions/current`, { headers: cookie(fresh) })).status).toBe(200);
    expect((await t.request(`${ORIGIN}/api/sessions/current`, { headers: cookie(old) })).status).toBe(401);
    const listed = await expectStatus<{ sessions: unknown[] }>(
      asAdmin(t, "GET", "/api/users/rotate-race/sessions"),
      200,
    );
    expect(listed.sessions).toHaveLength(1);
  });
});

describe(`rate limits under ${N} parallel requests from one client`, () => {
  const client = browser("192.0.2.200");

  it("let exactly the quota through on the folded redirect check, with no click counted for a refusal", async () => {
    const link = await expectStatus<{ slug: string }>(
      asAdmin(limited, "POST", "/api/links", { url: "https://ok.example/" }),
      201,
    );
    const responses = await parallel(N, () =>
      limited.request(`/${link.slug}`, { headers: client, redirect: "manual" }),
    );
    expect(tally(responses)).toEqual({ 302: 37, 429: N - 37 });
    expect(await expectStatus(asAdmin(limited, "GET", `/api/links/${link.slug}`), 200)).toMatchObject({ clicks: 37 });
  });

  it("let exactly the quota through on the folded view count, with no view counted for a refusal", async () => {
    const responses = await parallel(N, () =>
      limited.request("/api/views/limited-page", { method: "POST", headers: client }),
    );
    expect(tally(responses)).toEqual({ 200: 41, 429: N - 41 });
    const read = await expectStatus<{ views: number }>(
      limited.request("/api/views/limited-page", { headers: browser("192.0.2.201") }),
      200,
    );
    // One visitor: the first view counts, the repeats fall in the dedup window.
    expect(read.views).toBe(1);
  });

  it("let exactly the quota through on sliding window, token bucket and fixed window policies", async () => {
    const links = await parallel(N, () =>
      limited.request("/api/links", {
        method: "POST",
        headers: adminHeaders(jsonHeaders()),
        body: JSON.stringify({ url: "https://ok.example/" }),
      }),
    );
    // The admin created one link in the first test of this block: 22 of the 23 are left.
    expect(tally(links)).toEqual({ 201: 22, 429: N - 22 });

    // Sign-ins are counted per user id: one user signing in 200 times at once.
    const sessions = await parallel(N, () =>
      limited.request(`${ORIGIN}/api/sessions`, {
        method: "POST",
        headers: adminHeaders(jsonHeaders()),
        body: JSON.stringify({ userId: "one-user" }),
      }),
    );
    expect(tally(sessions)).toEqual({ 201: 29, 429: N - 29 });

    const conversions = await parallel(N, (i) =>
      limited.request("/api/experiments/none/conversions", {
        method: "POST",
        headers: jsonHeaders(client),
        body: JSON.stringify({ unitId: `u${i}`, goal: "buy" }),
      }),
    );
    // The experiment does not exist: whatever is let through is refused by the route (404).
    expect(tally(conversions)).toEqual({ 404: 31, 429: N - 31 });
  });
});
