import type { RedisClient } from "../redis.ts";
import { decodeSession } from "./decode.ts";
import { locate } from "./read-session.ts";
import { type ScriptLimit, scripts } from "./scripts.ts";
import { type Session, type SessionConfig, sessionTimeouts } from "./session.ts";
import { newToken, tokenHandle } from "./token.ts";

/**
 * Gives a live session a new token in one script (call it when privileges change, e.g. after a
 * login step-up): the old token stops working at once; data, creation time and absolute expiry
 * are kept. Undefined when the token names no live session.
 */
export async function rotateSession(
  redis: RedisClient,
  config: SessionConfig,
  { token, now, limit }: { token: string; now: number; limit?: ScriptLimit },
): Promise<{ token: string; session: Session } | undefined> {
  const at = await locate(config, token);
  if (!at) return undefined;
  // Same user, same tag, same hash slot; only the secret is new.
  const fresh = newToken(at.tag);
  const newHandle = await tokenHandle(fresh);
  const { idleMs } = sessionTimeouts(config);
  const reply = await scripts.rotate.run(
    redis,
    [at.keys.session(at.handle), at.keys.session(newHandle), at.keys.index],
    [now, idleMs, at.handle, newHandle],
    limit,
  );
  const session = decodeSession(reply, newHandle, idleMs, at.dashboard);
  return session ? { token: fresh, session } : undefined;
}
