import type { RedisClient } from "../redis.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import type { SessionConfig } from "./session.ts";

/** Logs a user out everywhere in one script. Returns how many sessions were ended. */
export async function destroyUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId }: { userId: string },
): Promise<number> {
  const keys = await userSessionKeys(config, userId);
  return scripts.destroyUser.run(redis, [keys.index], [keys.sessionPrefix]);
}
