import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env.ts";
import { AppError } from "../lib/errors.ts";
import { type BeginOutcome, beginRequest } from "../lib/idempotency/begin-request.ts";
import { commitResponse } from "../lib/idempotency/commit-response.ts";
import { extendClaim } from "../lib/idempotency/extend-claim.ts";
import { fingerprint } from "../lib/idempotency/fingerprint.ts";
import { idempotencyKeys } from "../lib/idempotency/keys.ts";
import { parseIdempotencyKey } from "../lib/idempotency/parse-key.ts";
import { releaseRequest } from "../lib/idempotency/release-request.ts";
import {
  isStorable,
  MAX_STORED_BODY,
  replayableHeaders,
  replayResponse,
  toBase64,
} from "../lib/idempotency/stored-response.ts";
import { keepAlive } from "../lib/locks/keep-alive.ts";
import { leaseToken } from "../lib/locks/lease.ts";
import { ipIdentifier } from "../lib/ratelimit/identifier.ts";
import { openApiPattern } from "../lib/ratelimit/routes.ts";
import { asRedisUnavailable, cutOffRedis } from "../lib/redis.ts";
import { credentialIdentifier } from "./authorize.ts";
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
    const leaseMs = config.IDEMPOTENCY_LEASE_SECONDS * 1000;
    const retentionMs = config.IDEMPOTENCY_RETENTION_HOURS * 3_600_000;
    const url = new URL(c.req.url);
    const [keys, print] = await Promise.all([
      scopeOf(c).then((scope) => idempotencyKeys(config, scope, key)),
      c.req.arrayBuffer().then((body) =>
        fingerprint({
          method: c.req.method,
          path: url.pathname,
          query: url.searchParams,
          contentType: c.req.header("content-type"),
          body,
        }),
      ),
    ]);
    const owner = leaseToken();
    let outcome: BeginOutcome;
    try {
      const limit = await (c.get("rateLimit") as RateLimitHandle | undefined)?.forScript();
      outcome = await beginRequest(
        redis,
        keys,
        { fingerprint: print, owner, now: clock.now(), leaseMs, retentionMs },
        limit,
      );
    } catch (error) {
      const unavailable = asRedisUnavailable(error);
      if (!unavailable) throw error;
      if (settings?.failOpen) return next();
      cutOffRedis(redis);
      throw unavailable;
    }

    switch (outcome.kind) {
      case "replay":
        return replayResponse(outcome.response);
      case "mismatch":
        throw new AppError(
          "idempotency_key_reused",
          `This Idempotency-Key was used for another request${outcome.done ? "" : ", still in progress"}: use a new key for a new request.`,
        );
      case "busy": {
        const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
        throw new AppError(
          "request_in_flight",
          `A request with this Idempotency-Key is still in progress. Retry in ${seconds} s to get its answer.`,
          { headers: { "retry-after": String(seconds) } },
        );
      }
      case "expired":
        throw new AppError(
          "key_expired",
          `This Idempotency-Key's answer was kept ${config.IDEMPOTENCY_RETENTION_HOURS} h and is gone; the request is not run again. Use a new key to run it.`,
        );
    }

    c.set("idempotency", { key, attempt: outcome.attempt });
    const beat = keepAlive(() => extendClaim(redis, keys, { owner, now: clock.now(), leaseMs }), leaseMs / 2);
    try {
      await next();
    } finally {
      beat.stop();
    }
    await settle(c, keys, owner, retentionMs);
  });
}

/** Stores the handler's answer, or gives the key back when the answer is not one to replay. */
async function settle(
  c: Context<AppEnv>,
  keys: Awaited<ReturnType<typeof idempotencyKeys>>,
  owner: string,
  retentionMs: number,
): Promise<void> {
  const redis = c.get("redis");
  const res = c.res;
  const body = isStorable(res.status) ? await res.clone().arrayBuffer() : undefined;
  if (body === undefined || body.byteLength > MAX_STORED_BODY) {
    // Best effort: if Redis is gone too, the claim's lease lapses and a retry takes over.
    await releaseRequest(redis, keys, owner).catch(() => false);
    return;
  }
  const response = { status: res.status, headers: replayableHeaders(res.headers), body: toBase64(body) };
  const stored = await commitResponse(redis, keys, { owner, now: c.get("clock").now(), retentionMs, response }).catch(
    // The handler's work is done and its answer stands; the claim's lease lapses and a retry
    // runs the request again, as after a crash.
    () => true,
  );
  if (!stored) {
    throw new AppError(
      "lease_lost",
      "This request's claim on its Idempotency-Key lapsed and a retry took it over; its answer stands instead. Retry with the same key to get it.",
    );
  }
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
