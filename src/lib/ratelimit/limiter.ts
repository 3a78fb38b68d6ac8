import { Ratelimit } from "@upstash/ratelimit";
import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { blockCache } from "./block-cache.ts";
import { limiterPrefix } from "./keys.ts";
import type { Policy, PolicyName } from "./policies.ts";

/**
 * A `@upstash/ratelimit` instance for one policy and ONE request: it holds that request's Redis
 * client, so it must not outlive it (see block-cache.ts for why the block cache still works across
 * requests). Building one costs a few object allocations, no I/O.
 *
 * - `timeout`: REDIS_TIMEOUT_MS. When Redis has not answered by then, the library resolves with
 *   `reason: "timeout"` and the caller applies the policy's `onRedisFailure`.
 * - `analytics: false`: analytics would cost extra Redis writes on every request.
 * - `useBlockCache: false` for a request spending more than one unit: the library blocks the
 *   whole identifier in the cache after any refusal, so a refused bulk of 50 would otherwise lock
 *   the client out of single requests it still has quota for, until the window ends.
 */
export function createLimiter(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX" | "REDIS_TIMEOUT_MS">,
  name: PolicyName | (string & {}),
  policy: Policy,
  useBlockCache = true,
): Ratelimit {
  const window = `${policy.window} s` as const;
  const limiter =
    policy.algorithm === "tokenBucket"
      ? Ratelimit.tokenBucket(policy.refill, window, policy.limit)
      : policy.algorithm === "fixedWindow"
        ? Ratelimit.fixedWindow(policy.limit, window)
        : Ratelimit.slidingWindow(policy.limit, window);
  return new Ratelimit({
    redis,
    limiter,
    prefix: limiterPrefix(config, name),
    ephemeralCache: useBlockCache ? blockCache() : false,
    timeout: config.REDIS_TIMEOUT_MS,
    analytics: false,
    enableTelemetry: false,
  });
}
