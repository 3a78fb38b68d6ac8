import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AppError } from "../lib/errors.ts";
import {
  type BeginOutcome,
  beginRequest,
  commitResponse,
  extendClaim,
  fingerprint,
  idempotencyKeys,
  isStorable,
  MAX_STORED_BODY,
  parseIdempotencyKey,
  releaseRequest,
  replayableHeaders,
  replayResponse,
  toBase64,
} from "../lib/idempotency/index.ts";
import { keepAlive } from "../lib/locks/keep-alive.ts";
import { leaseToken } from "../lib/locks/lease.ts";
import { ipIdentifier } from "../lib/ratelimit/identifier.ts";
import { asRedisUnavailable } from "../lib/redis.ts";
import { toHttpException } from "./problems.ts";
import { envHashSecret, type PerRequest, type RedisSource, resolve, resolveRedis } from "./redis.ts";

export interface IdempotencyOptions {
  redis: RedisSource;
  /** How long an answer is replayed, in hours (default 24); a tombstone answers 410 for 7 days more. */
  retentionHours?: number;
  /** The in-flight claim's lease in seconds, extended while the handler runs (default 30). */
  leaseSeconds?: number;
  /** Refuse an unsafe request without a key (400), instead of running it unprotected. */
  required?: boolean;
  /** Redis unreachable: run the handler unprotected instead of answering 503. */
  failOpen?: boolean;
  /** Methods it applies to (default POST, PATCH, DELETE). */
  methods?: readonly string[];
  /**
   * Whose keys these are, so one caller's key can never replay another's answer: by default the
   * session's handle when `session()` ran before, else the client's keyed-hashed address.
   */
  scope?: (c: Context) => string | Promise<string>;
  /** The secret the default scope hashes addresses with (default `c.env.HASH_SECRET`). */
  hashSecret?: PerRequest<string>;
  /** Put before every key, like edgekit's KEY_PREFIX (default ""). */
  prefix?: string;
}

/** What a handler sees of an idempotent request: `c.get("idempotency")`, set only when a key came. */
export interface IdempotencyVariables {
  idempotency?: { key: string; attempt: number };
}

/**
 * `Idempotency-Key` (draft-ietf-httpapi-idempotency-key-header) on unsafe requests: the first
 * request with a key runs, and its answer is stored and replayed to every retry with that key and
 * the same request (`Idempotent-Replayed: true`). The same key with another request: 422; while
 * the first still runs: 409 with `Retry-After`. A replay costs ONE round trip; a first run two
 * more than the handler (claim, then store). The same scripts as edgekit's own routes.
 *
 * @example
 * app.post("/orders", idempotency({ redis: redisFromEnv() }), (c) => c.json(createOrder(), 201));
 */
export function idempotency(options: IdempotencyOptions) {
  const methods = new Set((options.methods ?? ["POST", "PATCH", "DELETE"]).map((m) => m.toUpperCase()));
  const leaseMs = (options.leaseSeconds ?? 30) * 1000;
  const retentionMs = (options.retentionHours ?? 24) * 3_600_000;
  const config = { KEY_PREFIX: options.prefix ?? "" };
  const scopeOf =
    options.scope ??
    (async (c: Context) => {
      const handle = (c.get("session") as { handle?: unknown } | undefined)?.handle;
      if (typeof handle === "string") return `session:${handle}`;
      return ipIdentifier(c.req.header("cf-connecting-ip"), resolve(c, options.hashSecret ?? envHashSecret));
    });

  return createMiddleware<{ Variables: IdempotencyVariables }>(async function idempotency(c, next) {
    if (!methods.has(c.req.method)) return next();
    const header = c.req.header("idempotency-key");
    if (header === undefined) {
      if (options.required) {
        throw toHttpException(
          new AppError("idempotency_key_required", `${c.req.method} ${c.req.path} needs an Idempotency-Key header.`),
        );
      }
      return next();
    }
    let key: string;
    try {
      key = parseIdempotencyKey(header);
    } catch (error) {
      throw toHttpException(error);
    }
    const redis = resolveRedis(c, options.redis);
    const url = new URL(c.req.url);
    const [keys, print] = await Promise.all([
      Promise.resolve(scopeOf(c)).then((scope) => idempotencyKeys(config, scope, key)),
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
      outcome = await beginRequest(redis, keys, { fingerprint: print, owner, now: Date.now(), leaseMs, retentionMs });
    } catch (error) {
      if (asRedisUnavailable(error) && options.failOpen) return next();
      throw toHttpException(error);
    }
    switch (outcome.kind) {
      case "replay":
        return replayResponse(outcome.response);
      case "mismatch":
        throw toHttpException(
          new AppError(
            "idempotency_key_reused",
            `This Idempotency-Key was used for another request${outcome.done ? "" : ", still in progress"}: use a new key for a new request.`,
          ),
        );
      case "busy": {
        const seconds = Math.max(1, Math.ceil(outcome.retryAfterMs / 1000));
        throw toHttpException(
          new AppError(
            "request_in_flight",
            `A request with this Idempotency-Key is still in progress. Retry in ${seconds} s to get its answer.`,
            { headers: { "retry-after": String(seconds) } },
          ),
        );
      }
      case "expired":
        throw toHttpException(
          new AppError("key_expired", "This Idempotency-Key's answer has expired; use a new key to run the request."),
        );
    }

    c.set("idempotency", { key, attempt: outcome.attempt });
    const beat = keepAlive(() => extendClaim(redis, keys, { owner, now: Date.now(), leaseMs }), leaseMs / 2);
    try {
      await next();
    } finally {
      beat.stop();
    }
    const res = c.res;
    const body = isStorable(res.status) ? await res.clone().arrayBuffer() : undefined;
    if (body === undefined || body.byteLength > MAX_STORED_BODY) {
      await releaseRequest(redis, keys, owner).catch(() => false);
      return;
    }
    const response = { status: res.status, headers: replayableHeaders(res.headers), body: toBase64(body) };
    const stored = await commitResponse(redis, keys, { owner, now: Date.now(), retentionMs, response }).catch(
      () => true, // the answer stands; the lease lapses and a retry runs again, as after a crash
    );
    if (!stored) {
      throw toHttpException(
        new AppError(
          "lease_lost",
          "This request's claim on its Idempotency-Key lapsed and a retry took it over; retry with the same key to get its answer.",
        ),
      );
    }
  });
}
