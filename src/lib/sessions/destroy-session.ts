import type { RedisClient } from "../redis.ts";
import { locate } from "./read-session.ts";
import { type ScriptLimit, scripts } from "./scripts.ts";
import type { SessionConfig } from "./session.ts";

/**
 * Logs a session out: its hash is deleted from Redis and it leaves the user's index. True when
 * there was a session to delete (routes answer the same either way).
 */
export async function destroySession(
  redis: RedisClient,
  config: SessionConfig,
  { token, now, limit }: { token: string; now: number; limit?: ScriptLimit },
): Promise<boolean> {
  const at = await locate(config, token);
  if (!at) return false;
  const deleted = await scripts.destroy.run(
    redis,
    [at.keys.session(at.handle), at.keys.index],
    [now, at.handle],
    limit,
  );
  return deleted > 0;
}
