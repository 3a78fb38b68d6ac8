import type { Config } from "../../env.ts";
import { asRedisUnavailable, type RedisClient } from "../redis.ts";
import { taggedIdentifier } from "./keys.ts";
import { createLimiter } from "./limiter.ts";
import type { Policy, PolicyName } from "./policies.ts";

/** What a limit check decided. `reset` is when the window (or next refill) comes, in ms since the epoch. */
export type LimitOutcome =
  | {
      status: "allowed" | "blocked";
      limit: number;
      remaining: number;
      reset: number;
      /** True when the in-isolate block cache answered, without Redis. */
      cached: boolean;
      /** Work the library left running (nothing while analytics is off); hand it to waitUntil. */
      pending: Promise<unknown>;
    }
  | {
      /** Redis failed or timed out; the policy's onRedisFailure decided. */
      status: "fail-open" | "fail-closed";
      cause: unknown;
    };

export interface LimitRequest<N extends string = PolicyName> {
  policy: N;
  identifier: string;
  /** Units this request spends (1 for most; one per link for a bulk). */
  cost: number;
}

/**
 * Spends `cost` units of `identifier`'s quota under a policy: one EVALSHA (one round trip), or
 * none when the identifier is in the in-isolate block cache. A refused request spends nothing.
 *
 * A Redis transport failure or a timeout is not thrown: it becomes "fail-open" or "fail-closed"
 * per the policy, and the middleware says which in a header. Any other error (a bug) is thrown.
 *
 * @example
 * const outcome = await checkLimit(redis, config, { policy: "create-link", identifier: "ip:203.0.113.9", cost: 1 });
 * if (outcome.status === "blocked") ... // 429
 */
export async function checkLimit<N extends string = PolicyName>(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX" | "REDIS_TIMEOUT_MS"> & { RATE_LIMITS: Record<N, Policy> },
  request: LimitRequest<N>,
): Promise<LimitOutcome> {
  const policy = config.RATE_LIMITS[request.policy];
  const failure = policy.onRedisFailure === "open" ? "fail-open" : "fail-closed";
  const limiter = createLimiter(redis, config, request.policy, policy, request.cost === 1);
  try {
    const id = taggedIdentifier(request.identifier);
    let result = await limiter.limit(id, { rate: request.cost });
    if (result.reason === "timeout") return { status: failure, cause: new Error("rate limit check timed out") };
    if (!result.success && request.cost > 1 && policy.algorithm !== "tokenBucket" && !result.reason) {
      // The library's window scripts add the cost before comparing, so a refused request of cost
      // n > 1 would still have spent n: give it back (a second round trip, on refusals only).
      const refund = await limiter.limit(id, { rate: -request.cost });
      result = { ...refund, success: false, reset: result.reset, pending: result.pending };
    }
    return {
      status: result.success ? "allowed" : "blocked",
      limit: result.limit,
      remaining: result.remaining,
      reset: result.reset,
      cached: result.reason === "cacheBlock",
      pending: result.pending,
    };
  } catch (error) {
    if (!isTransportFailure(error)) throw error;
    return { status: failure, cause: error };
  }
}

/**
 * asRedisUnavailable, plus workerd's own wording for a refused connection ("Network connection
 * lost.", a plain Error), which it does not recognise yet.
 */
function isTransportFailure(error: unknown): boolean {
  return (
    Boolean(asRedisUnavailable(error)) || (error instanceof Error && /^Network connection lost/.test(error.message))
  );
}
