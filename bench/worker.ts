/**
 * The benchmark's Worker: the real app plus two baseline routes measured in the same run.
 * - GET /__bench/constant: returns a constant (the runtime's ceiling).
 * - GET /__bench/fetch: makes exactly one raw fetch to the REST endpoint (the ceiling of any
 *   route that costs one Redis round trip).
 * - GET /__bench/client: one GET through the app's own `@upstash/redis` client (createRedis), to
 *   tell the client's cost from the app's in the gap between a hot path and the raw fetch.
 * - GET /__bench/origin: one raw fetch of the gateway's origin (bench/origin.ts), the ceiling of
 *   any gateway request that reaches it.
 * - /__bench/seed/*: the seed recipes a team would write without edgekit, the plain way with
 *   `@upstash/redis` in a bare Hono route (bench/latency.ts compares them with the hot paths).
 * The baselines live on a bare Hono app, outside the app's middleware: through it they would pay
 * the rate-limit check (a round trip of its own) and measure the app, not the ceiling.
 * Built only by `npm run bench`; never deployed.
 */
import { Redis } from "@upstash/redis/cloudflare";
import { Hono } from "hono";
import { type Bindings, loadConfig } from "../src/env.ts";
import { createLazyApp } from "../src/lazy-app.ts";
import { createRedis } from "../src/lib/redis.ts";

// As deployed (src/index.ts): the routes built per group on first use.
const app = createLazyApp();
const bench = new Hono<{ Bindings: Bindings }>();

bench.get("/__bench/constant", (c) => c.text("ok"));
bench.get("/__bench/fetch", async (c) => {
  const res = await fetch(c.env.UPSTASH_REDIS_REST_URL ?? "", {
    method: "POST",
    headers: { authorization: `Bearer ${c.env.UPSTASH_REDIS_REST_TOKEN}` },
    body: '["GET","bench:baseline"]',
  });
  return c.text(await res.text());
});

bench.get("/__bench/origin", async (c) => {
  const origin = (c.env as Record<string, string | undefined>).BENCH_ORIGIN_URL ?? "";
  const res = await fetch(`${origin}/direct`);
  return new Response(res.body, { status: res.status, headers: res.headers });
});

bench.get("/__bench/client", async (c) => {
  const redis = createRedis(loadConfig(c.env));
  return c.text(String(await redis.get("bench:baseline")));
});

/** The seed recipes, each as a team would write it: one client per request, one await per command. */
const plain = (env: Bindings) =>
  new Redis({
    url: env.UPSTASH_REDIS_REST_URL ?? "",
    token: env.UPSTASH_REDIS_REST_TOKEN ?? "",
    enableTelemetry: false,
  });
const visitor = (c: { req: { header(name: string): string | undefined } }) =>
  c.req.header("cf-connecting-ip") ?? "anonymous";

// Redirect: GET the target, then INCR its click counter (2 round trips).
bench.get("/__bench/seed/redirect", async (c) => {
  const redis = plain(c.env);
  const url = await redis.get<string>("seed:link:bench");
  if (!url) return c.text("not found", 404);
  await redis.incr("seed:link:bench:clicks");
  return c.redirect(url, 302);
});
// A/B: HGET the unit's variant, then HSET it (2 round trips for a new unit).
bench.post("/__bench/seed/assignment", async (c) => {
  const redis = plain(c.env);
  const { unitId } = await c.req.json<{ unitId: string }>();
  const stored = await redis.hget<string>("seed:exp:bench", unitId);
  const variant = stored ?? (unitId.length % 2 ? "control" : "one-page");
  if (!stored) await redis.hset("seed:exp:bench", { [unitId]: variant });
  return c.json({ variant });
});
// Session read: GET the session, then EXPIRE it to slide the idle timeout (2 round trips).
bench.get("/__bench/seed/session", async (c) => {
  const redis = plain(c.env);
  const session = await redis.get("seed:session:bench");
  if (!session) return c.text("no session", 401);
  await redis.expire("seed:session:bench", 1800);
  return c.json(session);
});
// View: SET NX the visitor's dedup marker, then INCR the page's counter (2 round trips).
bench.post("/__bench/seed/view", async (c) => {
  const redis = plain(c.env);
  const first = await redis.set(`seed:view:bench:seen:${visitor(c)}`, 1, { nx: true, ex: 1800 });
  const views = first ? await redis.incr("seed:view:bench") : Number(await redis.get("seed:view:bench"));
  return c.json({ views });
});
// Flag check: HGET the flag (1 round trip).
bench.get("/__bench/seed/flag", async (c) => {
  const flag = await plain(c.env).hget("seed:flags", "bench-flag");
  return c.json({ enabled: Boolean(flag) });
});
// Rate limit: INCR then EXPIRE in one pipeline (1 round trip).
bench.get("/__bench/seed/ratelimit", async (c) => {
  const key = `seed:rl:${visitor(c)}:${Math.floor(Date.now() / 60_000)}`;
  const [count] = await plain(c.env).pipeline().incr(key).expire(key, 60).exec<[number, number]>();
  return count > 1_000_000 ? c.text("too many", 429) : c.text("ok");
});

export default {
  fetch(request: Request, env: Bindings, ctx: ExecutionContext) {
    const { pathname } = new URL(request.url);
    return (pathname.startsWith("/__bench/") ? bench : app).fetch(request, env, ctx);
  },
};
