import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { blockCache } from "./block-cache.ts";
import { storedIdentifier } from "./ip-identifier.ts";
import { blockCacheKey, usageKeys } from "./keys.ts";
import { resetLocal } from "./local-limit.ts";
import { POLICY_NAMES, type Policies } from "./policies.ts";

/**
 * Gives `identifier` (as an admin writes it; `ip:<address>` is hashed here) its full quota back under every policy: one DEL of the exact keys that can
 * hold its usage (one round trip), and its entries in this isolate's block cache dropped.
 *
 * Not `Ratelimit.resetUsedTokens`: that runs a Lua loop of SCAN over the whole keyspace, once per
 * policy, which blocks Redis for as long as the scan takes on a large database. The key names
 * come from keys.ts; the tests check they are the ones the library writes.
 *
 * Other isolates may still hold a block for this identifier until it expires (at most one window).
 * Returns the number of keys deleted.
 */
export async function resetQuota(
  redis: RedisClient,
  config: Pick<Config, "KEY_PREFIX" | "HASH_SECRET"> & { RATE_LIMITS: Policies },
  written: string,
  now: number,
): Promise<number> {
  const identifier = await storedIdentifier(written, config.HASH_SECRET);
  resetLocal(identifier);
  const cache = blockCache();
  const keys: string[] = [];
  for (const name of POLICY_NAMES) {
    cache.delete(blockCacheKey(config, name, identifier));
    keys.push(...usageKeys(config, name, config.RATE_LIMITS[name], identifier, now));
  }
  return Number(await redis.del(...keys));
}
