import type { RedisClient } from "../redis.ts";
import { decodeSummaries } from "./decode.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import { type SessionConfig, type SessionSummary, sessionTimeouts } from "./session.ts";
import { overUserIndexes } from "./user-index.ts";

/**
 * A user's live sessions, most recently seen first, over every tag the user's sessions may carry
 * (see `userSessionKeys`); each script also cleans its index. Two round trips in all (see
 * `overUserIndexes`).
 */
export async function listUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId, now }: { userId: string; now: number },
): Promise<SessionSummary[]> {
  const { idleMs } = sessionTimeouts(config);
  const indexes = await userSessionKeys(config, userId);
  const lists = await overUserIndexes(redis, indexes, async (keys, handles) => {
    const reply = await scripts.listUser.run(redis, keys, [now, idleMs, ...handles]);
    return reply === null ? undefined : decodeSummaries(reply, idleMs);
  });
  return lists.flat().sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}
