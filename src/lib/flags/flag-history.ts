import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { HISTORY_LIMIT } from "./audit.ts";
import { flagKeys } from "./keys.ts";
import { flagNotFound } from "./not-found.ts";
import { FLAG_KEY, type Flag } from "./schema.ts";

/** One audit entry: who changed the flag, when, and what it was before and after (null: absent). */
export interface HistoryEntry {
  at: number;
  actor: string;
  version: number;
  before: Flag | null;
  after: Flag | null;
}

/**
 * A flag's audit trail, newest first (the last HISTORY_LIMIT writes). It outlives a deleted flag;
 * 404 only when the key was never written. One LRANGE.
 */
export async function flagHistory(
  redis: RedisClient,
  config: Config,
  key: string,
  limit = HISTORY_LIMIT,
): Promise<HistoryEntry[]> {
  if (!FLAG_KEY.test(key)) throw flagNotFound(key);
  const raw = await redis.lrange(flagKeys(config, key).history, 0, Math.max(0, limit - 1));
  if (raw.length === 0) throw flagNotFound(key);
  // Entries are written by our scripts only, from validated JSON.
  return raw.map((entry) => JSON.parse(String(entry)) as HistoryEntry);
}
