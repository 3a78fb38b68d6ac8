import type { RedisClient } from "../redis.ts";
import { decodeSummaries } from "./decode.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import { type SessionConfig, type SessionSummary, sessionTimeouts } from "./session.ts";

/**
 * A user's live sessions, most recently seen first: one script per tag the user's sessions may
 * carry (see `userSessionKeys`), sent together in one round trip; each also cleans its index.
 */
export async function listUserSessions(
  redis: RedisClient,
  config: SessionConfig,
  { userId, now }: { userId: string; now: number },
): Promise<SessionSummary[]> {
  const { idleMs } = sessionTimeouts(config);
  const replies = await Promise.all(
    (await userSessionKeys(config, userId)).map((keys) =>
      scripts.listUser.run(redis, [keys.index], [now, idleMs, keys.sessionPrefix]),
    ),
  );
  return replies.flatMap((reply) => decodeSummaries(reply, idleMs)).sort((a, b) => b.lastSeenAt - a.lastSeenAt);
}
