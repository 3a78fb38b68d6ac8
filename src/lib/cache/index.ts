/**
 * The cache-aside core (issue #15): `cached()` for Worker code, and the purge calls. The gateway
 * (src/lib/gateway) is built on the same lookup, commit and purge scripts. Depends on a Redis
 * client and options only, never on edgekit's config or on Hono.
 */
import type { RedisClient } from "../redis.ts";
import { hashId, namespaceKeys } from "./keys.ts";
import { type PurgeMode, purgeEntry, purgeNamespace, purgeTag } from "./purge.ts";

export {
  CacheBackoffError,
  type CachedOptions,
  CacheEntryTooLargeError,
  type CacheOutcome,
  cached,
  cachedWithOutcome,
} from "./cached.ts";
export type { PurgeMode } from "./purge.ts";

export interface Scope {
  /** Default "default". */
  namespace?: string;
  /** Default "edgekit:". */
  prefix?: string;
  /** Default "soft": marked stale (still served inside its SWR / SIE windows while refreshing). */
  mode?: PurgeMode;
}

const scopeKeys = (scope: Scope) => namespaceKeys(scope.prefix ?? "edgekit:", scope.namespace ?? "default");

/** Purges one `cached()` key; a fill of it in flight never commits. */
export async function invalidateKey(redis: RedisClient, key: string, scope: Scope = {}): Promise<boolean> {
  return purgeEntry(redis, scopeKeys(scope), await hashId(key), scope.mode ?? "soft");
}

/** Purges every `cached()` entry tagged `tag` (O(entries tagged)); resolves to how many. */
export function invalidateTag(redis: RedisClient, tag: string, scope: Scope & { now?: number } = {}): Promise<number> {
  return purgeTag(redis, scopeKeys(scope), tag, scope.mode ?? "soft", scope.now ?? Date.now());
}

/** Purges a whole namespace in O(1) (hard). */
export function invalidateAll(redis: RedisClient, scope: Omit<Scope, "mode"> = {}): Promise<number> {
  return purgeNamespace(redis, scopeKeys(scope));
}
