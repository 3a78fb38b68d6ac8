import type { RedisClient } from "../redis.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import type { SessionConfig } from "./session.ts";

/**
 * Logs a user out everywhere: one script per tag the user's sessions may carry (see
 * `userSessionKeys`), sent together in one round trip. Returns how many sessions were ended.
 */
export async function destroyUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId }: { userId: string },
): Promise<number> {
  const counts = await Promise.all(
    (await userSessionKeys(config, userId)).map((keys) =>
      scripts.destroyUser.run(redis, [keys.index], [keys.sessionPrefix]),
    ),
  );
  return counts.reduce((sum, count) => sum + count, 0);
}
