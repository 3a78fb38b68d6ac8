import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { secondsUntil } from "./headers.ts";
import { storedIdentifier } from "./ip-identifier.ts";
import { taggedIdentifier } from "./keys.ts";
import { createLimiter } from "./limiter.ts";
import { localRemaining } from "./local-limit.ts";
import { type Algorithm, POLICY_NAMES, type Policies, type PolicyName } from "./policies.ts";
import { LOCAL_POLICIES } from "./routes.ts";

export interface PolicyQuota {
  policy: PolicyName;
  algorithm: Algorithm;
  limit: number;
  /** Seconds. */
  window: number;
  remaining: number;
  /** Seconds until the quota resets (or the bucket's next refill). */
  reset: number;
}

/**
 * What `identifier` (as an admin writes it: `ip:<address>` is hashed here, as the middleware
 * hashes that client) has left under every policy, spending nothing (`getRemaining`). The checks
 * are issued in the same tick, so auto-pipelining sends them as one /pipeline: one round trip.
 *
 * @example
 * await getQuota(redis, config, "ip:203.0.113.9", Date.now()) // [{ policy: "default", remaining: 118, ... }, ...]
 */
export async function getQuota(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX" | "REDIS_TIMEOUT_MS" | "HASH_SECRET"> & { RATE_LIMITS: Policies },
  identifier: string,
  now: number,
): Promise<PolicyQuota[]> {
  const stored = await storedIdentifier(identifier, config.HASH_SECRET);
  return Promise.all(
    POLICY_NAMES.map(async (name) => {
      const policy = config.RATE_LIMITS[name];
      // A policy counted in-isolate is read from this isolate's window (other isolates keep their own).
      const { remaining, reset } = LOCAL_POLICIES.has(name)
        ? localRemaining(name, policy, stored, now)
        : await createLimiter(redis, config, name, policy).getRemaining(taggedIdentifier(stored));
      return {
        policy: name,
        algorithm: policy.algorithm,
        limit: policy.limit,
        window: policy.window,
        remaining,
        reset: secondsUntil(reset, now),
      };
    }),
  );
}
