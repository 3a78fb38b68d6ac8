import { POLICY_NAMES } from "../src/lib/ratelimit/policies.ts";
import type { LoadCase } from "./load.ts";
import type { BenchStack } from "./stack.ts";

const JSON_TYPE = { "content-type": "application/json" };
/** A browser's User-Agent: without one a visitor counts as a bot, which skips the visitor hash. */
const BROWSER = {
  "user-agent": "Mozilla/5.0 (X11; Linux x86_64; rv:128.0) Gecko/20100101 Firefox/128.0",
  "cf-connecting-ip": "192.0.2.1",
};
const FLAG_COUNT = 10;
const LINK_SLUG = "bench-go";
const EXPERIMENT = "bench-checkout";
const PAGE = "bench%2Fpage";
const BOARD = "bench-board";
/** Places: 1,000 stores around Berlin for nearby searches; a fleet set with fences for updates. */
const STORES = "bench-stores";
const FLEET = "bench-fleet";
const BERLIN = { lat: 52.52, lon: 13.405 };

/**
 * RATE_LIMITS for the benchmark: it measures the cost of the checks, not the limits, so every
 * policy gets the schema's largest limit (src/lib/ratelimit/policies.ts), far above what a run
 * sends: nobody is blocked, every check still runs.
 */
export const BENCH_RATE_LIMITS = JSON.stringify(
  Object.fromEntries(POLICY_NAMES.map((name) => [name, { limit: 1_000_000 }])),
);

/** A distinct, valid client address per request: a new visitor (and rate-limit identifier) each time. */
const clientIp = (n: number) => `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;

/**
 * Prepares the records each hot path needs (a link, flags, an experiment, a session) through the
 * API, as a user would, and returns the requests to load. `coldFlagsUrl` is a Worker instance
 * with the flag cache off (FLAGS_CACHE_TTL_MS=0), on the same Redis.
 */
export async function hotPaths(stack: BenchStack, coldFlagsUrl: string): Promise<LoadCase[]> {
  const admin = { authorization: `Bearer ${stack.adminToken}` };
  const api = async (method: string, path: string, body: unknown, expected: number[]) => {
    const res = await fetch(stack.workerUrl + path, {
      method,
      headers: { ...admin, ...JSON_TYPE },
      body: JSON.stringify(body),
    });
    if (!expected.includes(res.status)) throw new Error(`${method} ${path}: ${res.status} ${await res.text()}`);
    return res;
  };

  await api("POST", "/api/links", { url: "https://example.com/landing?ref=bench", slug: LINK_SLUG }, [201, 409]);
  for (let i = 0; i < FLAG_COUNT; i++) {
    await api(
      "PUT",
      `/api/flags/bench-flag-${i}`,
      {
        enabled: true,
        type: "boolean",
        variants: { on: true, off: false },
        defaultVariant: "off",
        rollout: { percentage: 10 * i, variant: "on" },
      },
      [200, 201],
    );
  }
  await api(
    "PUT",
    `/api/experiments/${EXPERIMENT}`,
    {
      variants: [
        { name: "control", weight: 50 },
        { name: "one-page", weight: 50 },
      ],
      coverage: 1,
      status: "running",
      goals: ["purchase"],
    },
    [200, 201],
  );
  const session = (await (await api("POST", "/api/sessions", { userId: "bench-user" }, [201])).json()) as {
    id: string;
  };

  // A stored answer to replay, and a key to reuse with another body (the idempotency cases).
  const idempotent = (key: string) => ({ ...admin, ...JSON_TYPE, "idempotency-key": key });
  await fetch(`${stack.workerUrl}/api/links`, {
    method: "POST",
    headers: idempotent("bench-replay"),
    body: JSON.stringify({ url: "https://example.com/landing" }),
  });
  const runId = Date.now().toString(36); // keys of an earlier run's stack would replay, not run
  // A sum board keeping every window, with 200 members already on it (kept small: the bench smoke
  // test runs this setup too).
  await api("PUT", `/api/leaderboards/${BOARD}`, { rule: "sum", ties: "earliest" }, [200, 201]);
  for (let i = 0; i < 200; i += 50) {
    await Promise.all(
      Array.from({ length: 50 }, (_, j) =>
        api("POST", `/api/leaderboards/${BOARD}/scores`, { member: `player-${i + j}`, score: i + j }, [200]),
      ),
    );
  }
  await api("PUT", `/api/places/${STORES}`, { nearby: "public" }, [200]);
  const stores = Array.from({ length: 1000 }, (_, i) => ({
    id: `store-${i}`,
    lat: BERLIN.lat + ((i % 40) - 20) * 0.005,
    lon: BERLIN.lon + (Math.floor(i / 40) - 12) * 0.008,
    data: { name: `Store ${i}`, open: i % 3 !== 0 },
  }));
  await api("POST", `/api/places/${STORES}/bulk`, { places: stores }, [200]);
  for (let i = 0; i < 4; i++) {
    const lat = BERLIN.lat + (i - 2) * 0.01;
    await api(
      "PUT",
      `/api/places/${FLEET}/fences/zone-${i}`,
      { type: "circle", lat, lon: BERLIN.lon, radius: 800 },
      [200, 201],
    );
    const square = [
      { lat, lon: BERLIN.lon },
      { lat, lon: BERLIN.lon + 0.01 },
      { lat: lat + 0.01, lon: BERLIN.lon + 0.01 },
      { lat: lat + 0.01, lon: BERLIN.lon },
    ];
    await api("PUT", `/api/places/${FLEET}/fences/block-${i}`, { type: "polygon", points: square }, [200, 201]);
  }

  const evaluation = JSON.stringify({ context: { targetingKey: "user-42" } });
  return [
    {
      name: "redirect",
      path: `/${LINK_SLUG}`,
      headers: BROWSER,
      okStatus: [302],
      note: "a link with no limits; one browser visitor (a click, not a bot's)",
    },
    {
      name: "view count, new visitor",
      path: `/api/views/${PAGE}`,
      method: "POST",
      headers: BROWSER,
      vary: (n) => ({ headers: { "cf-connecting-ip": clientIp(n) } }),
      note: "a new client IP per request: every view is counted, a new unique visitor each time",
    },
    {
      name: "view count, repeat visitor",
      path: `/api/views/${PAGE}`,
      method: "POST",
      headers: BROWSER,
      note: "one visitor: deduplicated after the first view, the whole script still runs",
    },
    {
      name: "flags, bulk, cache warm",
      path: "/ofrep/v1/evaluate/flags",
      method: "POST",
      headers: JSON_TYPE,
      body: evaluation,
      note: `${FLAG_COUNT} flags, FLAGS_CACHE_TTL_MS=5000`,
    },
    {
      name: "flags, bulk, cache cold",
      path: "/ofrep/v1/evaluate/flags",
      method: "POST",
      headers: JSON_TYPE,
      body: evaluation,
      baseUrl: coldFlagsUrl,
      note: `${FLAG_COUNT} flags, FLAGS_CACHE_TTL_MS=0`,
    },
    {
      name: "experiment assignment",
      path: `/api/experiments/${EXPERIMENT}/assignment`,
      method: "POST",
      headers: { ...BROWSER, ...JSON_TYPE },
      vary: (n) => ({ body: JSON.stringify({ unitId: `unit-${n}` }) }),
      note: "a new unit per request: assignment and exposure written",
    },
    {
      name: "session read",
      path: "/api/sessions/current",
      headers: { ...BROWSER, cookie: `session=${session.id}` },
      note: "GET /api/sessions/current with a live session's cookie",
    },
    {
      name: "rate-limited API read",
      path: `/api/links/${LINK_SLUG}`,
      headers: admin,
      note: "GET /api/links/{slug} as admin, default policy",
    },
    {
      name: "leaderboard submit",
      path: `/api/leaderboards/${BOARD}/scores`,
      method: "POST",
      headers: { ...admin, ...JSON_TYPE },
      vary: (n) => ({ body: JSON.stringify({ member: `player-${n % 200}`, score: 1 }) }),
      note: "a sum board, ties earliest: all, day, week and month written, ranks before and after",
    },
    {
      name: "leaderboard read",
      path: `/api/leaderboards/${BOARD}?window=week&limit=10&member=player-100`,
      headers: BROWSER,
      note: "the week's top 10, a member's rank, the total and endsAt (public)",
    },
    {
      name: "places nearby",
      path: `/api/places/${STORES}/nearby?lat=${BERLIN.lat}&lon=${BERLIN.lon}&radius=2&limit=10`,
      headers: BROWSER,
      note: "public search of a set of 1,000 stores: the 10 nearest within 2 km, with data and bearing",
    },
    {
      name: "places position update",
      path: `/api/places/${FLEET}/driver-1`,
      method: "PUT",
      headers: { ...admin, ...JSON_TYPE },
      vary: (n) => ({
        body: JSON.stringify({ lat: BERLIN.lat + ((n % 50) - 25) * 0.001, lon: BERLIN.lon + 0.004, ttlSeconds: 60 }),
      }),
      note: "one live position moving across 8 fences (4 circles, 4 polygons): prune, write, enter/leave",
    },
    {
      name: "link creation",
      path: "/api/links",
      method: "POST",
      headers: { ...admin, ...JSON_TYPE },
      body: JSON.stringify({ url: "https://example.com/landing" }),
      note: "POST /api/links without a slug: the server picks a random one",
    },
    {
      name: "idempotent link creation, first run",
      path: "/api/links",
      method: "POST",
      headers: idempotent("unused"),
      body: JSON.stringify({ url: "https://example.com/landing" }),
      vary: (n) => ({ headers: { "idempotency-key": `bench-${runId}-${n}` } }),
      note: "the same POST /api/links with a new Idempotency-Key each time: claim, create, store",
    },
    {
      name: "idempotent link creation, replay",
      path: "/api/links",
      method: "POST",
      headers: idempotent("bench-replay"),
      body: JSON.stringify({ url: "https://example.com/landing" }),
      okStatus: [201],
      note: "one Idempotency-Key again and again: the stored 201 replayed, nothing created",
    },
    {
      name: "reference: gateway origin, one raw fetch",
      path: "/__bench/origin",
      note: "a bare route making one raw fetch of the origin (1 KiB): the gateway rows' ceiling",
    },
    {
      name: "gateway: cached hit",
      path: "/__gw/hit",
      headers: BROWSER,
      note: "GATEWAY_ROUTES route, cached: one lookup script (rate limit folded in), body from Redis",
    },
    {
      name: "gateway: miss with its fill",
      path: "/__gw/miss",
      headers: BROWSER,
      vary: (n) => ({ headers: { "x-bench-n": String(n) } }),
      note: "a new Vary variant per request (X-Bench-N): lookup, origin fetch, commit",
    },
    {
      name: "gateway: stale hit (and its background refreshes)",
      path: "/__gw/stale",
      headers: BROWSER,
      note: "stale-while-revalidate: served stale at once; one refresh at a time runs (its commit counts)",
    },
    {
      name: "idempotent link creation, conflict",
      path: "/api/links",
      method: "POST",
      headers: idempotent("bench-replay"),
      body: JSON.stringify({ url: "https://example.com/other" }),
      okStatus: [422],
      note: "the replayed key with another body: 422 idempotency-key-reused (an in-flight 409 costs the same script)",
    },
  ];
}
