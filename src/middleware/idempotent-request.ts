import type { Context, Next } from "hono";
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
  releaseRequest,
  replayableHeaders,
  replayResponse,
  toBase64,
} from "../lib/idempotency/index.ts";
import type { IdempotencyKeys } from "../lib/idempotency/keys.ts";
import { keepAlive } from "../lib/locks/keep-alive.ts";
import { leaseToken } from "../lib/locks/lease.ts";
import type { ScriptLimit } from "../lib/ratelimit/limited-script.ts";
import { asRedisUnavailable, type RedisClient } from "../lib/redis.ts";

/** What one idempotent request needs: the parsed key, whose it is, and the store's settings. */
export interface IdempotentRequest {
  redis: RedisClient;
  /** The Idempotency-Key, parsed; and whose keys these are (the caller's scope). */
  key: string;
  scope: Promise<string> | string;
  prefix: string;
  now: () => number;
  leaseMs: number;
  retentionHours: number;
  /** A rate-limit check to fold into the claim's script. */
  limit?: () => Promise<ScriptLimit | undefined>;
  /** Redis unreachable: run the handler unprotected instead of failing. */
  failOpen: boolean;
  /** Called before the Redis failure is thrown (edgekit cuts the request's other calls off). */
  onUnavailable?: (redis: RedisClient) => void;
}

/**
 * The `Idempotency-Key` protocol around `next()`, shared by edgekit's own middleware and
 * `edgekit/hono`'s: claim (or replay, or refuse) in ONE round trip, run the handler while a
 * heartbeat extends the claim, then store the answer or give the key back. Throws `AppError`s.
 */
export async function runIdempotent(c: Context, next: Next, input: IdempotentRequest): Promise<Response | undefined> {
  const { redis, key, leaseMs, now } = input;
  const retentionMs = input.retentionHours * 3_600_000;
  const url = new URL(c.req.url);
  const [keys, print] = await Promise.all([
    Promise.resolve(input.scope).then((scope) => idempotencyKeys({ KEY_PREFIX: input.prefix }, scope, key)),
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
    const limit = await input.limit?.();
    outcome = await beginRequest(redis, keys, { fingerprint: print, owner, now: now(), leaseMs, retentionMs }, limit);
  } catch (error) {
    const unavailable = asRedisUnavailable(error);
    if (!unavailable) throw error;
    if (input.failOpen) {
      await next();
      return;
    }
    input.onUnavailable?.(redis);
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
        `This Idempotency-Key's answer was kept ${input.retentionHours} h and is gone; the request is not run again. Use a new key to run it.`,
      );
  }

  c.set("idempotency", { key, attempt: outcome.attempt });
  const beat = keepAlive(() => extendClaim(redis, keys, { owner, now: now(), leaseMs }), leaseMs / 2);
  try {
    await next();
  } finally {
    beat.stop();
  }
  await settle(c.res, redis, keys, { owner, now: now(), retentionMs });
}

/** Stores the handler's answer, or gives the key back when the answer is not one to replay. */
async function settle(
  res: Response,
  redis: RedisClient,
  keys: IdempotencyKeys,
  claim: { owner: string; now: number; retentionMs: number },
): Promise<void> {
  const body = isStorable(res.status) ? await res.clone().arrayBuffer() : undefined;
  if (body === undefined || body.byteLength > MAX_STORED_BODY) {
    // Best effort: if Redis is gone too, the claim's lease lapses and a retry takes over.
    await releaseRequest(redis, keys, claim.owner).catch(() => false);
    return;
  }
  const response = { status: res.status, headers: replayableHeaders(res.headers), body: toBase64(body) };
  const stored = await commitResponse(redis, keys, { ...claim, response }).catch(
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
