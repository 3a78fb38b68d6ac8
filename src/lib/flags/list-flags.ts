import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { decodeFlagSet } from "./flag-set.ts";
import { flagKeys } from "./keys.ts";
import type { Flag } from "./schema.ts";

export interface FlagList {
  /** The flag-set version: bumped by every write. */
  version: number;
  flags: Flag[];
  /** Hash fields that are not valid flags (hand-edited in Redis), with the reason. */
  unreadable: { key: string; details: string }[];
}

/** Every flag, sorted by key, read fresh: HGETALL and GET in one tick, so one round trip. */
export async function listFlags(redis: RedisClient, config: Config): Promise<FlagList> {
  const keys = flagKeys(config);
  const [hash, version] = await Promise.all([redis.hgetall(keys.flags), redis.get<string>(keys.version)]);
  const flags: Flag[] = [];
  const unreadable: FlagList["unreadable"] = [];
  for (const stored of decodeFlagSet(hash).flags.values()) {
    if (stored.ok) flags.push(stored.flag);
    else unreadable.push({ key: stored.key, details: stored.details });
  }
  flags.sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
  return { version: version === null ? 0 : Number(version), flags, unreadable };
}
