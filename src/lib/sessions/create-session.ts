import { validationError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { dataArgs } from "./data.ts";
import { sessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import { type JsonValue, SESSION_LIMITS, type SessionConfig, sessionTimeouts, USER_ID_RULE } from "./session.ts";
import { newToken, tokenHandle, userTag } from "./token.ts";

export interface NewSession {
  userId: string;
  data?: Record<string, JsonValue>;
  userAgent?: string;
  now: number;
}

export interface CreatedSession {
  /** The token for the cookie. Shown once: Redis keeps only its hash. */
  token: string;
  handle: string;
  expiresAt: number;
}

/**
 * Starts a session for a user the caller has authenticated: one script writes the session and
 * adds it to the user's index.
 *
 * @example
 * const { token, expiresAt } = await createSession(redis, config, { userId: "u_42", now });
 * setSessionCookie(c, token, expiresAt, now);
 */
export async function createSession(
  redis: RedisClient,
  config: SessionConfig,
  { userId, data = {}, userAgent = "", now }: NewSession,
): Promise<CreatedSession> {
  if (!SESSION_LIMITS.userId.test(userId)) {
    throw validationError([{ path: "userId", message: USER_ID_RULE }]);
  }
  const args = dataArgs(data, false);
  const { idleMs, absoluteMs } = sessionTimeouts(config);
  const tag = await userTag(userId);
  const token = newToken(tag);
  const handle = await tokenHandle(token);
  const keys = sessionKeys(config, tag);
  const expiresAt = now + absoluteMs;
  await scripts.create.run(
    redis,
    [keys.session(handle), keys.index],
    [now, expiresAt, idleMs, handle, userId, userAgent.slice(0, SESSION_LIMITS.userAgentChars), ...args],
  );
  return { token, handle, expiresAt };
}
