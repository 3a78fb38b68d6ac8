import { timingSafeEqual } from "hono/utils/buffer";
import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { type CreatedSession, createDashboardSession } from "../sessions/index.ts";

/**
 * The user id of dashboard sessions. Reserved: POST /api/sessions refuses every id in the
 * `edgekit:` namespace, and only a correct ADMIN_TOKEN typed into the login form creates a
 * dashboard session (marked by its token's tag, see `createDashboardSession`).
 */
export const ADMIN_USER_ID = "edgekit:dashboard-admin";

/** Longest token the login form accepts (ADMIN_TOKEN is at most 512 characters). */
export const MAX_TOKEN_LENGTH = 512;

/**
 * Starts an admin session when `token` is the ADMIN_TOKEN (compared in constant time: both sides
 * are hashed first, so neither content nor length leaks); undefined, without touching Redis,
 * when it is not.
 *
 * @example
 * const created = await startAdminSession(redis, config, { token: form.token, userAgent, now });
 * if (created) setSessionCookie(c, created.token, created.expiresAt, now);
 */
export async function startAdminSession(
  redis: RedisClient,
  config: Config,
  input: { token: string; userAgent: string; now: number },
): Promise<CreatedSession | undefined> {
  if (input.token.length === 0 || input.token.length > MAX_TOKEN_LENGTH) return undefined;
  if (!(await timingSafeEqual(input.token, config.ADMIN_TOKEN))) return undefined;
  return createDashboardSession(redis, config, { userId: ADMIN_USER_ID, userAgent: input.userAgent, now: input.now });
}
