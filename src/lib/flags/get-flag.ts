import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { decodeStoredFlag } from "./flag-set.ts";
import { flagKeys } from "./keys.ts";
import { flagNotFound } from "./not-found.ts";
import { FLAG_KEY, type Flag } from "./schema.ts";

/** One flag as stored, read fresh (admins never see the isolate cache). One HGET. */
export async function getFlag(redis: RedisClient, config: Config, key: string): Promise<Flag> {
  if (!FLAG_KEY.test(key)) throw flagNotFound(key);
  const raw = await redis.hget(flagKeys(config).flags, key);
  if (typeof raw !== "string") throw flagNotFound(key);
  const stored = decodeStoredFlag(key, raw);
  // Only a hand edit in Redis gets here: say how to repair it.
  if (!stored.ok) throw new AppError("internal", `${stored.details}. PUT the flag again to repair it.`);
  return stored.flag;
}
