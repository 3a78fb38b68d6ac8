import { validationError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import { dataArgs } from "./data.ts";
import { decodeSession } from "./decode.ts";
import { locate } from "./read-session.ts";
import { type ScriptLimit, scripts } from "./scripts.ts";
import { type JsonValue, SESSION_LIMITS, type Session, type SessionConfig, sessionTimeouts } from "./session.ts";

/**
 * Merges fields into a live session's data, one field at a time (`null` deletes a field), so
 * concurrent updates of different fields never overwrite each other. Returns the updated session,
 * or undefined when there is none. Throws a 422 when the result would hold too many fields.
 *
 * @example
 * await updateSessionData(redis, config, { token, data: { theme: "dark", cart: null }, now });
 */
export async function updateSessionData(
  redis: RedisClient,
  config: SessionConfig,
  { token, data, now, limit }: { token: string; data: Record<string, JsonValue>; now: number; limit?: ScriptLimit },
): Promise<Session | undefined> {
  const args = dataArgs(data, true);
  const at = await locate(config, token);
  if (!at) return undefined;
  const { idleMs, touchMs } = sessionTimeouts(config);
  const reply = await scripts.patch.run(
    redis,
    [at.keys.session(at.handle), at.keys.index],
    [now, idleMs, touchMs, at.handle, SESSION_LIMITS.maxFields, ...args],
    limit,
  );
  if (typeof reply === "string" && reply.startsWith('{"tooMany"')) {
    const { tooMany } = JSON.parse(reply) as { tooMany: number };
    throw validationError([
      {
        path: "data",
        message: `A session holds at most ${SESSION_LIMITS.maxFields} fields; this would make ${tooMany}`,
      },
    ]);
  }
  return decodeSession(reply, at.handle, idleMs, at.dashboard);
}
