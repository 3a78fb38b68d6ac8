import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { cachedFlagSet, cacheGeneration, storeFlagSet } from "./cache.ts";
import { flagKeys } from "./keys.ts";
import { type Flag, flagSchema } from "./schema.ts";

/** A flag as read back: valid, or unreadable (hand-edited in Redis) with the reason why. */
export type StoredFlag = { ok: true; flag: Flag } | { ok: false; key: string; details: string };

/** Every flag of one namespace, by key. */
export interface FlagSet {
  flags: ReadonlyMap<string, StoredFlag>;
}

type FlagsConfig = Pick<Config, "UPSTASH_REDIS_REST_URL" | "KEY_PREFIX" | "FLAGS_CACHE_TTL_MS">;

/**
 * The whole flag set: from the isolate cache while fresh (no round trip), else one HGETALL.
 *
 * @example
 * const set = await loadFlagSet(redis, config, now);
 * set.flags.get("new-checkout") // { ok: true, flag: {...} }
 */
export async function loadFlagSet(redis: RedisClient, config: FlagsConfig, now: number): Promise<FlagSet> {
  const cached = cachedFlagSet(config, now);
  if (cached) return cached;
  const generation = cacheGeneration(config);
  const set = decodeFlagSet(await redis.hgetall(flagKeys(config).flags));
  storeFlagSet(config, set, now, generation);
  return set;
}

/**
 * One flag, or undefined when there is none. With the cache on, the whole set is loaded (and
 * cached, so the next flag is free); with it off, one HGET reads just this flag.
 */
export async function loadFlag(
  redis: RedisClient,
  config: FlagsConfig,
  now: number,
  key: string,
): Promise<StoredFlag | undefined> {
  if (config.FLAGS_CACHE_TTL_MS > 0) return (await loadFlagSet(redis, config, now)).flags.get(key);
  const raw = await redis.hget(flagKeys(config).flags, key);
  return typeof raw === "string" ? decodeStoredFlag(key, raw) : undefined;
}

/** HGETALL's reply, raw (`[field, value, ...]`) or already paired, as a flag set. */
export function decodeFlagSet(reply: unknown): FlagSet {
  const flags = new Map<string, StoredFlag>();
  const pairs: [string, unknown][] = [];
  if (Array.isArray(reply)) {
    for (let i = 0; i + 1 < reply.length; i += 2) pairs.push([String(reply[i]), reply[i + 1]]);
  } else if (reply && typeof reply === "object") {
    pairs.push(...Object.entries(reply));
  }
  for (const [key, raw] of pairs) {
    flags.set(key, typeof raw === "string" ? decodeStoredFlag(key, raw) : { ok: false, key, details: "not a string" });
  }
  return { flags };
}

/**
 * Decoded flags by key and stored JSON, per isolate: with the cache off (FLAGS_CACHE_TTL_MS=0)
 * every evaluation reads the whole set again, and validating each flag with zod was most of that
 * path's CPU. Keyed by the exact stored text, so a changed flag is always decoded afresh. Decoded
 * flags are shared read-only, as the flag-set cache already shares them.
 */
const decoded = new Map<string, StoredFlag>();
const MAX_DECODED = 512;

/** Parses one hash value; anything that is not a valid flag is reported, not thrown. */
export function decodeStoredFlag(key: string, raw: string): StoredFlag {
  const memoKey = `${key}\u0000${raw}`;
  const known = decoded.get(memoKey);
  if (known) return known;
  const stored = parseStoredFlag(key, raw);
  if (decoded.size >= MAX_DECODED) decoded.clear(); // bounded; a full memo starts over
  decoded.set(memoKey, stored);
  return stored;
}

function parseStoredFlag(key: string, raw: string): StoredFlag {
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    return { ok: false, key, details: `the stored configuration of ${key} is not valid JSON` };
  }
  const parsed = flagSchema.safeParse(json);
  if (!parsed.success || parsed.data.key !== key) {
    const issue = parsed.success ? "its key does not match its field" : parsed.error.issues[0]?.message;
    return { ok: false, key, details: `the stored configuration of ${key} is not a valid flag: ${issue}` };
  }
  return { ok: true, flag: parsed.data };
}
