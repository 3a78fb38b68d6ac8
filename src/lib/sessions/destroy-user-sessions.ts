import type { RedisClient } from "../redis.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import type { SessionConfig } from "./session.ts";
import { overUserIndexes } from "./user-index.ts";

/**
 * Logs a user out everywhere: every tag the user's sessions may carry (see `userSessionKeys`), two
 * round trips in all (see `overUserIndexes`). Returns how many sessions were ended.
 */
export async function destroyUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId }: { userId: string },
): Promise<number> {
  const indexes = await userSessionKeys(config, userId);
  const counts = await overUserIndexes(redis, indexes, async (keys, handles) => {
    const deleted = await scripts.destroyUser.run(redis, keys, handles);
    return deleted < 0 ? undefined : deleted;
  });
  return counts.reduce((sum, count) => sum + count, 0);
}
