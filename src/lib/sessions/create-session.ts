import type { RedisClient } from "../redis.ts";
import { dataArgs } from "./data.ts";
import { sessionKeys } from "./keys.ts";
import { scripts } from "./scripts.ts";
import { assertUserId, type JsonValue, SESSION_LIMITS, type SessionConfig, sessionTimeouts } from "./session.ts";
import { dashboardTag, newToken, tokenHandle, userTag } from "./token.ts";

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
  input: NewSession,
): Promise<CreatedSession> {
  assertUserId(input.userId);
  return startSession(redis, config, await userTag(config.HASH_SECRET, input.userId), input);
}

/**
 * Starts a dashboard session for `userId` (an id in the reserved `edgekit:` namespace): its token
 * carries the dashboard's tag, which no call of `createSession` can produce. Only the dashboard's
 * sign-in calls this, after checking the admin token.
 */
export async function createDashboardSession(
  redis: RedisClient,
  config: SessionConfig,
  input: Omit<NewSession, "data">,
): Promise<CreatedSession> {
  return startSession(redis, config, await dashboardTag(config.HASH_SECRET), input);
}

async function startSession(
  redis: RedisClient,
  config: SessionConfig,
  tag: string,
  { userId, data = {}, userAgent = "", now }: NewSession,
): Promise<CreatedSession> {
  const args = dataArgs(data, false);
  const { idleMs, absoluteMs } = sessionTimeouts(config);
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
