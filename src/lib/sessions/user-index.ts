import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import type { sessionKeys } from "./keys.ts";

/** Reads of the index before giving up, when logins keep changing it between read and script. */
const ATTEMPTS = 5;

/**
 * Runs a script over every session of a user's index with all their keys in KEYS (Upstash's
 * `allow-key-locking` refuses a key built inside the script): reads the index (ZRANGE), then runs
 * `script` with the index and each handle's session hash as keys. The script checks that the
 * index still holds only those handles and answers `undefined` (writing nothing) when it gained
 * one; the index is then read again. Two round trips; these are admin routes, not hot paths.
 */
export async function overUserIndex<T>(
  redis: RedisClient,
  keys: ReturnType<typeof sessionKeys>,
  script: (keys: string[], handles: string[]) => Promise<T | undefined>,
): Promise<T> {
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const handles = (await redis.zrange<string[]>(keys.index, 0, -1)).map(String);
    const result = await script([keys.index, ...handles.map(keys.session)], handles);
    if (result !== undefined) return result;
  }
  throw new AppError("conflict", "The user's sessions kept changing during the request. Try again.");
}
