import { namespace } from "../keys.ts";
import { assertUserId, type SessionConfig } from "./session.ts";
import { legacyUserTag, userTag } from "./token.ts";

/**
 * The Redis keys of one user's sessions. All share the user's tag as hash tag, so every script
 * (a session with its index, or "log out everywhere" over all of them) runs in one slot:
 *
 *   {ns}session:{<userTag>}:id:<handle>   hash: user, created, seen, expires, ua, d:<field>...
 *   {ns}session:{<userTag>}:index         sorted set: handles scored by absolute expiry (ms)
 *
 * `userTag` and `handle` are hashes (token.ts), never raw input.
 */
export function sessionKeys(config: SessionConfig, userTag: string) {
  const base = `${namespace(config)}session:{${userTag}}:`;
  return {
    index: `${base}index`,
    session: (handle: string) => `${base}id:${handle}`,
  };
}

/**
 * The keys of a user named by id (from an admin route): the id is validated, then hashed. Two
 * sets: the keyed tag's, and the unkeyed tag's of sessions created before tags were keyed (they
 * live until their absolute timeout; log out everywhere must reach them too).
 */
export async function userSessionKeys(config: SessionConfig, userId: string) {
  assertUserId(userId);
  const [tag, legacy] = await Promise.all([userTag(config.HASH_SECRET, userId), legacyUserTag(userId)]);
  return [sessionKeys(config, tag), sessionKeys(config, legacy)] as const;
}
