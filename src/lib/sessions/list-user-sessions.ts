import type { RedisClient } from "../redis.ts";
import { decodeSummaries } from "./decode.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import { type SessionConfig, type SessionSummary, sessionTimeouts } from "./session.ts";

/** A user's live sessions, most recently seen first (one script, which also cleans the index). */
export async function listUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId, now }: { userId: string; now: number },
): Promise<SessionSummary[]> {
  const keys = await userSessionKeys(config, userId);
  const { idleMs } = sessionTimeouts(config);
  const reply = await scripts.listUser.run(redis, [keys.index], [now, idleMs, keys.sessionPrefix]);
  return decodeSummaries(reply, idleMs);
}
