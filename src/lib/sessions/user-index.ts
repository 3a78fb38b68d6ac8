import { AppError } from "../errors.ts";
import type { RedisClient } from "../redis.ts";
import type { sessionKeys } from "./keys.ts";

/** Reads of the indexes before giving up, when logins keep changing them between read and script. */
const ATTEMPTS = 5;

type UserKeys = ReturnType<typeof sessionKeys>;

/**
 * Runs a script over every session of each of a user's indexes (one per tag the user's sessions
 * may carry) with all their keys in KEYS (Upstash's `allow-key-locking` refuses a key built inside
 * the script): reads the indexes (ZRANGE), then runs `script` per index with the index and each
 * handle's session hash as keys. The script checks that the index still holds only those handles
 * and answers `undefined` (writing nothing) when it gained one; that index is then read again.
 * The reads go as one pipeline and the scripts together (auto-pipelined), so it is two round trips
 * however many indexes; these are admin routes, not hot paths.
 */
export async function overUserIndexes<T>(
  redis: RedisClient,
  indexes: readonly UserKeys[],
  script: (keys: string[], handles: string[]) => Promise<T | undefined>,
): Promise<T[]> {
  const results = new Map<number, T>();
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const pending = indexes.flatMap((keys, i) => (results.has(i) ? [] : [{ keys, i }]));
    if (pending.length === 0) break;
    // One explicit pipeline: auto-pipelining sends concurrent ZRANGEs one request each.
    const reads = redis.pipeline();
    for (const { keys } of pending) reads.zrange(keys.index, 0, -1);
    const listed = await reads.exec<string[][]>();
    const replies = await Promise.all(
      pending.map(({ keys }, n) => {
        const handles = (listed[n] ?? []).map(String);
        return script([keys.index, ...handles.map(keys.session)], handles);
      }),
    );
    pending.forEach(({ i }, n) => {
      const reply = replies[n];
      if (reply !== undefined) results.set(i, reply);
    });
  }
  if (results.size < indexes.length) {
    throw new AppError("conflict", "The user's sessions kept changing during the request. Try again.");
  }
  return indexes.map((_, i) => results.get(i) as T);
}
