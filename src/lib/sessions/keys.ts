import { validationError } from "../errors.ts";
import { namespace } from "../keys.ts";
import { SESSION_LIMITS, type SessionConfig, USER_ID_RULE } from "./session.ts";
import { userTag } from "./token.ts";

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

/** The keys of a user named by id (from an admin route): the id is validated, then hashed. */
export async function userSessionKeys(config: SessionConfig, userId: string) {
  if (!SESSION_LIMITS.userId.test(userId)) {
    throw validationError([{ path: "userId", message: USER_ID_RULE }]);
  }
  return sessionKeys(config, await userTag(userId));
}
