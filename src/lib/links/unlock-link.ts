import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { type FollowInput, type FollowOutcome, followLink } from "./follow-link.ts";
import { linkKeys } from "./keys.ts";
import { verifyPassword } from "./password.ts";
import { SLUG_PATTERN } from "./slug.ts";

/**
 * Wrong passwords one protected link takes per window, from all addresses together, before it
 * refuses every attempt until the window ends: the per-address limit (`unlock-link`) alone lets
 * an attacker with many addresses guess on.
 */
export const PASSWORD_GUESSES = { limit: 20, windowMs: 600_000 } as const;

export type UnlockOutcome =
  | FollowOutcome
  | { kind: "wrong-password" }
  /** Too many wrong passwords lately: no attempt is checked until `retryAfter` seconds have passed. */
  | { kind: "locked"; retryAfter: number };

/**
 * The password form's POST: checks the password, then follows the link (two round trips: the
 * stored hash with the link's count of wrong guesses, then the same script as a plain redirect,
 * which re-checks that hash so a password changed in between is not bypassed). A wrong password
 * counts no click, and one guess against the link's budget (PASSWORD_GUESSES); a link out of
 * guesses is locked for the rest of the window, the right password included. An unknown slug
 * costs the same PBKDF2 work as a wrong password, so timing does not tell which links exist.
 */
export async function unlockLink(
  redis: RedisClient,
  config: Config,
  input: Omit<FollowInput, "verifiedPasswordHash"> & { password: string },
): Promise<UnlockOutcome> {
  const keys = SLUG_PATTERN.test(input.slug) ? linkKeys(config, input.slug) : undefined;
  // Sent together: one round trip.
  const [stored, guesses, ttl] = keys
    ? await Promise.all([
        redis.hget<string>(keys.record, "password"),
        redis.get<string>(keys.guesses),
        redis.pttl(keys.guesses),
      ])
    : [null, null, -2];
  if (stored && Number(guesses ?? 0) >= PASSWORD_GUESSES.limit) {
    return { kind: "locked", retryAfter: Math.max(1, Math.ceil((ttl > 0 ? ttl : PASSWORD_GUESSES.windowMs) / 1000)) };
  }
  const valid = await verifyPassword(input.password, stored ?? null);
  if (keys && stored && !valid) {
    // The window starts at the first wrong guess; the counter never outlives it.
    await Promise.all([
      redis.set(keys.guesses, 0, { nx: true, px: PASSWORD_GUESSES.windowMs }),
      redis.incr(keys.guesses),
    ]);
    return { kind: "wrong-password" };
  }
  // No stored hash: an unknown link (the script says "missing") or one without a password.
  const { password: _, ...follow } = input;
  return followLink(redis, config, { ...follow, verifiedPasswordHash: stored ?? undefined });
}
