import type { RedisClient } from "../redis.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import type { SessionConfig } from "./session.ts";
import { overUserIndex } from "./user-index.ts";

/**
 * Logs a user out everywhere: for each tag the user's sessions may carry (see `userSessionKeys`),
 * one read of its index and one script, the tags side by side (two round trips in all). Returns
 * how many sessions were ended.
 */
export async function destroyUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId }: { userId: string },
): Promise<number> {
  const counts = await Promise.all(
    (await userSessionKeys(config, userId)).map((keys) =>
      overUserIndex(redis, keys, async (scriptKeys, handles) => {
        const deleted = await scripts.destroyUser.run(redis, scriptKeys, handles);
        return deleted < 0 ? undefined : deleted;
      }),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}
