import type { RedisClient } from "../redis.ts";
import { decodeSession } from "./decode.ts";
import { sessionKeys } from "./keys.ts";
import { type ScriptLimit, scripts } from "./scripts.ts";
import { type Session, type SessionConfig, sessionTimeouts } from "./session.ts";
import { dashboardTag, parseToken, tokenHandle } from "./token.ts";

/** Where a token points in Redis, or undefined for a malformed token (Redis is not asked). */
export async function locate(config: SessionConfig, token: string) {
  const parsed = parseToken(token);
  if (!parsed) return undefined;
  const [handle, dashboard] = await Promise.all([tokenHandle(token), dashboardTag(config.HASH_SECRET)]);
  return { tag: parsed.tag, keys: sessionKeys(config, parsed.tag), handle, dashboard: parsed.tag === dashboard };
}

/**
 * The live session a token names, or undefined: unknown, expired and malformed tokens are all
 * the same "no session". One script: it enforces both timeouts and refreshes last-seen when it is
 * older than a minute.
 */
export async function readSession(
  redis: RedisClient,
  config: SessionConfig,
  { token, now, limit }: { token: string; now: number; limit?: ScriptLimit },
): Promise<Session | undefined> {
  const at = await locate(config, token);
  if (!at) return undefined;
  const { idleMs, touchMs } = sessionTimeouts(config);
  const reply = await scripts.read.run(
    redis,
    [at.keys.session(at.handle), at.keys.index],
    [now, idleMs, touchMs, at.handle],
    limit,
  );
  return decodeSession(reply, at.handle, idleMs, at.dashboard);
}
