import type { RedisClient } from "../redis.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import type { SessionConfig } from "./session.ts";
import { overUserIndex } from "./user-index.ts";

/** Logs a user out everywhere (one read of the index, one script). Returns how many sessions were ended. */
export async function destroyUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId }: { userId: string },
): Promise<number> {
  const keys = await userSessionKeys(config, userId);
  return overUserIndex(redis, keys, async (scriptKeys, handles) => {
    const deleted = await scripts.destroyUser.run(redis, scriptKeys, handles);
    return deleted < 0 ? undefined : deleted;
  });
}
