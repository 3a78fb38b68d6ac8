import type { RedisClient } from "../redis.ts";
import { decodeSummaries } from "./decode.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import { type SessionConfig, type SessionSummary, sessionTimeouts } from "./session.ts";
import { overUserIndex } from "./user-index.ts";

/**
 * A user's live sessions, most recently seen first: for each tag the user's sessions may carry
 * (see `userSessionKeys`), one read of its index and one script that also cleans it, the tags side
 * by side (two round trips in all).
 */
export async function listUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId, now }: { userId: string; now: number },
): Promise<SessionSummary[]> {
  const { idleMs } = sessionTimeouts(config);
  const lists = await Promise.all(
    (await userSessionKeys(config, userId)).map((keys) =>
      overUserIndex(redis, keys, async (scriptKeys, handles) => {
        const reply = await scripts.listUser.run(redis, scriptKeys, [now, idleMs, ...handles]);
        return reply === null ? undefined : decodeSummaries(reply, idleMs);
      }),
    ),
  );
  return lists.flat().sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}
