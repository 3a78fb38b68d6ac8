import type { Config } from "../../env.ts";
import { AppError } from "../errors.ts";
import { getFlag } from "../flags/get-flag.ts";
import { type PutFlagResult, putFlag } from "../flags/put-flag.ts";
import type { Flag, FlagInput } from "../flags/schema.ts";
import type { RedisClient } from "../redis.ts";

/** A change the dashboard makes to one flag. */
export type FlagEdit = { enabled: boolean } | { rollout: { percentage: number; variant: string } | null };

/**
 * Applies one dashboard edit to a flag: reads it, then writes it back whole through `putFlag`
 * (validated, audited) on condition that it still has the `updatedAt` the page showed
 * (`seenUpdatedAt`, checked inside the write script), in the name of `actor` (the signed-in user): a change made meanwhile, even between the
 * read and the write, is never undone; the edit gets a 409 instead. Two round trips.
 *
 * @example
 * await editFlag(redis, config, now, "new-checkout", flag.updatedAt, { enabled: false }, actorOf(c))
 */
export async function editFlag(
  redis: RedisClient,
  config: Config,
  now: number,
  key: string,
  seenUpdatedAt: number,
  edit: FlagEdit,
  actor: string,
): Promise<PutFlagResult> {
  const flag = await getFlag(redis, config, key);
  if (flag.updatedAt !== seenUpdatedAt) throw stale(key);
  try {
    return await putFlag(redis, config, now, key, applyEdit(flag, edit), actor, seenUpdatedAt);
  } catch (error) {
    throw error instanceof AppError && error.code === "conflict" ? stale(key) : error;
  }
}

function stale(key: string): AppError {
  return new AppError("conflict", `The flag "${key}" was changed meanwhile. Reload the page and try again.`);
}

/** The flag as a PUT body, with the edit applied. */
export function applyEdit(flag: Flag, edit: FlagEdit): FlagInput {
  const { key: _key, updatedAt: _updatedAt, ...input } = flag;
  if ("enabled" in edit) return { ...input, enabled: edit.enabled };
  const { rollout: _rollout, ...rest } = input;
  return edit.rollout ? { ...rest, rollout: edit.rollout } : rest;
}
