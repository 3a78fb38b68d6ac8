import type { Config } from "../../env.ts";
import type { FlagSet } from "./flag-set.ts";

/**
 * An in-isolate cache of the whole flag set, so that warm evaluations cost no Redis round trip.
 * Entries are keyed by Redis URL + KEY_PREFIX (one isolate may serve several configurations: the
 * tests do). A write through this isolate invalidates its entry; other isolates see a change within
 * FLAGS_CACHE_TTL_MS. Only plain data is kept, never an I/O object, as Workers require.
 */
interface Entry {
  set: FlagSet;
  expiresAt: number;
}

type CacheConfig = Pick<Config, "UPSTASH_REDIS_REST_URL" | "KEY_PREFIX" | "FLAGS_CACHE_TTL_MS">;

const MAX_ENTRIES = 64;
const entries = new Map<string, Entry>();
/** Bumped by every invalidation, so a read that raced a write cannot store what it read. */
const generations = new Map<string, number>();

const cacheKey = (config: CacheConfig) => `${config.UPSTASH_REDIS_REST_URL}\u0000${config.KEY_PREFIX}`;

/** The cached flag set while fresh. */
export function cachedFlagSet(config: CacheConfig, now: number): FlagSet | undefined {
  if (config.FLAGS_CACHE_TTL_MS === 0) return undefined;
  const entry = entries.get(cacheKey(config));
  if (!entry) return undefined;
  if (now >= entry.expiresAt) {
    entries.delete(cacheKey(config));
    return undefined;
  }
  return entry.set;
}

/** Taken before a read; hand it back to {@link storeFlagSet}. */
export function cacheGeneration(config: CacheConfig): number {
  return generations.get(cacheKey(config)) ?? 0;
}

/** Keeps a freshly read flag set, unless a write was seen since the read began. */
export function storeFlagSet(config: CacheConfig, set: FlagSet, now: number, generation: number): void {
  if (config.FLAGS_CACHE_TTL_MS === 0 || cacheGeneration(config) !== generation) return;
  const key = cacheKey(config);
  entries.delete(key);
  if (entries.size >= MAX_ENTRIES) entries.delete(entries.keys().next().value as string);
  entries.set(key, { set, expiresAt: now + config.FLAGS_CACHE_TTL_MS });
}

/** Called after every write through this isolate. */
export function invalidateFlagSet(config: CacheConfig): void {
  const key = cacheKey(config);
  entries.delete(key);
  generations.set(key, (generations.get(key) ?? 0) + 1);
}
