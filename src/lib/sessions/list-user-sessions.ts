import type { RedisClient } from "../redis.ts";
import { decodeSummaries } from "./decode.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import { type SessionConfig, type SessionSummary, sessionTimeouts } from "./session.ts";
import { overUserIndex } from "./user-index.ts";

/** A user's live sessions, most recently seen first (one read of the index, one script that also cleans it). */
export async function listUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId, now }: { userId: string; now: number },
): Promise<SessionSummary[]> {
  const keys = await userSessionKeys(config, userId);
  const { idleMs } = sessionTimeouts(config);
  return overUserIndex(redis, keys, async (scriptKeys, handles) => {
    const reply = await scripts.listUser.run(redis, scriptKeys, [now, idleMs, ...handles]);
    return reply === null ? undefined : decodeSummaries(reply, idleMs);
  });
}
