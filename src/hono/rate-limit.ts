import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { checkLimit, type LimitOutcome } from "../lib/ratelimit/check-limit.ts";
import { rateLimitHeaders } from "../lib/ratelimit/headers.ts";
import { ipIdentifier } from "../lib/ratelimit/identifier.ts";
import type { Algorithm, Policy } from "../lib/ratelimit/policies.ts";
import { httpProblem } from "./problems.ts";
import { envHashSecret, type PerRequest, type RedisSource, resolve, resolveRedis } from "./redis.ts";

export interface RateLimitOptions {
  redis: RedisSource;
  /** Requests per window (a token bucket: the bucket's size). */
  limit: number;
  /** The window in seconds. */
  window: number;
  /** Names this limit in its keys and its `RateLimit-Policy` header (default "default"). */
  name?: string;
  /** `slidingWindow` (default), `fixedWindow` or `tokenBucket`. */
  algorithm?: Algorithm;
  /** Token bucket: tokens back per window (default `limit`). */
  refill?: number;
  /** What a request gets when Redis is slow or down: "open" (default) lets it through, "closed" answers 503. */
  onRedisFailure?: "open" | "closed";
  /** Put before every key, like edgekit's KEY_PREFIX (default ""). */
  prefix?: string;
  /** Ms to wait for Redis before `onRedisFailure` decides (default 1000). */
  timeoutMs?: number;
  /**
   * Who is counted: by default the client's `CF-Connecting-IP` (IPv6 by its /64), keyed-hashed with
   * `hashSecret` so no address reaches Redis. Return a user id, an API key's id, ... instead.
   */
  key?: (c: Context) => string | Promise<string>;
  /** The secret the default `key` hashes addresses with (default `c.env.HASH_SECRET`). */
  hashSecret?: PerRequest<string>;
}

const NAME = /^[A-Za-z0-9_-]{1,64}$/;

/**
 * Rate limits every request it sees, in one Redis round trip (none while the isolate already
 * knows the client is blocked), with edgekit's policy engine (`@upstash/ratelimit`'s algorithms):
 * `RateLimit-Policy`, `RateLimit` and `X-RateLimit-*` headers on every answer, and a 429
 * `application/problem+json` with `Retry-After` past the limit. A refused request spends nothing.
 *
 * @example
 * app.use("/api/*", rateLimit({ redis: redisFromEnv(), limit: 100, window: 60 }));
 */
export function rateLimit(options: RateLimitOptions) {
  const name = options.name ?? "default";
  if (!NAME.test(name)) throw new TypeError(`rateLimit(): name must be 1-64 of A-Z a-z 0-9 _ -, got "${name}"`);
  const policy: Policy = {
    algorithm: options.algorithm ?? "slidingWindow",
    limit: positive("limit", options.limit),
    window: positive("window", options.window),
    refill: positive("refill", options.refill ?? options.limit),
    onRedisFailure: options.onRedisFailure ?? "open",
  };
  const config = {
    KEY_PREFIX: options.prefix ?? "",
    REDIS_TIMEOUT_MS: options.timeoutMs ?? 1000,
    RATE_LIMITS: { [name]: policy } as Record<string, Policy>,
  };
  const identify =
    options.key ??
    ((c: Context) => ipIdentifier(c.req.header("cf-connecting-ip"), resolve(c, options.hashSecret ?? envHashSecret)));

  return createMiddleware(async function rateLimit(c, next) {
    const identifier = await identify(c);
    const outcome = await checkLimit(resolveRedis(c, options.redis), config, {
      policy: name,
      identifier: await safeIdentifier(identifier),
      cost: 1,
    });
    const headers = rateLimitHeaders(name, policy, outcome, Date.now());
    if (outcome.status === "blocked") {
      httpProblem("quota_exceeded", `Over the "${name}" limit of ${policy.limit} per ${policy.window} s.`, {
        extensions: { policy: name },
        headers,
      });
    }
    if (outcome.status === "fail-closed") {
      httpProblem("redis_unavailable", "Storage is temporarily unavailable. Try again shortly.", {
        headers: { ...headers, "retry-after": "2" },
        cause: outcome.cause,
      });
    }
    waitUntil(c, outcome);
    await next();
    setHeaders(c, headers);
  });
}

function positive(field: string, value: number): number {
  if (!Number.isInteger(value) || value < 1) throw new TypeError(`rateLimit(): ${field} must be a whole number >= 1`);
  return value;
}

/** An identifier names a hash tag `{...}`: one with braces, or a long one, is replaced by its hash. */
async function safeIdentifier(identifier: string): Promise<string> {
  if (/^[\x21-\x7a|~]{1,200}$/.test(identifier)) return identifier;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(identifier));
  return `sha256-${Array.from(new Uint8Array(digest, 0, 16), (b) => b.toString(16).padStart(2, "0")).join("")}`;
}

function waitUntil(c: Context, outcome: LimitOutcome): void {
  if (!("pending" in outcome)) return;
  try {
    c.executionCtx.waitUntil(outcome.pending);
  } catch {
    // No ExecutionContext (app.request in tests): nothing outlives the request anyway.
  }
}

export function setHeaders(c: Context, headers: Record<string, string>): void {
  try {
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    for (const [name, value] of Object.entries(headers)) c.res.headers.set(name, value);
  }
}
