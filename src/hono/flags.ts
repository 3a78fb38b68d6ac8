import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import type { EvaluationContext } from "../lib/flags/context.ts";
import type { Evaluation } from "../lib/flags/evaluate.ts";
import { evaluateFlag, evaluateFlags } from "../lib/flags/evaluate-flags.ts";
import { asHttp } from "./problems.ts";
import { type RedisSource, resolveRedis } from "./redis.ts";

export type { Evaluation, EvaluationContext };

export interface FlagsOptions {
  redis: RedisSource;
  /** The evaluation context of a request (default: `targetingKey` = the session's user id, if any). */
  context?: (c: Context) => EvaluationContext;
  /** How long each isolate keeps the flag set, in ms (default 5000; 0 reads Redis every time). */
  cacheTtlMs?: number;
  /** Put before every key, like edgekit's KEY_PREFIX: the same prefix reads the flags edgekit manages. */
  prefix?: string;
  /** Names the database in the isolate cache when one isolate reads several (default "default"). */
  database?: string;
}

/** A request's flag evaluator: `c.get("flags")`. */
export interface FlagEvaluator {
  /** One flag in OpenFeature's shape: `{ value, variant, reason }`, or `{ errorCode }` (never throws for a bad key). */
  evaluate(key: string, context?: EvaluationContext): Promise<Evaluation>;
  /** True when the flag evaluates to `true`; false when off, unknown or in error. */
  enabled(key: string, context?: EvaluationContext): Promise<boolean>;
  /** A flag's value, or `fallback` when it cannot be evaluated. */
  value<T>(key: string, fallback: T, context?: EvaluationContext): Promise<T>;
  /** Every flag, sorted by key. */
  all(context?: EvaluationContext): Promise<Evaluation[]>;
}

export interface FlagsVariables {
  flags: FlagEvaluator;
}

/**
 * Puts a flag evaluator on `c.get("flags")`, evaluating the flags edgekit stores (written through
 * its API or dashboard) with the same rules: kill switch, allow/deny lists, sticky percentage
 * rollout, variants. At most one round trip per request, none while the isolate cache is warm.
 *
 * @example
 * app.use(flags({ redis: redisFromEnv() }));
 * app.get("/checkout", async (c) => ((await c.get("flags").enabled("new-checkout")) ? newCheckout(c) : oldCheckout(c)));
 */
export function flags(options: FlagsOptions) {
  const config = {
    UPSTASH_REDIS_REST_URL: options.database ?? "default",
    KEY_PREFIX: options.prefix ?? "",
    FLAGS_CACHE_TTL_MS: options.cacheTtlMs ?? 5000,
  };
  const contextOf =
    options.context ??
    ((c: Context): EvaluationContext => {
      const userId = (c.get("session") as { userId?: unknown } | undefined)?.userId;
      return typeof userId === "string" ? { targetingKey: userId } : {};
    });
  return createMiddleware<{ Variables: FlagsVariables }>(async function flags(c, next) {
    const redis = resolveRedis(c, options.redis);
    const evaluate = (key: string, context?: EvaluationContext) =>
      asHttp(() => evaluateFlag(redis, config, Date.now(), key, context ?? contextOf(c)));
    c.set("flags", {
      evaluate,
      async enabled(key, context) {
        const result = await evaluate(key, context);
        return "value" in result && result.value === true;
      },
      async value<T>(key: string, fallback: T, context?: EvaluationContext): Promise<T> {
        const result = await evaluate(key, context);
        return "value" in result ? (result.value as T) : fallback;
      },
      async all(context) {
        const result = await asHttp(() => evaluateFlags(redis, config, Date.now(), context ?? contextOf(c)));
        return result.ok ? result.flags : [result.failure];
      },
    });
    await next();
  });
}
