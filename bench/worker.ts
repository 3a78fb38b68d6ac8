/**
 * The benchmark's Worker: the real app plus two baseline routes measured in the same run.
 * - GET /__bench/constant: returns a constant (the runtime's ceiling).
 * - GET /__bench/fetch: makes exactly one raw fetch to the REST endpoint (the ceiling of any
 *   route that costs one Redis round trip).
 * - GET /__bench/client: one GET through the app's own `@upstash/redis` client (createRedis), to
 *   tell the client's cost from the app's in the gap between a hot path and the raw fetch.
 * The baselines live on a bare Hono app, outside the app's middleware: through it they would pay
 * the rate-limit check (a round trip of its own) and measure the app, not the ceiling.
 * Built only by `npm run bench`; never deployed.
 */
import { Hono } from "hono";
import { createApp } from "../src/app.ts";
import { type Bindings, loadConfig } from "../src/env.ts";
import { createRedis } from "../src/lib/redis.ts";

const app = createApp();
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

bench.get("/__bench/client", async (c) => {
  const redis = createRedis(loadConfig(c.env));
  return c.text(String(await redis.get("bench:baseline")));
});

export default {
  fetch(request: Request, env: Bindings, ctx: Parameters<typeof app.fetch>[2]) {
    const { pathname } = new URL(request.url);
    return (pathname.startsWith("/__bench/") ? bench : app).fetch(request, env, ctx);
  },
};
