import type { Context } from "hono";
import { createRedisClient, type RedisClient } from "../lib/redis.ts";

/**
 * Where a middleware gets its Redis client: a function of the request (the usual case on Workers,
 * where a client must not outlive its request), or one client for a test.
 */
export type RedisSource = RedisClient | ((c: Context) => RedisClient);

export function resolveRedis(c: Context, source: RedisSource): RedisClient {
  return typeof source === "function" ? source(c) : source;
}

const perRequest = new WeakMap<Request, RedisClient>();

/**
 * A `RedisSource` that builds one client per request from the Worker's bindings
 * (`UPSTASH_REDIS_REST_URL` and `UPSTASH_REDIS_REST_TOKEN` unless named otherwise), shared by every
 * edgekit middleware of that request so their commands share auto-pipelined round trips.
 *
 * @example
 * const redis = redisFromEnv();
 * app.use(rateLimit({ redis, limit: 100, window: 60 }), session({ redis }));
 */
export function redisFromEnv(
  options: { url?: string; token?: string; timeoutMs?: number } = {},
): (c: Context) => RedisClient {
  const urlName = options.url ?? "UPSTASH_REDIS_REST_URL";
  const tokenName = options.token ?? "UPSTASH_REDIS_REST_TOKEN";
  return function redisFromEnv(c) {
    let client = perRequest.get(c.req.raw);
    if (!client) {
      const env = (c.env ?? {}) as Record<string, unknown>;
      const url = env[urlName];
      const token = env[tokenName];
      if (typeof url !== "string" || typeof token !== "string") {
        throw new TypeError(`edgekit: the bindings ${urlName} and ${tokenName} must be set`);
      }
      client = createRedisClient({ url: url.replace(/\/+$/, ""), token, timeoutMs: options.timeoutMs });
      perRequest.set(c.req.raw, client);
    }
    return client;
  };
}

/** A value given as is, or computed from the request (a secret read from `c.env`). */
export type PerRequest<T> = T | ((c: Context) => T);

export function resolve<T>(c: Context, value: PerRequest<T>): T {
  return typeof value === "function" ? (value as (c: Context) => T)(c) : value;
}

/** `HASH_SECRET` from the bindings, the default secret of every middleware that hashes. */
export function envHashSecret(c: Context): string {
  const secret = (c.env as Record<string, unknown> | undefined)?.HASH_SECRET;
  if (typeof secret !== "string" || secret.length < 16) {
    throw new TypeError("edgekit: set HASH_SECRET (16 characters or more) or pass hashSecret to the middleware");
  }
  return secret;
}
