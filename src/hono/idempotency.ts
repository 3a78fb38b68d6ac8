import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { AppError } from "../lib/errors.ts";
import { parseIdempotencyKey } from "../lib/idempotency/index.ts";
import { ipIdentifier } from "../lib/ratelimit/identifier.ts";
import { runIdempotent } from "../middleware/idempotent-request.ts";
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
  const retentionHours = options.retentionHours ?? 24;
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
    try {
      return await runIdempotent(c, next, {
        redis: resolveRedis(c, options.redis),
        key: parseIdempotencyKey(header),
        scope: scopeOf(c),
        prefix: options.prefix ?? "",
        now: Date.now,
        leaseMs,
        retentionHours,
        failOpen: options.failOpen === true,
      });
    } catch (error) {
      throw toHttpException(error);
    }
  });
}
