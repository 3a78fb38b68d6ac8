import type { Config } from "../../env.ts";
import type { RedisClient } from "../redis.ts";
import { type FollowInput, type FollowOutcome, followLink } from "./follow-link.ts";
import { linkKeys } from "./keys.ts";
import { verifyPassword } from "./password.ts";
import { SLUG_PATTERN } from "./slug.ts";

export type UnlockOutcome = FollowOutcome | { kind: "wrong-password" };

/**
 * The password form's POST: checks the password, then follows the link (two round trips: the
 * stored hash, then the same script as a plain redirect, which re-checks that hash so a password
 * changed in between is not bypassed). A wrong password counts no click. An unknown slug costs
 * the same PBKDF2 work as a wrong password, so timing does not tell which links exist.
 */
export async function unlockLink(
  redis: RedisClient,
  config: Config,
  input: Omit<FollowInput, "verifiedPasswordHash"> & { password: string },
): Promise<UnlockOutcome> {
  const stored = SLUG_PATTERN.test(input.slug)
    ? await redis.hget<string>(linkKeys(config, input.slug).record, "password")
    : null;
  const valid = await verifyPassword(input.password, stored ?? null);
  if (stored && !valid) return { kind: "wrong-password" };
  // No stored hash: an unknown link (the script says "missing") or one without a password.
  const { password: _, ...follow } = input;
  return followLink(redis, config, { ...follow, verifiedPasswordHash: stored ?? undefined });
}
