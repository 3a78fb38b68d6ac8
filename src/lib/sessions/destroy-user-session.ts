import { validationError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { userSessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import type { SessionConfig } from "./session.ts";

/** A session handle as listings show it: base64url of a SHA-256 (43 characters). */
export const HANDLE_PATTERN = /^[A-Za-z0-9_-]{43}$/;

/**
 * Ends one of a user's sessions, named by its handle (as `listUserSessions` shows it; the handle
 * is no credential). The user's id is hashed into the key, so a handle can only end a session of
 * that user. Runs the logout script on each tag the user's sessions may carry, in one tick (one
 * round trip with auto-pipelining). True when a session was ended.
 *
 * @example
 * await destroyUserSession(redis, config, { userId: "alice", handle: summary.handle, now })
 */
export async function destroyUserSession(
  redis: RedisClient,
  config: SessionConfig,
  { userId, handle, now }: { userId: string; handle: string; now: number },
): Promise<boolean> {
  if (!HANDLE_PATTERN.test(handle)) throw validationError([{ path: "handle", message: "not a session handle" }]);
  const indexes = await userSessionKeys(config, userId);
  const deleted = await Promise.all(
    indexes.map((keys) => scripts.destroy.run(redis, [keys.session(handle), keys.index], [now, handle])),
  );
  return deleted.some((n) => n > 0);
}
