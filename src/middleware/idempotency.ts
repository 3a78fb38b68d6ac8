import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { parseIdempotencyKey } from "../lib/idempotency/parse-key.ts";
import { toBase64 } from "../lib/idempotency/stored-response.ts";
import { ipIdentifier } from "../lib/ratelimit/identifier.ts";
import { openApiPattern } from "../lib/ratelimit/routes.ts";
import { cutOffRedis } from "../lib/redis.ts";
import { credentialIdentifier } from "./authorize.ts";
import { runIdempotent } from "./idempotent-request.ts";
import { matchedPattern, type RateLimitHandle } from "./rate-limit.ts";
import { sessionToken } from "./session.ts";

/** What a handler sees of an idempotent request: `c.get("idempotency")`, set only when a key came. */
export interface IdempotencyHandle {
  key: string;
  /**
   * 1 on the first run; higher after a takeover (an earlier attempt's lease lapsed: it may have
   * done part of the work). Rises strictly, so it can serve as a fence for the handler's writes.
   */
  attempt: number;
}

declare module "hono" {
  interface ContextVariableMap {
    idempotency: IdempotencyHandle;
  }
}

const UNSAFE = new Set(["POST", "PATCH", "DELETE"]);

/**
 * `Idempotency-Key` on unsafe requests (POST, PATCH, DELETE): the first request with a key runs,
 * and its answer is stored and replayed to every retry with that key (marked
 * `Idempotent-Replayed: true`). A replay, a reused key (422) or a request still in flight (409)
 * costs ONE round trip, a rate-limit check folded in; a first run costs two more than the handler
 * (claim, then store). Scoped to the caller: the admin, else the session, else the client's
 * hashed address. Redis unreachable: 503 and the handler does not run, unless the route's
 * IDEMPOTENCY_ROUTES entry says `failOpen`. Mounted after the rate limiter and the body limit.
 *
 * @example
 * app.use("/api/*", idempotency());
 */
export function idempotency() {
  return createMiddleware<AppEnv>(async function idempotency(c, next) {
    if (!UNSAFE.has(c.req.method)) return next();
    const config = c.get("config");
    const header = c.req.header("idempotency-key");
    // Without a key and with no route requiring one (the common case), nothing more to look up.
    if (header === undefined && Object.keys(config.IDEMPOTENCY_ROUTES).length === 0) return next();
    const pattern = matchedPattern(c);
    const settings = config.IDEMPOTENCY_ROUTES[`${c.req.method} ${openApiPattern(pattern)}`];
    if (header === undefined) {
      if (settings?.required) {
        throw new AppError("idempotency_key_required", `${c.req.method} ${pattern} needs an Idempotency-Key header.`);
      }
      return next();
    }
    const key = parseIdempotencyKey(header);
    if (pattern === "") return next(); // no route: the 404 needs no protection

    const redis = c.get("redis");
    const clock = c.get("clock");
    return runIdempotent(c, next, {
      redis,
      key,
      scope: scopeOf(c),
      prefix: config.KEY_PREFIX,
      now: () => clock.now(),
      leaseMs: config.IDEMPOTENCY_LEASE_SECONDS * 1000,
      retentionHours: config.IDEMPOTENCY_RETENTION_HOURS,
      limit: async () => (c.get("rateLimit") as RateLimitHandle | undefined)?.forScript(),
      failOpen: settings?.failOpen === true,
      onUnavailable: cutOffRedis,
    });
  });
}

/** Whose keys these are: admin or the API key, else the session (by its token's hash), else the hashed client address. */
async function scopeOf(c: Context<AppEnv>): Promise<string> {
  const credential = await credentialIdentifier(c);
  if (credential) return credential;
  const token = sessionToken(c);
  if (token !== undefined) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(token));
    return `session:${toBase64(digest)}`;
  }
  return ipIdentifier(c.req.header("cf-connecting-ip"), c.get("config").HASH_SECRET);
}
